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

    /** The section kind of {@link #snapshot}. */
    public static final String SECTION = "feedback-joiner";

    /** How a payload is written into and read from a checkpoint section. */
    public interface PayloadCodec<P> {
        void write(io.ctta.runtime.checkpoint.SectionWriter out, P payload);

        P read(io.ctta.runtime.checkpoint.SectionReader in);
    }

    /** Feature vectors, the payload the model actor keeps. */
    public static final PayloadCodec<float[]> FLOATS = new PayloadCodec<>() {
        @Override
        public void write(io.ctta.runtime.checkpoint.SectionWriter out, float[] payload) {
            out.floats(payload);
        }

        @Override
        public float[] read(io.ctta.runtime.checkpoint.SectionReader in) {
            return in.floats();
        }
    };

    /**
     * Everything the joiner holds, as a checkpoint section: the waiting predictions in prediction
     * order with their labels, the label-arrival order, the tombstones and the counters. Times are
     * written as <em>ages</em> (how long before this snapshot a prediction was made or labelled),
     * not as clock readings: a restore rebases them on its own clock, so the TTL and max-wait count
     * the time the pipeline ran, not the time it was down or the difference between two hosts'
     * clocks (labels that arrived while it was down wait in Kafka and are read after the restart).
     */
    public byte[] snapshot(PayloadCodec<P> codec) {
        long now = clock.getAsLong();
        io.ctta.runtime.checkpoint.SectionWriter out = new io.ctta.runtime.checkpoint.SectionWriter(SECTION, 1);
        out.i64(sequence);
        for (long c : new long[] {predictions, duplicatePredictions, matched, duplicateLabels, lateLabels, unknownLabels, expired, evicted,
                released, releasedOutOfOrder}) {
            out.i64(c);
        }
        out.i32(pending.size());
        for (Entry<P> e : pending.values()) {
            writeEntry(out, e, now, codec);
        }
        out.i32(evictedLabelled.size());
        for (Entry<P> e : evictedLabelled) {
            writeEntry(out, e, now, codec);
        }
        List<String> labelOrder = new ArrayList<>();
        for (Entry<P> w : waiting) {
            if (!w.gone) {
                labelOrder.add(w.id);
            }
        }
        out.i32(labelOrder.size());
        labelOrder.forEach(out::str);
        out.i32(tombs.size());
        tombs.forEach((id, t) -> out.str(id).i32(t.ordinal()));
        return out.toBytes();
    }

    private static <P> void writeEntry(io.ctta.runtime.checkpoint.SectionWriter out, Entry<P> e, long now, PayloadCodec<P> codec) {
        out.str(e.id).i32(e.predictedClass).i64(e.sequence).i64(now - e.predictedAt).i32(e.label);
        if (e.label >= 0) {
            out.i64(now - e.labelledAt).i64(e.labelEventTime);
        }
        codec.write(out, e.payload);
    }

    private Entry<P> readEntry(io.ctta.runtime.checkpoint.SectionReader in, long now, PayloadCodec<P> codec) {
        String id = in.str();
        int predictedClass = in.i32();
        long seq = in.i64();
        long age = in.i64();
        int label = in.i32();
        long labelAge = 0;
        long labelEvent = 0;
        if (label >= 0) {
            labelAge = in.i64();
            labelEvent = in.i64();
        }
        Entry<P> e = new Entry<>(id, codec.read(in), predictedClass, now - age, seq);
        if (label >= 0) {
            e.label = label;
            e.labelledAt = now - labelAge;
            e.labelEventTime = labelEvent;
        }
        return e;
    }

    /**
     * Replaces everything by a {@link #snapshot}, with its ages rebased on this joiner's clock.
     *
     * @throws IllegalArgumentException when the section is malformed; the joiner is then unchanged
     */
    public void restore(byte[] snapshot, PayloadCodec<P> codec) {
        long now = clock.getAsLong();
        io.ctta.runtime.checkpoint.SectionReader in = new io.ctta.runtime.checkpoint.SectionReader(snapshot, SECTION, 1);
        long seq = in.i64();
        long[] counters = new long[10];
        for (int i = 0; i < counters.length; i++) {
            counters[i] = in.i64();
        }
        LinkedHashMap<String, Entry<P>> p = new LinkedHashMap<>();
        for (int i = in.count(24); i > 0; i--) {
            Entry<P> e = readEntry(in, now, codec);
            if (p.put(e.id, e) != null) {
                throw in.corrupt("prediction '" + e.id + "' is listed twice");
            }
        }
        List<Entry<P>> ev = new ArrayList<>();
        for (int i = in.count(24); i > 0; i--) {
            Entry<P> e = readEntry(in, now, codec);
            e.gone = true;
            ev.add(e);
        }
        ArrayDeque<Entry<P>> w = new ArrayDeque<>();
        for (int i = in.count(4); i > 0; i--) {
            String id = in.str();
            Entry<P> e = p.get(id);
            if (e == null || e.label < 0) {
                throw in.corrupt("label order names '" + id + "', which is not a labelled waiting prediction");
            }
            w.addLast(e);
        }
        Map<String, Tomb> t = new LinkedHashMap<>();
        Tomb[] kinds = Tomb.values();
        for (int i = in.count(8); i > 0; i--) {
            String id = in.str();
            int k = in.i32();
            if (k < 0 || k >= kinds.length) {
                throw in.corrupt("tombstone kind " + k);
            }
            t.put(id, kinds[k]);
        }
        in.end();
        clear();
        pending.putAll(p);
        evictedLabelled.addAll(ev);
        waiting.addAll(w);
        tombs.putAll(t);
        sequence = seq;
        predictions = counters[0];
        duplicatePredictions = counters[1];
        matched = counters[2];
        duplicateLabels = counters[3];
        lateLabels = counters[4];
        unknownLabels = counters[5];
        expired = counters[6];
        evicted = counters[7];
        released = counters[8];
        releasedOutOfOrder = counters[9];
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
