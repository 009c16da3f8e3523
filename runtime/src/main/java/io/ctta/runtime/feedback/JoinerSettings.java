package io.ctta.runtime.feedback;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;
import java.util.Objects;

/**
 * Bounds and timing of a {@link FeedbackJoiner}.
 *
 * @param ttl how long a prediction waits for its label; older unlabelled predictions expire and a
 *     label arriving for them later is counted as late (default 15 minutes)
 * @param maxPending the most predictions kept (labelled or not); beyond it the oldest is evicted
 *     (default 100,000)
 * @param maxWait how long a matched example waits for the labels of earlier predictions before it
 *     is released out of prediction order; {@code 0} releases every match at the next drain
 *     (default 5 seconds)
 */
public record JoinerSettings(Duration ttl, int maxPending, Duration maxWait) {

    public JoinerSettings {
        Objects.requireNonNull(ttl, "ttl");
        Objects.requireNonNull(maxWait, "maxWait");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be > 0, got " + ttl);
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException("maxPending must be >= 1, got " + maxPending);
        }
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must be >= 0, got " + maxWait);
        }
    }

    /** The defaults: ttl 15 min, 100,000 pending predictions, max-wait 5 s. */
    public static JoinerSettings defaults() {
        return new JoinerSettings(Duration.ofMinutes(15), 100_000, Duration.ofSeconds(5));
    }

    /**
     * Reads {@code ttl}, {@code max-pending} and {@code max-wait} from {@code c}; missing keys take
     * the defaults. Messages name the full key, e.g. "ctta.feedback.ttl must be > 0, got PT0S".
     *
     * @param prefix the path users write for {@code c}, e.g. {@code ctta.feedback}
     */
    public static JoinerSettings fromConfig(Config c, String prefix) {
        JoinerSettings d = defaults();
        Duration ttl = duration(c, prefix, "ttl", d.ttl());
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException(prefix + ".ttl must be > 0, got " + ttl);
        }
        int maxPending = d.maxPending();
        if (c.hasPath("max-pending")) {
            try {
                maxPending = c.getInt("max-pending");
            } catch (ConfigException.WrongType e) {
                throw new IllegalArgumentException(prefix + ".max-pending must be an integer, got '"
                        + c.getValue("max-pending").unwrapped() + "'", e);
            }
        }
        if (maxPending < 1) {
            throw new IllegalArgumentException(prefix + ".max-pending must be >= 1, got " + maxPending);
        }
        Duration maxWait = duration(c, prefix, "max-wait", d.maxWait());
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException(prefix + ".max-wait must be >= 0, got " + maxWait);
        }
        return new JoinerSettings(ttl, maxPending, maxWait);
    }

    private static Duration duration(Config c, String prefix, String key, Duration def) {
        if (!c.hasPath(key)) {
            return def;
        }
        try {
            return c.getDuration(key);
        } catch (ConfigException.BadValue | ConfigException.WrongType e) {
            throw new IllegalArgumentException(prefix + "." + key + " must be a duration such as 30s or 10m, got '"
                    + c.getValue(key).unwrapped() + "'", e);
        }
    }
}
