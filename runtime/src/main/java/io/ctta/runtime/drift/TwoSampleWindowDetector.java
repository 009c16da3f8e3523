package io.ctta.runtime.drift;

import java.util.Arrays;
import java.util.Map;

/**
 * The window mechanics shared by the two-sample detectors: collect a reference window (the first
 * {@code referenceSize} vectors after a reset or a drift, or the rows given to
 * {@link #setReference}), then test each following non-overlapping window of {@code windowSize}
 * vectors against it. Tumbling windows rather than a sliding one because overlapping windows are
 * autocorrelated and inflate false alarms. A rejection counts as a drift after
 * {@code consecutive} rejections in a row; before that the level is {@link DriftLevel#WARNING}.
 */
abstract sealed class TwoSampleWindowDetector implements MultivariateDriftDetector permits KsDriftDetector, MmdDriftDetector {

    /** What one test concluded. */
    record TestResult(double statistic, double threshold, double pValue, boolean reject) {
    }

    private final int referenceSize;
    private final int windowSize;
    private final int consecutive;
    private final double initialThreshold;
    private int dimension;
    /** Rows the reference must hold before testing: referenceSize, or what setReference gave. */
    private int referenceTarget;
    private double[] reference = new double[0];
    private int referenceCount;
    private double[] current = new double[0];
    private int currentCount;
    private long samples;
    private long tests;
    private int rejectionsInARow;
    private double statistic;
    private double threshold;
    private double pValue = 1.0;
    private long detections;
    private boolean resetPending;
    private DriftLevel level = DriftLevel.STABLE;

    TwoSampleWindowDetector(int referenceSize, int windowSize, int consecutive, double initialThreshold) {
        this.referenceSize = referenceSize;
        this.windowSize = windowSize;
        this.consecutive = consecutive;
        this.initialThreshold = initialThreshold;
        this.threshold = initialThreshold;
        this.referenceTarget = referenceSize;
    }

    /** Runs the test of {@code cur} ({@code m} rows) against {@code ref} ({@code n} rows), both row-major with {@code d} columns. */
    abstract TestResult test(double[] ref, int n, double[] cur, int m, int d, long testIndex);

    /** Called whenever the reference changes, so a subclass can drop what it derived from it. */
    void referenceChanged() {
    }

    /** Adds subclass state (derived values worth keeping) to a snapshot. */
    void saveExtra(DetectorState.Builder b) {
    }

    /** Forgets subclass state on {@link #reset()}. */
    void resetExtra() {
    }

    /** Reads back what {@link #saveExtra} wrote; called after the base state is restored. */
    void restoreExtra(DetectorState state) {
    }

    /** The settings, for the state's compatibility check. */
    abstract Map<String, Double> settingScalars();

    @Override
    public final DriftLevel update(double[] vector) {
        if (resetPending) {
            startOver();
        }
        if (dimension == 0) {
            allocate(vector.length);
        } else if (vector.length != dimension) {
            throw new IllegalArgumentException(name() + " expects vectors of length " + dimension + ", got " + vector.length);
        }
        for (double v : vector) {
            if (!Double.isFinite(v)) {
                throw new IllegalArgumentException(name() + " input must be finite, got " + v);
            }
        }
        samples++;
        if (referenceCount < referenceTarget) {
            System.arraycopy(vector, 0, reference, referenceCount * dimension, dimension);
            referenceCount++;
            if (referenceCount == referenceTarget) {
                referenceChanged();
            }
            level = DriftLevel.STABLE;
            return level;
        }
        System.arraycopy(vector, 0, current, currentCount * dimension, dimension);
        currentCount++;
        if (currentCount < windowSize) {
            level = rejectionsInARow > 0 ? DriftLevel.WARNING : DriftLevel.STABLE;
            return level;
        }
        TestResult r = test(reference, referenceCount, current, currentCount, dimension, tests);
        tests++;
        currentCount = 0;
        statistic = r.statistic();
        threshold = r.threshold();
        pValue = r.pValue();
        if (r.reject()) {
            rejectionsInARow++;
            if (rejectionsInARow >= consecutive) {
                level = DriftLevel.DRIFT;
                detections++;
                resetPending = true;
            } else {
                level = DriftLevel.WARNING;
            }
        } else {
            rejectionsInARow = 0;
            level = DriftLevel.STABLE;
        }
        return level;
    }

