package io.ctta.actors.model;

import io.ctta.actors.metrics.KeyStateMetrics;
import io.ctta.runtime.adapt.AdaptationStrategy;
import io.ctta.runtime.adapt.KeyScopedState;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.SectionReader;
import io.ctta.runtime.checkpoint.SectionWriter;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One adaptation state per record key over the model actor's one network ({@code scope = key},
 * docs/scopes.md). A batch is split into groups by key (first appearance first, records without a
 * key share the key {@code ""}); each group is served with its key's state loaded, and the outputs
 * are put back in the batch's order.
 *
 * <p>At most {@code maxResident} states are held in memory (an LRU; the key loaded in the strategy
 * counts). The least recently used one is evicted to an immutable file ({@link KeyStateSpill}) and
 * read back on its key's next record; a key never seen starts from the source state.
 *
 * <p>Consistency with checkpoints: a checkpoint's section {@value #SECTION} holds every resident
 * state and, for every evicted key, the name of its file. Files are never rewritten and are fsynced
 * before the checkpoint naming them is stored, so restoring checkpoint C gives every key its state
 * as of C, never a later one. A file is deleted only when neither the live index, nor a capture
 * waiting to be stored, nor one of the last {@code keep} stored checkpoints names it, and only once
 * this incarnation stored {@code keep} checkpoints itself (before that the store may hold older
 * ones that name files it does not know about); the first such sweep also removes what crashed
 * incarnations left.
 *
 * <p>Confined to the model actor's thread, except {@link KeyStateSpill#fsync}.
 */
