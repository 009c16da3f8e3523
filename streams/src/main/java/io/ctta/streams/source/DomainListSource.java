package io.ctta.streams.source;

import io.ctta.streams.data.Domain;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalInt;

/**
 * A source over domains already in memory (Fashion-MNIST, its corruptions, the permuted streams): the
 * grey images become {@code UINT8 [1, rows, cols]} samples with ids {@code <domain>/<index>} and no
 * metadata, exactly the records ctta has always replayed for these streams.
 */
public final class DomainListSource implements DatasetSource {

    private final String description;
    private final List<Domain> domains;
    private final int classes;
    private final SkipLog skips;
    private boolean started;

    /**
     * @param classes the label space size, or 0 when unknown
     */
    public DomainListSource(String description, List<Domain> domains, int classes) {
        this.description = description;
        this.domains = List.copyOf(domains);
        this.classes = classes;
        this.skips = new SkipLog(description);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<DomainInfo> domains() {
        List<DomainInfo> out = new ArrayList<>(domains.size());
        for (Domain d : domains) {
            out.add(new DomainInfo(d.name(), d.images().count()));
        }
        return out;
    }

    @Override
    public OptionalInt classes() {
        return classes > 0 ? OptionalInt.of(classes) : OptionalInt.empty();
    }

    @Override
    public Iterator<Sample> samples() {
        if (started) {
            throw new IllegalStateException("samples() is one pass; open the source again to replay it again");
        }
        started = true;
        return new Iterator<>() {
            private int domain;
            private int index;

            @Override
            public boolean hasNext() {
                while (domain < domains.size() && index >= domains.get(domain).images().count()) {
                    domain++;
                    index = 0;
                }
                return domain < domains.size();
            }

            @Override
            public Sample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Domain d = domains.get(domain);
                LabeledImages images = d.images();
                int i = index++;
                Tensor t = new Tensor(DType.UINT8, new int[] {1, images.rows(), images.cols()}, images.featuresOf(i));
                return new Sample(d.name() + "/" + i, d.name(), images.label(i), t, Map.of());
            }
        };
    }

    @Override
    public SkipLog skips() {
        return skips;
    }
}