    @Override
    public final void setReference(double[][] rows) {
        if (rows.length < 2) {
            throw new IllegalArgumentException(name() + " reference needs at least 2 rows, got " + rows.length);
        }
        int d = rows[0].length;
        if (d == 0 || (dimension != 0 && d != dimension)) {
            throw new IllegalArgumentException(name() + " reference rows must have length " + (dimension == 0 ? "> 0" : dimension) + ", got " + d);
        }
        double[] flat = new double[rows.length * d];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != d) {
                throw new IllegalArgumentException(name() + " reference is ragged: row 0 has " + d + " values, row " + i + " has " + rows[i].length);
            }
            for (int k = 0; k < d; k++) {
                if (!Double.isFinite(rows[i][k])) {
                    throw new IllegalArgumentException(name() + " reference value [" + i + "][" + k + "] is not finite: " + rows[i][k]);
                }
                flat[i * d + k] = rows[i][k];
            }
        }
        if (dimension == 0) {
            allocate(d);
        }
        // the given reference may be larger or smaller than referenceSize; it is used as given
        reference = flat;
        referenceCount = rows.length;
        referenceTarget = rows.length;
        currentCount = 0;
        rejectionsInARow = 0;
        resetPending = false;
        referenceChanged();
    }

    /** True once the reference window is complete and windows are being tested. */
    public final boolean testing() {
        return dimension > 0 && referenceCount >= referenceTarget;
    }

    /** Tests run since creation or {@link #reset()}. */
    public final long testsRun() {
        return tests;
    }

    /** The p-value of the last test (corrected for multiple testing where the test says so); 1 before the first. */
    public final double pValue() {
        return pValue;
    }

    /** Rows in the reference window now. */
    public final int referenceCount() {
        return referenceCount;
    }

    @Override
    public final int dimension() {
        return dimension;
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
    public final double threshold() {
        return threshold;
    }

    @Override
    public final long samples() {
        return samples;
    }

    @Override
    public final long detections() {
        return detections;
    }

    @Override
    public final DetectorState snapshot() {
        DetectorState.Builder b = new DetectorState.Builder(name())
                .put("dimension", dimension).put("referenceCount", referenceCount).put("referenceTarget", referenceTarget)
                .put("currentCount", currentCount)
                .put("samples", samples).put("tests", tests).put("rejectionsInARow", rejectionsInARow)
                .put("statistic", statistic).put("threshold", threshold).put("pValue", pValue)
                .put("detections", detections).put("resetPending", resetPending ? 1 : 0).put("level", level.ordinal())
                .put("reference", Arrays.copyOf(reference, referenceCount * dimension))
                .put("current", Arrays.copyOf(current, currentCount * dimension));
        settingScalars().forEach((k, v) -> b.put("setting." + k, v));
        saveExtra(b);
        return b.build();
    }

    @Override
    public final void restore(DetectorState state) {
        state.requireCompatible(name(), settingScalars());
        int d = (int) state.scalar("dimension");
        int refCount = (int) state.scalar("referenceCount");
        int refTarget = (int) state.scalar("referenceTarget");
        int curCount = (int) state.scalar("currentCount");
        double[] ref = state.array("reference");
        double[] cur = state.array("current");
        if (d < 0 || refCount < 0 || refTarget < 2 || refCount > refTarget || curCount < 0 || curCount >= windowSize || ref.length != (long) refCount * d
                || cur.length != (long) curCount * d) {
            throw new IllegalArgumentException(name() + " state is inconsistent: dimension " + d + ", " + refCount
                    + " reference rows in " + ref.length + " values, " + curCount + " current rows in " + cur.length + " values");
        }
        dimension = d;
        reference = d == 0 ? new double[0] : Arrays.copyOf(ref, refTarget * d);
        referenceCount = refCount;
        referenceTarget = refTarget;
        current = d == 0 ? new double[0] : Arrays.copyOf(cur, windowSize * d);
        currentCount = curCount;
        samples = (long) state.scalar("samples");
        tests = (long) state.scalar("tests");
        rejectionsInARow = (int) state.scalar("rejectionsInARow");
        statistic = state.scalar("statistic");
        threshold = state.scalar("threshold");
        pValue = state.scalar("pValue");
        detections = (long) state.scalar("detections");
        resetPending = state.scalar("resetPending") != 0;
        level = state.level("level");
        referenceChanged();
        restoreExtra(state);
    }

    @Override
    public final void reset() {
        dimension = 0;
        reference = new double[0];
        current = new double[0];
        referenceCount = 0;
        referenceTarget = referenceSize;
        currentCount = 0;
        samples = 0;
        tests = 0;
        rejectionsInARow = 0;
        statistic = 0;
        threshold = initialThreshold;
        pValue = 1.0;
        detections = 0;
        resetPending = false;
        level = DriftLevel.STABLE;
        referenceChanged();
        resetExtra();
    }

    /** After a drift: a new reference is collected from the stream (the new stable period). */
    private void startOver() {
        referenceCount = 0;
        referenceTarget = referenceSize;
        currentCount = 0;
        samples = 0;
        rejectionsInARow = 0;
        resetPending = false;
        if (reference.length != referenceSize * dimension) {
            reference = new double[referenceSize * dimension];
        }
        referenceChanged();
    }

    private void allocate(int d) {
        if (d == 0) {
            throw new IllegalArgumentException(name() + " input vectors must not be empty");
        }
        dimension = d;
        reference = new double[referenceSize * d];
        current = new double[windowSize * d];
    }
}
