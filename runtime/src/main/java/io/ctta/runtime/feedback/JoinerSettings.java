package io.ctta.runtime.feedback;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Objects;
import io.ctta.runtime.config.Setting;
import io.ctta.runtime.config.SettingsSchema;
import io.ctta.runtime.config.ConfigProblems;
import io.ctta.runtime.config.ConfigReader;
import io.ctta.runtime.config.SettingValues;

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

    public static final Setting<Duration> TTL = Setting.positiveDuration("ttl", Duration.ofMinutes(15),
            "predictions wait this long for their label");
    public static final Setting<Integer> MAX_PENDING = Setting.integer("max-pending", 100_000, 1, Integer.MAX_VALUE,
            "at most this many predictions wait at once (oldest dropped)");
    public static final Setting<Duration> MAX_WAIT = Setting.duration("max-wait", Duration.ofSeconds(5),
            "a matched example waits at most this long for earlier predictions' labels (stream order)");

    /** The declared settings the joiner reads from a pipeline's {@code feedback} block. */
    public static final SettingsSchema SCHEMA = SettingsSchema.builder("how delayed labels are joined to the predictions made for them")
            .add(TTL).add(MAX_PENDING).add(MAX_WAIT).build();

    /** The defaults: ttl 15 min, 100,000 pending predictions, max-wait 5 s. */
    public static JoinerSettings defaults() {
        return new JoinerSettings(TTL.defaultValue(), MAX_PENDING.defaultValue(), MAX_WAIT.defaultValue());
    }

    /**
     * Reads {@code ttl}, {@code max-pending} and {@code max-wait} from {@code c} through the
     * declarations; missing keys take the defaults; other keys are not checked here (the feedback
     * block they sit in holds more).
     *
     * @param prefix the path users write for {@code c}, e.g. {@code ctta.feedback}
     * @throws IllegalArgumentException naming every bad key, its value and what is expected
     */
    public static JoinerSettings fromConfig(Config c, String prefix) {
        ConfigProblems problems = new ConfigProblems();
        SettingValues v = ConfigReader.readValues(c, SCHEMA, prefix, problems);
        ConfigProblems.throwIfAny(problems);
        return from(v);
    }

    /** The settings {@link ConfigReader} read through {@link #SCHEMA} (or a block that includes it). */
    public static JoinerSettings from(SettingValues v) {
        return new JoinerSettings(v.get(TTL), v.get(MAX_PENDING), v.get(MAX_WAIT));
    }
}
