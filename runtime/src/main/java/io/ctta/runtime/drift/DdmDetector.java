package io.ctta.runtime.drift;

/**
 * DDM, the Drift Detection Method (Gama et al., 2004, "Learning with Drift Detection"; docs/drift.md), on a stream of 0/1
 * prediction errors. After i inputs since the last reset, with error rate p_i and
 * s_i = sqrt(p_i (1 − p_i) / i):
 * <ul>
 *   <li>once i ≥ minSamples, if p_i + s_i &lt; p_min + s_min the minimum moves to (p_i, s_i);</li>
 *   <li>warning when p_i + s_i ≥ p_min + 2 s_min, drift when p_i + s_i ≥ p_min + 3 s_min (the
 *       multipliers are the settings); after a drift everything resets at the start of the next
 *       update.</li>
 * </ul>
 * Guard (ours; the paper has none): while no error has been seen, s_i = 0, and a minimum taken there would make the first
 * error a drift. So (p_i, s_i) only becomes the minimum once p_i &gt; 0, and nothing is signalled
 * before a minimum exists. {@link #statistic()} is p_i + s_i, {@link #threshold()} is
 * p_min + 3 s_min and {@link #warningThreshold()} p_min + 2 s_min (both +∞ before a minimum).
 * DDM only detects increases of the error rate.
 */
public final class DdmDetector extends ScalarDriftDetector<DdmSettings> {

    /** The registered name. */
    public static final String NAME = "ddm";

    private long count;
    private long errors;
    private double pMin;
    private double sMin;

    /** A detector with {@code settings}. */
    public DdmDetector(DdmSettings settings) {
        super(NAME, settings, settings.asScalars(), true);
        clearStatistics();
    }

    /** A detector with the defaults. */
    public DdmDetector() {
        this(DdmSettings.defaults());
    }

    /** Inputs must be 0 (a right prediction) or 1 (a wrong one). */
    @Override
    void checkInput(double error) {
        if (error != 0 && error != 1) {
            throw new IllegalArgumentException("ddm input must be 0 (right) or 1 (wrong), got " + error);
        }
    }

    /**
     * Adds one prediction outcome.
     *
     * @param error 1 for a wrong prediction, 0 for a right one
     */
    @Override
    DriftLevel observe(double error) {
        DdmSettings settings = settings();
        count++;
        if (error == 1) {
            errors++;
        }
        double p = (double) errors / count;
        double s = Math.sqrt(p * (1 - p) / count);
        statistic = p + s;
        DriftLevel level = DriftLevel.STABLE;
        if (count >= settings.minSamples()) {
            if (errors > 0 && statistic < pMin + sMin) {
                pMin = p;
                sMin = s;
            }
            if (statistic >= pMin + settings.driftThreshold() * sMin) {
                level = DriftLevel.DRIFT;
            } else if (statistic >= pMin + settings.warningThreshold() * sMin) {
                level = DriftLevel.WARNING;
            }
        }
        return level;
    }

    /** The error rate p_i since the last reset. */
    public double errorRate() {
        return count == 0 ? 0 : (double) errors / count;
    }

    /** p_min + warningThreshold · s_min, or +∞ before a minimum exists. */
    public double warningThreshold() {
        return pMin + settings().warningThreshold() * sMin;
    }

    /** p_min + driftThreshold · s_min, or +∞ before a minimum exists. */
    @Override
    public double threshold() {
        return pMin + settings().driftThreshold() * sMin;
    }

    @Override
    public long samples() {
        return count;
    }

    @Override
    void saveStatistics(DetectorState.Builder b) {
        b.put("count", count).put("errors", errors).put("pMin", pMin).put("sMin", sMin);
    }

    @Override
    void restoreStatistics(DetectorState state) {
        count = (long) state.scalar("count");
        errors = (long) state.scalar("errors");
        pMin = state.scalar("pMin");
        sMin = state.scalar("sMin");
    }

    @Override
    void clearStatistics() {
        count = 0;
        errors = 0;
        pMin = Double.POSITIVE_INFINITY;
        sMin = Double.POSITIVE_INFINITY;
    }
}