public final class KeyedStates implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KeyedStates.class);

    /** The checkpoint section holding the key states. */
    public static final String SECTION = "pipeline.key-states";
    private static final String KIND = "key-states";

    /**
     * @param maxResident states held in memory at most ({@code key-states.max-resident})
     * @param dir where evicted states are written; null: a temporary directory (no checkpoints)
     * @param keep checkpoints the store retains ({@code ctta.checkpoints.keep}); 0 without checkpoints
     */
    public record Settings(String pipeline, int maxResident, Path dir, int keep) {
        public Settings {
            if (maxResident < 1) {
                throw new IllegalArgumentException("key-states.max-resident must be at least 1, got " + maxResident);
            }
        }
    }

    private final Settings settings;
    private final KeyStateSpill spill;
    private final KeyStateMetrics metrics;
    /** Resident states, least recently used first; the loaded key maps to null (its state is in the strategy). */
    private final LinkedHashMap<String, StrategyState> resident = new LinkedHashMap<>(16, 0.75f, true);
    /** Evicted keys and the file holding each one's state. */
    private final Map<String, String> spilled = new HashMap<>();
    private KeyScopedState scoped;
    private String loaded;

    /** Files named by captures not yet stored, by capture token. */
    private final TreeMap<Long, Set<String>> captured = new TreeMap<>();
    /** Files named by the last {@code keep} stored checkpoints, oldest first. */
    private final ArrayDeque<Set<String>> retained = new ArrayDeque<>();
    /** Files written since they were last named by a capture: fsynced before that capture is stored. */
    private final Set<String> unsynced = new HashSet<>();
    /** Files that may exist and are not known to be needed: the candidates of the next sweep. */
    private final Set<String> candidates = new HashSet<>();
    private int storedThisIncarnation;
    private boolean swept;

    public KeyedStates(Settings settings, KeyStateMetrics metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.spill = new KeyStateSpill(settings.dir(), settings.pipeline());
        publishSizes();
    }

    /**
     * Serves the strategy's states from now on, each key from the source state (a new strategy:
     * start, restart, switch); the states of a previous strategy are forgotten.
     *
     * @throws IllegalArgumentException when the strategy cannot keep a state per key
     */
    public void bind(AdaptationStrategy strategy) {
        scoped = strategy.keyScopedState().orElseThrow(() -> new IllegalArgumentException("scope = key: strategy " + strategy.name()
                + " adapts more than a small part of the network and keeps no state per key; use scope = pipeline,"
                + " or a strategy that supports key scope (docs/scopes.md)"));
        resetAll();
    }

    /**
     * Predicts {@code batch} group by group, each key's state loaded.
     *
     * @param keys the record key of each sample (null: all share the key {@code ""})
     */
    public ModelOutput serve(InputBatch batch, List<String> keys, Function<InputBatch, ModelOutput> predict) {
        LinkedHashMap<String, List<Integer>> groups = new LinkedHashMap<>();
        for (int i = 0; i < batch.size(); i++) {
            String k = keys == null || keys.get(i) == null ? "" : keys.get(i);
            groups.computeIfAbsent(k, x -> new ArrayList<>()).add(i);
        }
        if (groups.size() == 1) {
            activate(groups.keySet().iterator().next());
            return predict.apply(batch);
        }
        int per = batch.sampleLength();
        float[] probabilities = null;
        int classes = 0;
        long version = 0;
        List<StepOutcome> steps = new ArrayList<>(groups.size());
        List<Integer> sizes = new ArrayList<>(groups.size());
        for (Map.Entry<String, List<Integer>> g : groups.entrySet()) {
            List<Integer> rows = g.getValue();
            float[] f = new float[rows.size() * per];
            for (int j = 0; j < rows.size(); j++) {
                System.arraycopy(batch.features(), rows.get(j) * per, f, j * per, per);
            }
            activate(g.getKey());
            ModelOutput out = predict.apply(new InputBatch(rows.size(), batch.sampleShape(), f));
            if (probabilities == null) {
                classes = out.numClasses();
                probabilities = new float[batch.size() * classes];
            }
            for (int j = 0; j < rows.size(); j++) {
                System.arraycopy(out.probabilities(), j * classes, probabilities, rows.get(j) * classes, classes);
            }
            version = Math.max(version, out.modelVersion());
            steps.add(out.step());
            sizes.add(rows.size());
        }
        return new ModelOutput(batch.size(), classes, probabilities, version, merge(steps, sizes));
    }

    /**
     * The outcome of a batch served in groups: diverged if any group diverged (the guards count
     * it), else applied if any group was, else skipped if any was; the loss is the size-weighted
     * mean of the finite ones.
     */
    static StepOutcome merge(List<StepOutcome> steps, List<Integer> sizes) {
        StepOutcome.Kind kind = StepOutcome.Kind.NONE;
        double loss = 0;
        long weight = 0;
        String detail = "";
        for (int i = 0; i < steps.size(); i++) {
            StepOutcome s = steps.get(i);
            if (rank(s.kind()) > rank(kind)) {
                kind = s.kind();
                detail = s.detail();
            }
            if (Double.isFinite(s.loss())) {
                loss += s.loss() * sizes.get(i);
                weight += sizes.get(i);
            }
        }
        if (kind == StepOutcome.Kind.DIVERGED) {
            return StepOutcome.diverged(Double.NaN, detail + " (one of " + steps.size() + " keys)");
        }
        double mean = weight == 0 ? Double.NaN : loss / weight;
        return new StepOutcome(kind, mean, kind == StepOutcome.Kind.NONE ? "" : steps.size() + " keys");
    }

    private static int rank(StepOutcome.Kind k) {
        return switch (k) {
            case NONE -> 0;
            case SKIPPED -> 1;
            case APPLIED -> 2;
            case DIVERGED -> 3;
        };
    }

    /** Makes {@code key}'s state the strategy's: parks the loaded one, loads or starts the key's, evicts beyond the bound. */
    private void activate(String key) {
        if (key.equals(loaded)) {
            resident.get(key); // most recently used
            return;
        }
        if (loaded != null) {
            StrategyState parked = scoped.capture();
            metrics.stateBytes(KeyScopedState.bytes(parked));
            resident.put(loaded, parked);
        }
        StrategyState state = resident.get(key);
        if (state != null) {
            scoped.load(state);
        } else {
            String file = spilled.remove(key);
            if (file != null) {
                try {
                    scoped.load(spill.read(file, key));
                    metrics.loaded();
                } catch (IOException | RuntimeException e) {
                    LOG.warn("pipeline {}: the state of a key could not be read back ({}): that key starts again from the source state",
                            settings.pipeline(), e.getMessage());
                    metrics.lost();
                    scoped.resetToSource();
                }
                superseded(file); // after the read: without checkpoints it deletes the file
            } else {
                scoped.resetToSource();
            }
        }
        resident.put(key, null);
        loaded = key;
        while (resident.size() > settings.maxResident()) {
            Iterator<Map.Entry<String, StrategyState>> eldest = resident.entrySet().iterator();
            Map.Entry<String, StrategyState> e = eldest.next();
            // The loaded key is the most recent: with max-resident >= 1 it is never the eldest here.
            String file = spill.write(e.getKey(), e.getValue());
            eldest.remove();
            spilled.put(e.getKey(), file);
            unsynced.add(file);
            metrics.evicted();
        }
        publishSizes();
    }

    /** A file no longer named by the live index: deleted now without checkpoints, else by a later sweep. */
    private void superseded(String file) {
        unsynced.remove(file);
        if (settings.keep() == 0) {
            spill.delete(file);
        } else {
            candidates.add(file);
        }
    }

    /**
     * The checkpoint section of every key's state as of now (the loaded key's captured from the
     * strategy, which keeps it loaded), remembered as capture {@code token} for the sweep and fsync.
     */
    Map<String, byte[]> section(long token) {
        SectionWriter w = new SectionWriter(KIND, 1);
        w.i32(resident.size());
        for (Map.Entry<String, StrategyState> e : resident.entrySet()) {
            StrategyState s = e.getValue();
            if (s == null) {
                s = scoped.capture();
                metrics.stateBytes(KeyScopedState.bytes(s));
            }
            w.str(e.getKey()).blob(KeyScopedState.encode(s));
        }
        w.i32(spilled.size());
        Set<String> files = new HashSet<>(spilled.size());
        spilled.forEach((k, f) -> {
            w.str(k).str(f);
            files.add(f);
        });
        captured.put(token, files);
        return Map.of(SECTION, w.toBytes());
    }

    /** The files capture {@code token} names that were never fsynced: to fsync before it is stored. */
    List<String> toSync(long token) {
        Set<String> files = captured.getOrDefault(token, Set.of());
        List<String> out = new ArrayList<>();
        for (String f : files) {
            if (unsynced.contains(f)) {
                out.add(f);
            }
        }
        return out;
    }

    /** Where the files are, for {@link KeyStateSpill#fsync}. */
    Path dir() {
        return spill.dir();
    }

    /** Capture {@code token} was stored: it and the older ones are no longer pending; sweep. */
    void stored(long token) {
        Set<String> files = captured.remove(token);
        captured.headMap(token).clear();
        if (files != null) {
            unsynced.removeAll(files); // fsynced before the store
        }
        retained.addLast(files == null ? Set.of() : files);
        while (retained.size() > Math.max(1, settings.keep())) {
            retained.removeFirst();
        }
        storedThisIncarnation++;
        sweep();
    }

    /** The captures waiting to be stored were dropped (rewind, rollback, switch). */
    void dropCaptures() {
        captured.clear();
    }

    /** Deletes the files nothing can need any more (see the class comment). */
    private void sweep() {
        if (storedThisIncarnation < settings.keep()) {
            return;
        }
        if (!swept) {
            swept = true;
            candidates.addAll(spill.list()); // what crashed incarnations left
        }
        Set<String> needed = new HashSet<>(spilled.values());
        captured.values().forEach(needed::addAll);
        retained.forEach(needed::addAll);
        for (Iterator<String> it = candidates.iterator(); it.hasNext();) {
            String f = it.next();
            if (!needed.contains(f)) {
                spill.delete(f);
                unsynced.remove(f);
                it.remove();
            }
        }
    }

    /**
     * Every key back to the source state (reset, collapse, a rewind without checkpoint). The
     * files of evicted states are left to the sweep: checkpoints may name them.
     */
    void resetAll() {
        spilled.values().forEach(this::superseded);
        spilled.clear();
        resident.clear();
        loaded = null;
        publishSizes();
    }

    /**
     * The key states of checkpoint {@code c} (after the strategy was restored from it): its
     * resident states in memory, its evicted ones in the files it names. A checkpoint without the
     * section (written with scope = pipeline) starts every key from the source state.
     */
    void restore(Optional<Checkpoint> c) {
        resetAll();
        byte[] blob = c.map(x -> x.extra(SECTION)).orElse(null);
        if (blob == null) {
            if (c.isPresent()) {
                LOG.info("pipeline {}: checkpoint {} holds no key states: every key starts from the source state",
                        settings.pipeline(), c.get().sequence());
            }
            return;
        }
        try {
            SectionReader r = new SectionReader(blob, KIND, 1);
            int n = r.count(8);
            LinkedHashMap<String, StrategyState> states = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                states.put(r.str(), KeyScopedState.decode(r.blob()));
            }
            int m = r.count(8);
            Map<String, String> files = new HashMap<>();
            for (int i = 0; i < m; i++) {
                files.put(r.str(), r.str());
            }
            r.end();
            resident.putAll(states);
            spilled.putAll(files);
            files.values().forEach(candidates::remove);
        } catch (IllegalArgumentException bad) {
            resetAll();
            LOG.warn("pipeline {}: checkpoint {}: the key states cannot be read ({}): every key starts from the source state",
                    settings.pipeline(), c.get().sequence(), bad.getMessage());
        }
        // More resident than the bound (max-resident lowered since): evict at the next activation.
        publishSizes();
    }

    /** The evicted keys and their files named by a checkpoint's section (for tools and tests). */
    public static Map<String, String> filesNamedBy(byte[] section) {
        SectionReader r = new SectionReader(section, KIND, 1);
        int n = r.count(8);
        for (int i = 0; i < n; i++) {
            r.str();
            r.blob();
        }
        int m = r.count(8);
        Map<String, String> files = new HashMap<>();
        for (int i = 0; i < m; i++) {
            files.put(r.str(), r.str());
        }
        r.end();
        return files;
    }

    private void publishSizes() {
        metrics.sizes(resident.size(), spilled.size());
    }

    public int residentCount() {
        return resident.size();
    }

    public int spilledCount() {
        return spilled.size();
    }

    @Override
    public void close() {
        spill.close();
    }
}
