package io.ctta.actors.demo;

import io.ctta.streams.data.Domain;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Turns domains of labelled images into input records, domain after domain in the given order
 * (never shuffled across domains), with the label inline so the run can be scored.
 */
public final class DomainRecords implements Iterator<InferenceRecord> {

    private final List<Domain> domains;
    private final String key;
    private final long startMs;
    private int domain;
    private int index;
    private long seq;

    /**
     * @param key the stream key of every record (one key keeps the stream on one partition)
     */
    public DomainRecords(List<Domain> domains, String key, long startMs) {
        this.domains = domains;
        this.key = key;
        this.startMs = startMs;
        skipEmpty();
    }

    /** The number of records all domains hold. */
    public static long count(List<Domain> domains) {
        long n = 0;
        for (Domain d : domains) {
            n += d.images().count();
        }
        return n;
    }

    @Override
    public boolean hasNext() {
        return domain < domains.size();
    }

    @Override
    public InferenceRecord next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        Domain d = domains.get(domain);
        LabeledImages images = d.images();
        int i = index++;
        InferenceRecord r = new InferenceRecord(
                d.name() + "/" + i,
                key,
                startMs + seq++,
                d.name(),
                images.labels()[i],
                new Tensor(DType.UINT8, new int[] {1, images.rows(), images.cols()}, images.featuresOf(i)));
        skipEmpty();
        return r;
    }

    private void skipEmpty() {
        while (domain < domains.size() && index >= domains.get(domain).images().count()) {
            domain++;
            index = 0;
        }
    }
}
