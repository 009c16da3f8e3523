package io.ctta.runtime.drift;

import java.util.Map;

/**
 * The bookkeeping the scalar detectors share, so that each of them holds only its algorithm
 * ({@link #observe}): the name and settings, the input check, the level, statistic and detection
 * count an update leaves behind, {@link #reset()}, and the part of the state every one of them
 * writes (statistic, detections, level and the {@code setting.*} scalars).
 *
 * <p>DDM and Page-Hinkley start over lazily ({@code restartsAfterDrift}): after a drift the
 * values that triggered it stay readable until the next update, which first calls
 * {@link #clearStatistics()}; their state then also records {@code resetPending}. ADWIN has
 * already cut its window when it reports a drift, so it does not restart.
 *
 * @param <S> the settings record
 */
abstract sealed class ScalarDriftDetector<S> implements DriftDetector permits AdwinDetector, DdmDetector, PageHinkleyDetector {

    private final String name;
    private final S settings;
    private final Map<String, Double> settingScalars;
    private final boolean restartsAfterDrift;
    /** The statistic of the last update, written by {@link #observe}; 0 after a (re)start. */
    double statistic;
    private long detections;
    private boolean resetPending;
    private DriftLevel level = DriftLevel.STABLE;

    ScalarDriftDetector(String name, S settings, Map<String, Double> settingScalars, boolean restartsAfterDrift) {
        this.name = name;
        this.settings = settings;
        this.settingScalars = settingScalars;
        this.restartsAfterDrift = restartsAfterDrift;
    }

    /** Adds {@code value} (already checked) to the statistics and returns the level it leads to. */
    abstract DriftLevel observe(double value);

    /** Forgets every input (not the detection count, level or statistic, which this class resets). */
    abstract void clearStatistics();

    /** Writes the algorithm's own state. */
    abstract void saveStatistics(DetectorState.Builder b);

    /** Reads back what {@link #saveStatistics} wrote; called after the settings are checked. */
    abstract void restoreStatistics(DetectorState state);

    /** Throws unless {@code value} is a valid input; by default it must be finite. */
    void checkInput(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(name + " input must be finite, got " + value);
        }
    }

    /** Its settings. */
    public final S settings() {
        return settings;
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final DriftLevel update(double value) {
        checkInput(value);
        if (resetPending) {
            startOver();
        }
        level = observe(value);
        if (level == DriftLevel.DRIFT) {
            detections++;
            resetPending = restartsAfterDrift;
        }
        return level;
    }

    @Override
    public final DriftLevel level() {
        return level;
    }

    @Override
    public final double statistic() {
        return statistic;
    }

    @Override
    public final long detections() {
        return detections;
    }

    @Override
    public final DetectorState snapshot() {
        DetectorState.Builder b = new DetectorState.Builder(name);
        saveStatistics(b);
        b.put("statistic", statistic).put("detections", detections).put("level", level.ordinal());
        if (restartsAfterDrift) {
            b.put("resetPending", resetPending ? 1 : 0);
        }
        settingScalars.forEach((k, v) -> b.put("setting." + k, v));
        return b.build();
    }

    @Override
    public final void restore(DetectorState state) {
        state.requireCompatible(name, settingScalars);
        restoreStatistics(state);
        statistic = state.scalar("statistic");
        detections = (long) state.scalar("detections");
        resetPending = restartsAfterDrift && state.scalar("resetPending") != 0;
        level = state.level("level");
    }

    @Override
    public final void reset() {
        startOver();
        detections = 0;
        level = DriftLevel.STABLE;
    }

    private void startOver() {
        clearStatistics();
        statistic = 0;
        resetPending = false;
    }
}
