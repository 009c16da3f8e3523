package io.ctta.runtime.drift;

/**
 * The Page-Hinkley test (Page, 1954) in its classical form with a forgetting factor
 * (docs/drift.md). After each input x_t, with t counted since the last reset:
 * <pre>
 *   x̄_t = x̄_{t−1} + (x_t − x̄_{t−1}) / t                (the mean is updated first)
 *   m_t = α · m_{t−1} + (x_t − x̄_t − δ),   M_t = min(M_{t−1}, m_t),   m_0 = M_0 = 0
 *   drift if t ≥ minInstances and m_t − M_t &gt; λ
 * </pre>
 * For decreases the mirrored sum uses (x̄_t − x_t − δ). {@link #statistic()} is m_t − M_t (the
 * larger of the two with {@link PageHinkleySettings.Direction#BOTH}) and {@link #threshold()} is
 * λ, both in the units of the input. After a drift the detector resets at the start of the next
 * update, so the values that triggered it stay readable until then. No warning zone.
 */
public final class PageHinkleyDetector extends ScalarDriftDetector<PageHinkleySettings> {

    /** The registered name. */
    public static final String NAME = "page-hinkley";

    private long count;
    private double mean;
    private double sumUp;
    private double minUp;
    private double sumDown;
    private double minDown;

    /** A detector with {@code settings}. */
    public PageHinkleyDetector(PageHinkleySettings settings) {
        super(NAME, settings, settings.asScalars(), true);
    }

    /** A detector with the defaults. */
    public PageHinkleyDetector() {
        this(PageHinkleySettings.defaults());
    }

    @Override
    DriftLevel observe(double x) {
        PageHinkleySettings settings = settings();
        count++;
        mean += (x - mean) / count;
        double a = settings.alpha();
        double d = settings.delta();
        sumUp = a * sumUp + (x - mean - d);
        minUp = Math.min(minUp, sumUp);
        sumDown = a * sumDown + (mean - x - d);
        minDown = Math.min(minDown, sumDown);
        statistic = switch (settings.direction()) {
            case UP -> sumUp - minUp;
            case DOWN -> sumDown - minDown;
            case BOTH -> Math.max(sumUp - minUp, sumDown - minDown);
        };
        return count >= settings.minInstances() && statistic > settings.threshold() ? DriftLevel.DRIFT : DriftLevel.STABLE;
    }

    /** The running mean x̄_t since the last reset. */
    public double mean() {
        return mean;
    }

    /** m_t of the increase test (the cumulative sum before subtracting its minimum). */
    public double cumulativeSum() {
        return sumUp;
    }

    /** M_t of the increase test. */
    public double minimumSum() {
        return minUp;
    }

    /** λ. */
    @Override
    public double threshold() {
        return settings().threshold();
    }

    @Override
    public long samples() {
        return count;
    }

    @Override
    void saveStatistics(DetectorState.Builder b) {
        b.put("count", count).put("mean", mean).put("sumUp", sumUp).put("minUp", minUp)
                .put("sumDown", sumDown).put("minDown", minDown);
    }

    @Override
    void restoreStatistics(DetectorState state) {
        count = (long) state.scalar("count");
        mean = state.scalar("mean");
        sumUp = state.scalar("sumUp");
        minUp = state.scalar("minUp");
        sumDown = state.scalar("sumDown");
        minDown = state.scalar("minDown");
    }

    @Override
    void clearStatistics() {
        count = 0;
        mean = 0;
        sumUp = 0;
        minUp = 0;
        sumDown = 0;
        minDown = 0;
    }
}
