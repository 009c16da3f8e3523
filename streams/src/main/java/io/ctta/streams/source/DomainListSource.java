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
import java.util.function.IntFunction;

/**
 * A source over grey image domains (Fashion-MNIST, its corruptions, the permuted streams): the grey
 * images become {@code UINT8 [1, rows, cols]} samples with ids {@code <domain>/<index>} and no
 * metadata, exactly the records ctta has always replayed for these streams. The domains are either
 * in memory already or built one at a time when the pass reaches them ({@link #lazy}), so a stream
 * of many generated tasks holds one task at a time.
 */
public final class DomainListSource implements DatasetSource {

    private final String description;
    private final List<DomainInfo> domains;
    private final IntFunction<Domain> domain;
    private final int classes;
    private final SkipLog skips;
    private boolean started;

    /**
     * @param classes the label space size, or 0 when unknown
     */
    public DomainListSource(String description, List<Domain> domains, int classes) {
        this(description, infos(domains), List.copyOf(domains)::get, classes);
    }

    private DomainListSource(String description, List<DomainInfo> domains, IntFunction<Domain> domain, int classes) {
        this.description = description;
        this.domains = domains;
        this.domain = domain;
        this.classes = classes;
        this.skips = new SkipLog(description);
    }

    /**
     * A source whose domain {@code k} is built by {@code domain.apply(k)} when the pass reaches it, and
     * dropped when the pass leaves it.
     *
     * @param domains what the built domains will be: name and count of each, in order (the pass checks them)
     * @param classes the label space size, or 0 when unknown
     */
    public static DomainListSource lazy(String description, List<DomainInfo> domains, IntFunction<Domain> domain, int classes) {
        return new DomainListSource(description, domains, domain, classes);
    }

    private static List<DomainInfo> infos(List<Domain> domains) {
        List<DomainInfo> out = new ArrayList<>(domains.size());
        for (Domain d : domains) {
            out.add(new DomainInfo(d.name(), d.images().count()));
        }
        return List.copyOf(out);
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public List<DomainInfo> domains() {
        return domains;
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
        int count = domains.size();
        return new Iterator<>() {
            private int next;
            private Domain current;
            private int index;

            @Override
            public boolean hasNext() {
                while (current == null || index >= current.images().count()) {
                    if (next >= count) {
                        current = null;
                        return false;
                    }
                    DomainInfo info = domains.get(next);
                    current = domain.apply(next++);
                    index = 0;
                    if (!current.name().equals(info.name()) || current.images().count() != info.count()) {
                        throw new IllegalStateException("domain " + (next - 1) + " was announced as " + info.name() + " ("
                                + info.count() + " images) but is " + current.name() + " (" + current.images().count() + ")");
                    }
                }
                return true;
            }

            @Override
            public Sample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                LabeledImages images = current.images();
                int i = index++;
                Tensor t = new Tensor(DType.UINT8, new int[] {1, images.rows(), images.cols()}, images.featuresOf(i));
                return new Sample(current.name() + "/" + i, current.name(), images.label(i), t, Map.of());
            }
        };
    }

    @Override
    public SkipLog skips() {
        return skips;
    }
}
