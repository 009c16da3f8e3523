package io.ctta.streams.source;

import io.ctta.streams.record.RecordMetadata;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A domain of a source, known before any image is read, so that a replay can show progress and a
 * report can name its rows.
 *
 * @param name     the domain tag every sample of the domain carries, unique within the source
 * @param count    the samples the domain will yield, after the per-domain cap; an item that turns out to
 *                 be bad when it is read (a missing or undecodable image) is skipped, so a replay can
 *                 yield fewer (the source's {@link SkipLog} says how many)
 * @param metadata facts that hold for the whole domain (e.g. a NEVIS task's label offset), also on
 *                 every sample
 */
public record DomainInfo(String name, long count, Map<String, String> metadata) {

    public DomainInfo {
        Objects.requireNonNull(name, "name");
        if (name.isBlank()) {
            throw new IllegalArgumentException("domain name must not be blank");
        }
        if (count < 0) {
            throw new IllegalArgumentException("domain '" + name + "' count must be >= 0, got " + count);
        }
        metadata = RecordMetadata.copyOf(metadata);
    }

    /** A domain without domain-wide metadata. */
    public DomainInfo(String name, long count) {
        this(name, count, Map.of());
    }

    /** The number of samples all domains will yield together (before skips). */
    public static long total(List<DomainInfo> domains) {
        long n = 0;
        for (DomainInfo d : domains) {
            n += d.count();
        }
        return n;
    }
}
