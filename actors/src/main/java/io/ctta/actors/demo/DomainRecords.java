package io.ctta.actors.demo;

import io.ctta.streams.data.Domain;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.DomainListSource;
import io.ctta.streams.source.SourceRecords;
import java.util.Iterator;
import java.util.List;

/**
 * Turns a dataset source (or domains of labelled images already in memory) into input records, domain
 * after domain in the source's order (never shuffled across domains), with the label inline so the run
 * can be scored. A thin name over {@link SourceRecords}, which does the work.
 */
public final class DomainRecords implements Iterator<InferenceRecord> {

    private final SourceRecords records;

    /**
     * Records of grey domains in memory: ids {@code <domain>/<index>}, {@code UINT8 [1, rows, cols]}.
     *
     * @param key the stream key of every record (one key keeps the stream on one partition)
     */
    public DomainRecords(List<Domain> domains, String key, long startMs) {
        this(new DomainListSource("domains", domains, 0), key, startMs);
    }

    /**
     * Records of any source (a WILDS dataset, a NEVIS'22 stream, a stream directory, ...), with each
     * sample's metadata; event times {@code startMs, startMs + 1, ...}.
     *
     * @param key the stream key of every record
     */
    public DomainRecords(DatasetSource source, String key, long startMs) {
        this.records = new SourceRecords(source, key, startMs);
    }

    /** The number of records all domains hold. */
    public static long count(List<Domain> domains) {
        long n = 0;
        for (Domain d : domains) {
            n += d.images().count();
        }
        return n;
    }

    /** The number of records the source's domains announce (a skipped bad item makes the replay shorter). */
    public static long count(DatasetSource source) {
        return DomainInfo.total(source.domains());
    }

    @Override
    public boolean hasNext() {
        return records.hasNext();
    }

    @Override
    public InferenceRecord next() {
        return records.next();
    }
}
