package io.ctta.runtime.feedback;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Joins labels that arrive after the prediction (by record id) with what was remembered when the
 * prediction was made, and hands the matched examples to the learner in stream order.
 *
 * <p>Usage, all on one thread (the model actor): {@link #predicted} for every prediction
 * published, {@link #labelled} for every label that arrives, and {@link #drain} whenever the
 * learner can take examples (e.g. before each batch); pass what {@code drain} returns to the
 * strategy's {@code learn}.
 *
 * <p>Stream order: matched examples are released in <em>prediction order</em>. A matched example
 * waits while an earlier prediction still waits for its label, but at most
 * {@link JoinerSettings#maxWait()} (measured from the arrival of its own label): then it is
 * released anyway, ahead of the earlier prediction, and counted in
 * {@link Stats#releasedOutOfOrder()}. The earlier prediction keeps waiting until its label
 * arrives (then it is released at the next drain) or its TTL passes. Within one drain the
 * examples are always sorted by prediction order. {@code maxWait = 0} releases every match at the
 * next drain; {@code maxWait >= ttl} gives strict prediction order.
 *
 * <p>Time is the injected clock's (processing time, ms), so tests and replays control it; the
 * label's own event time is carried through but not used for expiry.
 *
 * <p>Bounded state: at most {@link JoinerSettings#maxPending()} predictions are kept; inserting
 * one more evicts the oldest (an unlabelled one is dropped and counted as evicted; a labelled one
 * is released at the next drain). Ids of recently released, expired or evicted predictions are
 * remembered (at most {@code maxPending} of them) so that a label arriving for them is told apart
 * from a label for an id never seen: a duplicate, a late label or an unknown id.
 *
 * <p>Not thread-safe.
 *
 * @param <P> what the learner needs of a prediction (e.g. the sample's features)
 */
public final class FeedbackJoiner<P> {

    /** What happened to a label handed to {@link #labelled}. */
    public enum LabelOutcome {
        /** Joined to a waiting prediction; it will be released by a drain. */
        MATCHED,
        /** The prediction already had a label (or was already released); the first label wins. */
        DUPLICATE,
        /** The prediction expired (TTL) or was evicted (size bound) before the label came. */
        LATE,
        /** No prediction with this id is known (never seen, or forgotten long ago). */
        UNKNOWN
    }

    /**
     * A prediction joined with its label.
     *
     * @param id the record id
     * @param payload what {@link #predicted} remembered
     * @param predictedClass the class that was published
     * @param label the true label
     * @param predictedAtMs the clock when the prediction was recorded
     * @param labelledAtMs the clock when the label arrived
     * @param labelEventTimeMs the label's own event time
     * @param sequence the prediction's position in the stream (0, 1, ...), for ordering
     */
    public record Joined<P>(String id, P payload, int predictedClass, int label, long predictedAtMs,
            long labelledAtMs, long labelEventTimeMs, long sequence) {}

    /**
     * Counters since creation (or {@link #clear()}).
     *
     * @param predictions predictions recorded
     * @param duplicatePredictions predictions ignored because the id was already waiting
     * @param matched labels joined to a prediction
     * @param duplicateLabels labels for predictions that already had one
     * @param lateLabels labels for predictions that had expired or been evicted
     * @param unknownLabels labels for ids the joiner does not know
     * @param expired unlabelled predictions dropped by the TTL
     * @param evicted unlabelled predictions dropped by the size bound
     * @param released examples handed out by {@link #drain()}
     * @param releasedOutOfOrder of those, released while an earlier prediction was still waiting
     * @param pending predictions held now (labelled or not)
     */
    public record Stats(long predictions, long duplicatePredictions, long matched, long duplicateLabels,
            long lateLabels, long unknownLabels, long expired, long evicted, long released,
            long releasedOutOfOrder, int pending) {}

    private enum Tomb { RELEASED, EXPIRED, EVICTED }

    private static final class Entry<P> {
        final String id;
        final P payload;
        final int predictedClass;
        final long predictedAt;
        final long sequence;
        int label = -1;
        long labelledAt;
        long labelEventTime;
        boolean gone;

        Entry(String id, P payload, int predictedClass, long predictedAt, long sequence) {
            this.id = id;
            this.payload = payload;
            this.predictedClass = predictedClass;
            this.predictedAt = predictedAt;
            this.sequence = sequence;
        }

        Joined<P> joined() {
            return new Joined<>(id, payload, predictedClass, label, predictedAt, labelledAt, labelEventTime, sequence);
        }
    }

    private final JoinerSettings settings;
    private final LongSupplier clock;
    private final long ttlMs;
    private final long maxWaitMs;
    /** Waiting predictions in prediction order. */
    private final LinkedHashMap<String, Entry<P>> pending = new LinkedHashMap<>();
    /** Labelled entries still pending, in label-arrival order (lazily pruned via {@code gone}). */
    private final ArrayDeque<Entry<P>> waiting = new ArrayDeque<>();
    /** Labelled entries evicted by the size bound, released at the next drain. */
    private final List<Entry<P>> evictedLabelled = new ArrayList<>();
    private final LinkedHashMap<String, Tomb> tombs;
    private long sequence;
    private long predictions;
    private long duplicatePredictions;
    private long matched;
    private long duplicateLabels;
    private long lateLabels;
    private long unknownLabels;
    private long expired;
    private long evicted;
    private long released;
    private long releasedOutOfOrder;

    /**
     * @param clockMs the current time in ms (e.g. {@code System::currentTimeMillis}, or a stream's
     *     event time in replays); must not go backwards
     */
    public FeedbackJoiner(JoinerSettings settings, LongSupplier clockMs) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clockMs, "clockMs");
        this.ttlMs = settings.ttl().toMillis();
        this.maxWaitMs = settings.maxWait().toMillis();
        int cap = settings.maxPending();
        this.tombs = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Tomb> eldest) {
                return size() > cap;
            }
        };
    }

    /** The settings. */
    public JoinerSettings settings() {
        return settings;
    }

    /**
     * Remembers a published prediction. A second prediction for an id that is still waiting is
     * ignored (the first one was published first) and counted.
     *
     * @return false when the id was already waiting
     */
    public boolean predicted(String id, P payload, int predictedClass) {
        Objects.requireNonNull(id, "id");
        long now = clock.getAsLong();
        if (pending.containsKey(id)) {
            duplicatePredictions++;
            return false;
        }
        predictions++;
        // A re-used id starts afresh: its old tombstone no longer describes it.
        tombs.remove(id);
        pending.put(id, new Entry<>(id, payload, predictedClass, now, sequence++));
        while (pending.size() > settings.maxPending()) {
            Iterator<Entry<P>> it = pending.values().iterator();
            Entry<P> oldest = it.next();
            it.remove();
            oldest.gone = true;
            if (oldest.label >= 0) {
                evictedLabelled.add(oldest);
                tombs.put(oldest.id, Tomb.RELEASED);
            } else {
                evicted++;
                tombs.put(oldest.id, Tomb.EVICTED);
            }
        }
        return true;
    }

    /**
     * Joins a label to its prediction.
     *
     * @param label the true class, >= 0
     * @param eventTimeMs the label's event time, carried into {@link Joined}
     */
    public LabelOutcome labelled(String id, int label, long eventTimeMs) {
        Objects.requireNonNull(id, "id");
        if (label < 0) {
            throw new IllegalArgumentException("label must be >= 0, got " + label);
        }
        long now = clock.getAsLong();
        Entry<P> e = pending.get(id);
        if (e != null) {
            if (e.label >= 0) {
                duplicateLabels++;
                return LabelOutcome.DUPLICATE;
            }
            if (now - e.predictedAt > ttlMs) {
                pending.remove(id);
                e.gone = true;
                expired++;
                lateLabels++;
                tombs.put(id, Tomb.EXPIRED);
                return LabelOutcome.LATE;
            }
            e.label = label;
            e.labelledAt = now;
            e.labelEventTime = eventTimeMs;
            waiting.addLast(e);
            if (waiting.size() > 2 * pending.size() + 16) {
                // Entries released in order stay in the arrival queue until they reach its head;
                // compact so that it never holds more than about twice the pending bound.
                waiting.removeIf(w -> w.gone);
            }
            matched++;
            return LabelOutcome.MATCHED;
        }
        Tomb t = tombs.get(id);
        if (t == Tomb.RELEASED) {
            duplicateLabels++;
            return LabelOutcome.DUPLICATE;
        }
        if (t != null) {
            lateLabels++;
            return LabelOutcome.LATE;
        }
        unknownLabels++;
        return LabelOutcome.UNKNOWN;
    }

    /**
     * Expires old unlabelled predictions and returns the matched examples that are ready, sorted
     * by prediction order (see the class comment for when an example is ready).
     */
    public List<Joined<P>> drain() {
        long now = clock.getAsLong();
        List<Joined<P>> out = new ArrayList<>();
        for (Entry<P> e : evictedLabelled) {
            out.add(e.joined());
        }
        released += evictedLabelled.size();
        evictedLabelled.clear();
        // In order: release labelled heads, drop expired unlabelled heads, stop at the first
        // unlabelled prediction that may still get its label.
        Iterator<Entry<P>> it = pending.values().iterator();
        while (it.hasNext()) {
            Entry<P> head = it.next();
            if (head.label >= 0) {
                it.remove();
                head.gone = true;
                tombs.put(head.id, Tomb.RELEASED);
                out.add(head.joined());
                released++;
            } else if (now - head.predictedAt > ttlMs) {
                it.remove();
                head.gone = true;
                tombs.put(head.id, Tomb.EXPIRED);
                expired++;
            } else {
                break;
            }
        }
        // Out of order: matches blocked by an earlier unlabelled prediction for maxWait or longer.
        List<Entry<P>> overdue = new ArrayList<>();
        while (!waiting.isEmpty()) {
            Entry<P> w = waiting.peekFirst();
            if (w.gone) {
                waiting.removeFirst();
            } else if (now - w.labelledAt >= maxWaitMs) {
                waiting.removeFirst();
                overdue.add(w);
            } else {
                break;
            }
        }
        if (!overdue.isEmpty()) {
            overdue.sort(Comparator.comparingLong(e -> e.sequence));
            for (Entry<P> w : overdue) {
                pending.remove(w.id);
                w.gone = true;
                tombs.put(w.id, Tomb.RELEASED);
                out.add(w.joined());
            }
            released += overdue.size();
            releasedOutOfOrder += overdue.size();
        }
        return out;
    }

    /** The number of predictions held now. */
    public int pending() {
        return pending.size();
    }

    /** The counters. */
    public Stats stats() {
        return new Stats(predictions, duplicatePredictions, matched, duplicateLabels, lateLabels, unknownLabels,
                expired, evicted, released, releasedOutOfOrder, pending.size());
    }

    /** Forgets every prediction and tombstone and zeroes the counters (e.g. after a model reset). */
    public void clear() {
        pending.clear();
        waiting.clear();
        evictedLabelled.clear();
        tombs.clear();
        predictions = duplicatePredictions = matched = duplicateLabels = lateLabels = unknownLabels = 0;
        expired = evicted = released = releasedOutOfOrder = 0;
    }
}
