package io.ctta.actors.pipeline;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Finds records that crash the model actor. Every failed batch counts one crash against each
 * record it held, and its records become suspects: the next run serves suspects one at a time, so
 * the record at fault is the one whose batch of one fails. A record that failed alone and has
 * crashed the model {@code limit} times is poisoned: the stream dead-letters it instead of sending
 * it to the model again, and goes on. Confined to the pipeline supervisor; each stream run gets an
 * immutable {@link View}.
 */
public final class PoisonRecords {

    /** Suspects remembered at most; the oldest are forgotten first (they are long committed). */
    static final int MAX_TRACKED = 10_000;

    private final int limit;
    private final Map<RecordRef, Integer> crashes = new LinkedHashMap<>();
    private final Map<RecordRef, String> poisoned = new LinkedHashMap<>();
    /** Records whose output Kafka refused (exactly-once output), with the reason and how often. */
    private final Map<RecordRef, Refusal> refusals = new LinkedHashMap<>();

    private record Refusal(String reason, int times) {}

    /** @param limit crashes of the model actor before a record is dead-lettered (at least 1) */
    public PoisonRecords(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        this.limit = limit;
    }

    /**
     * Counts a failed batch.
     *
     * @return the record newly declared poisoned, if this failure was its last allowed one
     */
    public Optional<RecordRef> failed(BatchFailedException failure) {
        List<RecordRef> records = failure.records();
        for (RecordRef r : records) {
            crashes.merge(r, 1, Integer::sum);
        }
        while (crashes.size() > MAX_TRACKED) {
            crashes.remove(crashes.keySet().iterator().next());
        }
        if (records.size() == 1) {
            RecordRef r = records.get(0);
            int n = crashes.getOrDefault(r, 0);
            if (n >= limit && !poisoned.containsKey(r)) {
                poisoned.put(r, "model-crash: crashed the model " + n + " times: " + failure.getMessage());
                while (poisoned.size() > MAX_TRACKED) {
                    poisoned.remove(poisoned.keySet().iterator().next());
                }
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Counts refused outputs: the next run writes each record a bare dead letter instead; a record
     * whose bare dead letter was refused too gets no output at all.
     */
    public void refused(Map<RecordRef, String> refused) {
        refused.forEach((r, reason) -> refusals.merge(r, new Refusal(reason, 1), (a, b) -> new Refusal(b.reason(), a.times() + 1)));
        while (refusals.size() > MAX_TRACKED) {
            refusals.remove(refusals.keySet().iterator().next());
        }
    }

    /** How often a record crashed the model so far. */
    public int crashes(RecordRef r) {
        return crashes.getOrDefault(r, 0);
    }

    /** What one stream run needs to know. */
    public View view() {
        Set<RecordRef> suspects = new LinkedHashSet<>(crashes.keySet());
        suspects.removeAll(poisoned.keySet());
        Map<RecordRef, String> bare = new LinkedHashMap<>();
        Map<RecordRef, String> dropped = new LinkedHashMap<>();
        refusals.forEach((r, f) -> (f.times() == 1 ? bare : dropped).put(r, f.reason()));
        return new View(Set.copyOf(suspects), Map.copyOf(poisoned), Map.copyOf(bare), Map.copyOf(dropped));
    }

    /**
     * @param suspects records to serve one at a time
     * @param poisoned records to dead-letter, with the reason
     * @param bare records whose output Kafka refused once: a bare dead letter instead, with the reason
     * @param dropped records whose bare dead letter Kafka refused too: no output at all
     */
    public record View(Set<RecordRef> suspects, Map<RecordRef, String> poisoned, Map<RecordRef, String> bare, Map<RecordRef, String> dropped) {
        public View(Set<RecordRef> suspects, Map<RecordRef, String> poisoned) {
            this(suspects, poisoned, Map.of(), Map.of());
        }

        public static View none() {
            return new View(Set.of(), Map.of());
        }
    }
}
