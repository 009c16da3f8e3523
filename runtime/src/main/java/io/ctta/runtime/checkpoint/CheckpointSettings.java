package io.ctta.runtime.checkpoint;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

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
 * }
 * </pre>
 *
 * <p>A checkpoint is also written on shutdown and on partition revoke, whatever these say.
 *
 * @param dir the root directory, or {@code null} when checkpoints are off
 * @param keep committed checkpoints kept per pipeline, at least 1
 * @param everyRecords records between checkpoints, 0 for no count trigger
 * @param interval time between checkpoints, {@link Duration#ZERO} for no time trigger
 */
public record CheckpointSettings(Path dir, int keep, long everyRecords, Duration interval) {

    /** Default of {@code keep}. */
    public static final int DEFAULT_KEEP = FileCheckpointStore.DEFAULT_KEEP;
    /** Default of {@code every-records}. */
    public static final long DEFAULT_EVERY_RECORDS = 10_000;
    /** Default of {@code interval}. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);

    public CheckpointSettings {
        Objects.requireNonNull(interval, "interval");
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

    /** Whether checkpoints are written at all. */
    public boolean enabled() {
        return dir != null;
    }

    /**
     * Reads {@code prefix} (e.g. {@code ctta.checkpoints}) from {@code config}; absent keys take the
     * defaults, and every error message names the full key, the value and what is expected.
     */
    public static CheckpointSettings fromConfig(Config config, String prefix) {
        Config c = config.hasPath(prefix) ? config.getConfig(prefix) : com.typesafe.config.ConfigFactory.empty();
        String dir = get(c, prefix, "dir", "a path (or \"\" for no checkpoints)", "", Config::getString);
        long keep = get(c, prefix, "keep", "an integer >= 1", (long) DEFAULT_KEEP, Config::getLong);
        require(keep >= 1 && keep <= 10_000, prefix, "keep", "an integer in [1, 10000]", keep);
        long every = get(c, prefix, "every-records", "an integer >= 0", DEFAULT_EVERY_RECORDS, Config::getLong);
        require(every >= 0, prefix, "every-records", "an integer >= 0 (0: not by count)", every);
        Duration interval = get(c, prefix, "interval", "a duration such as 60s (0: not by time)", DEFAULT_INTERVAL,
                Config::getDuration);
        require(!interval.isNegative(), prefix, "interval", "a duration >= 0", interval);
        return new CheckpointSettings(dir.isBlank() ? null : Path.of(dir), (int) keep, every, interval);
    }

    private interface Getter<T> {
        T get(Config c, String key);
    }

    private static <T> T get(Config c, String prefix, String key, String expected, T def, Getter<T> g) {
        if (!c.hasPath(key)) {
            return def;
        }
        try {
            return g.get(c, key);
        } catch (ConfigException e) {
            throw new IllegalArgumentException(prefix + "." + key + " must be " + expected + ", got '"
                    + c.getValue(key).unwrapped() + "'", e);
        }
    }

    private static void require(boolean ok, String prefix, String key, String rule, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(prefix + "." + key + " must be " + rule + ", got " + value);
        }
    }
}
