package io.ctta.runtime.drift;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.List;

/**
 * Builds detectors by name from a settings block, validating every key (messages name it, e.g.
 * "drift.adwin.delta must be in (0, 1), got 2"). Each call returns a new, independent detector:
 * one per pipeline and signal, never shared.
 */
public final class DriftDetectors {

    /** The names {@link #create} accepts, scalar detectors first. */
    public static final List<String> NAMES = List.of(AdwinDetector.NAME, PageHinkleyDetector.NAME, DdmDetector.NAME,
            KsDriftDetector.NAME, MmdDriftDetector.NAME);

    private DriftDetectors() {
    }

    /**
     * A detector named {@code name} with the settings in {@code settings}, which is that detector's
     * own block (for example the value at {@code drift.adwin}); missing keys take the documented
     * defaults and unknown keys are rejected. Messages name keys as {@code drift.<name>.<key>}.
     *
     * @param seed fixes any randomness (the MMD permutations); the others ignore it
     * @return a {@link DriftDetector} for adwin, page-hinkley and ddm, a
     *     {@link MultivariateDriftDetector} for ks and mmd
     * @throws IllegalArgumentException for an unknown name or an invalid setting
     */
    public static Detector create(String name, Config settings, long seed) {
        return create(name, settings, seed, "drift." + name);
    }

    /** As {@link #create(String, Config, long)}, naming keys under {@code keyPrefix} in messages. */
    public static Detector create(String name, Config settings, long seed, String keyPrefix) {
        return switch (name) {
            case AdwinDetector.NAME -> new AdwinDetector(AdwinSettings.fromConfig(settings, keyPrefix));
            case PageHinkleyDetector.NAME -> new PageHinkleyDetector(PageHinkleySettings.fromConfig(settings, keyPrefix));
            case DdmDetector.NAME -> new DdmDetector(DdmSettings.fromConfig(settings, keyPrefix));
            case KsDriftDetector.NAME -> new KsDriftDetector(KsSettings.fromConfig(settings, keyPrefix));
            case MmdDriftDetector.NAME -> new MmdDriftDetector(MmdSettings.fromConfig(settings, keyPrefix), seed);
            default -> throw new IllegalArgumentException("unknown drift detector '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /** The declared settings of detector {@code name}. @throws IllegalArgumentException for an unknown name */
    public static io.ctta.runtime.config.SettingsSchema schema(String name) {
        return switch (name) {
            case AdwinDetector.NAME -> AdwinSettings.SCHEMA;
            case PageHinkleyDetector.NAME -> PageHinkleySettings.SCHEMA;
            case DdmDetector.NAME -> DdmSettings.SCHEMA;
            case KsDriftDetector.NAME -> KsSettings.SCHEMA;
            case MmdDriftDetector.NAME -> MmdSettings.SCHEMA;
            default -> throw new IllegalArgumentException("unknown drift detector '" + name + "'; known: " + String.join(", ", NAMES));
        };
    }

    /** A detector with its defaults. */
    public static Detector create(String name, long seed) {
        return create(name, ConfigFactory.empty(), seed);
    }

    /** As {@link #create(String, Config, long)} for a detector fed scalars. @throws IllegalArgumentException for ks or mmd */
    public static DriftDetector scalar(String name, Config settings, long seed) {
        Detector d = create(name, settings, seed);
        if (d instanceof DriftDetector s) {
            return s;
        }
        throw new IllegalArgumentException("drift detector '" + name + "' takes vectors (embeddings), not scalars; "
                + "scalar detectors: adwin, page-hinkley, ddm");
    }

    /** As {@link #create(String, Config, long)} for a detector fed vectors. @throws IllegalArgumentException for scalar detectors */
    public static MultivariateDriftDetector multivariate(String name, Config settings, long seed) {
        Detector d = create(name, settings, seed);
        if (d instanceof MultivariateDriftDetector v) {
            return v;
        }
        throw new IllegalArgumentException("drift detector '" + name + "' takes scalars, not vectors; "
                + "vector detectors: ks, mmd");
    }
}
