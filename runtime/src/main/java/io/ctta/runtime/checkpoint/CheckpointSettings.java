package io.ctta.runtime.checkpoint;

import com.typesafe.config.Config;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import io.ctta.runtime.config.Setting;
import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.ConfigProblems;
import io.ctta.runtime.config.ConfigReader;
import io.ctta.runtime.config.SettingValues;

/**
 * When and where a model actor checkpoints. Suggested place in the configuration:
 * {@code ctta.checkpoints}; every key is optional.
 *
 * <pre>
 * checkpoints {
 *   dir = ""              # root directory; one sub-directory per pipeline. Empty: no checkpoints
 *   keep = 3              # committed checkpoints kept per pipeline (the newest and its fallbacks)
 *   every-records = 10000 # checkpoint after this many records since the last one; 0: not by count
 *   interval = 60s        # checkpoint when this much time passed since the last one; 0: not by time
 *   store = file          # file: under dir (one node or a shared disk); kafka: in a compacted topic
 *   topic = "ctta-checkpoint-store" # store = kafka: the compacted topic of every pipeline's checkpoints
 * }
 * </pre>
 *
 * <p>A checkpoint is also written on shutdown and on partition revoke, whatever these say.
 *
 * @param dir the root directory, or {@code null} when checkpoints are off
 * @param keep committed checkpoints kept per pipeline, at least 1
 * @param everyRecords records between checkpoints, 0 for no count trigger
 * @param interval time between checkpoints, {@link Duration#ZERO} for no time trigger
 * @param store where checkpoints are kept
 * @param topic the compacted topic when {@code store} is {@link Store#KAFKA}
 */
public record CheckpointSettings(Path dir, int keep, long everyRecords, Duration interval, Store store, String topic) {

    /** Where checkpoints are kept. */
    public enum Store {
        /** {@link FileCheckpointStore} under {@code dir}: a single node, or nodes sharing a disk. */
        FILE,
        /** A Kafka-backed store in {@code topic}: no shared disk needed. */
        KAFKA
    }

    /** Default of {@code keep}. */
    public static final int DEFAULT_KEEP = FileCheckpointStore.DEFAULT_KEEP;
    /** Default of {@code every-records}. */
    public static final long DEFAULT_EVERY_RECORDS = 10_000;
    /** Default of {@code interval}. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    /**
     * Default of {@code topic}. Not "ctta.checkpoints": a pipeline named "ctta" owns that name
     * (exactly-once output's per-pipeline "&lt;pipeline&gt;.checkpoints" topic).
     */
    public static final String DEFAULT_TOPIC = "ctta-checkpoint-store";

    /** {@code dir}: empty means no checkpoints. */
    public static final Setting<String> DIR = Setting.string("dir", "", "root directory, one sub-directory per pipeline; empty: no checkpoints");
    public static final Setting<Integer> KEEP = Setting.integer("keep", DEFAULT_KEEP, 1, 10_000,
            "committed checkpoints kept per pipeline (the newest and its fallbacks)");
    public static final Setting<Long> EVERY_RECORDS = Setting.longInteger("every-records", DEFAULT_EVERY_RECORDS, 0, Long.MAX_VALUE,
            "write one after this many records since the last; 0: not by count");
    public static final Setting<Duration> INTERVAL = Setting.duration("interval", DEFAULT_INTERVAL,
            "write one after this much time; 0: not by time; always on shutdown");

    public static final Setting<String> STORE = Setting.oneOf("store", "file",
            "file: under dir, for one node (or a shared disk); kafka: in a compacted topic, no shared disk", "file", "kafka");
    public static final Setting<String> TOPIC = Setting.string("topic", DEFAULT_TOPIC,
            "store = kafka: the compacted topic holding every pipeline's checkpoints (created when missing)");

    /** The declared settings of the {@code checkpoints} block. */
    public static final SettingsSchema SCHEMA = SettingsSchema.builder(
            "checkpoints: the model and strategy state with the next offset of every partition it reflects (docs/checkpoints.md)")
            .add(DIR).add(KEEP).add(EVERY_RECORDS).add(INTERVAL).add(STORE).add(TOPIC).build();

    /** A file store (or none, when {@code dir} is {@code null}). */
    public CheckpointSettings(Path dir, int keep, long everyRecords, Duration interval) {
        this(dir, keep, everyRecords, interval, Store.FILE, DEFAULT_TOPIC);
    }

    public CheckpointSettings {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(topic, "topic");
        if (store == Store.KAFKA && topic.isBlank()) {
            throw new IllegalArgumentException("ctta.checkpoints.topic must name a Kafka topic when ctta.checkpoints.store = kafka");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        if (everyRecords < 0) {
            throw new IllegalArgumentException("every-records must be >= 0, got " + everyRecords);
        }
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must be >= 0, got " + interval);
        }
    }

    /** Checkpoints off; the other values are the defaults. */
    public static CheckpointSettings disabled() {
        return new CheckpointSettings(null, DEFAULT_KEEP, DEFAULT_EVERY_RECORDS, DEFAULT_INTERVAL);
    }

    /** Whether checkpoints are written at all: a Kafka store needs no directory. */
    public boolean enabled() {
        return store == Store.KAFKA || dir != null;
    }

    /** The same settings with another {@code keep} and {@code interval}. */
    public CheckpointSettings with(int keep, Duration interval) {
        return new CheckpointSettings(dir, keep, everyRecords, interval, store, topic);
    }

    /**
     * Reads {@code prefix} (e.g. {@code ctta.checkpoints}) from {@code config} through {@link #SCHEMA};
     * absent keys take the defaults.
     *
     * @throws IllegalArgumentException naming every bad or unknown key, its value and what is expected
     */
    public static CheckpointSettings fromConfig(Config config, String prefix) {
        Config c = config.hasPath(prefix) ? config.getConfig(prefix) : com.typesafe.config.ConfigFactory.empty();
        ConfigProblems problems = new ConfigProblems();
        SettingValues v = ConfigReader.read(c, SCHEMA, prefix, problems);
        ConfigProblems.throwIfAny(problems);
        return from(v);
    }

    /** The settings {@link ConfigReader} read through {@link #SCHEMA}. */
    public static CheckpointSettings from(SettingValues v) {
        String dir = v.get(DIR);
        return new CheckpointSettings(dir.isBlank() ? null : Path.of(dir), v.get(KEEP), v.get(EVERY_RECORDS), v.get(INTERVAL),
                Store.valueOf(v.get(STORE).toUpperCase(java.util.Locale.ROOT)), v.get(TOPIC));
    }
}
