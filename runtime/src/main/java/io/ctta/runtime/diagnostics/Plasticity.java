package io.ctta.runtime.diagnostics;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ParameterSelector;
import java.util.List;

/**
 * Loss-of-plasticity diagnostics (Dohare et al., "Loss of plasticity
 * in deep continual learning", Nature 2024; Kumar et al., "Implicit under-parameterization",
 * ICLR 2021; Elsayed and Mahmood, ICLR 2024).
 *
 * <ul>
 *   <li><b>Dead units</b>: the fraction of ReLU units that are never active (output {@code <= 0}
 *       for every sample, and for a convolutional channel at every position) over a probe batch.</li>
 *   <li><b>Mean weight magnitude</b>: the mean absolute value over all elements of the weight
 *       tensors (matrices and kernels; biases, normalisation scales and running statistics are
 *       excluded).</li>
 *   <li><b>Effective rank</b> of the penultimate features {@code Φ} (B x D), the Roy and Vetterli
 *       (2007) definition used by Dohare et al.: {@code erank = exp(−Σ_k p_k ln p_k)} with
 *       {@code p_k = σ_k / Σ_j σ_j} over the singular values of {@code Φ}. The {@code srank_δ}
 *       of Kumar et al. ({@code min k: Σ_{i≤k} σ_i ≥ (1 − δ) Σ σ}, {@code δ = 0.01}) is offered
 *       as well; {@link #probe} reports both.</li>
 *   <li><b>Sample plasticity</b> (UPGD paper): {@code max(1 − L_after / max(L_before, ε), 0)}.</li>
 * </ul>
 */
public final class Plasticity {

    /** The {@code δ} of {@code srank} in Kumar et al. */
    public static final double SRANK_DELTA = 0.01;

    /** The {@code ε} guarding sample plasticity against a zero loss before the update. */
    public static final double PLASTICITY_EPSILON = 1e-8;

    /**
     * What {@link #probe} measured.
     *
     * @param deadUnitFraction fraction of penultimate ReLU units never active on the probe batch
     * @param effectiveRank Roy-Vetterli effective rank of the penultimate features
     * @param srank Kumar et al.'s {@code srank_0.01} of the penultimate features
     * @param featureDim the number of penultimate units (the largest possible rank)
     * @param meanWeightMagnitude mean absolute weight (matrices and kernels)
     */
    public record Probe(double deadUnitFraction, double effectiveRank, int srank, int featureDim,
            double meanWeightMagnitude) {}

    private Plasticity() {}

    /**
     * What a probe takes from the model, on the heap: the penultimate features of the probe batch
     * ({@code rows x cols}, row-major) and the mean weight magnitude. Taking them needs the model's
     * thread (a forward pass); {@link #measure} does not, and its singular values are the
     * expensive part of a probe (a one-sided Jacobi SVD of a batch x features matrix, milliseconds
     * for a batch of 64), so a model actor measures on another thread.
     */
    public record Features(float[] values, int rows, int cols, double meanWeightMagnitude) {

        public Features {
            if (rows <= 0 || cols <= 0 || (long) rows * cols != values.length) {
                throw new IllegalArgumentException(values.length + " feature values are not " + rows + " x " + cols);
            }
        }

        /** The probe's measures of these features; pure heap work, on any thread. */
        public Probe measure() {
            double[] sv = SingularValues.of(values, rows, cols);
            return new Probe(deadUnitFraction(values, rows, cols, 1), effectiveRank(sv), srank(sv, SRANK_DELTA), cols,
                    meanWeightMagnitude);
        }
    }

    /** As {@link #probe}, or empty when the model cannot expose its penultimate features. */
    public static java.util.Optional<Probe> tryProbe(AdaptiveModel model, InputBatch probe) {
        return tryCapture(model, probe).map(Features::measure);
    }

    /** As {@link #capture}, or empty when the model cannot expose its penultimate features. */
    public static java.util.Optional<Features> tryCapture(AdaptiveModel model, InputBatch probe) {
        if (model.isClosed() || probe.size() < 2) {
            return java.util.Optional.empty();
        }
        try {
            return java.util.Optional.of(capture(model, probe));
        } catch (UnsupportedOperationException | IllegalArgumentException e) {
            return java.util.Optional.empty();
        }
    }

    /**
     * Forwards {@code probe} in eval mode, takes the penultimate features and measures them and
     * the weights: {@link #capture} then {@link Features#measure}. Changes nothing in the model;
     * all native memory is released before it returns.
     *
     * @throws UnsupportedOperationException when the model cannot expose penultimate features
     */
    public static Probe probe(AdaptiveModel model, InputBatch probe) {
        return capture(model, probe).measure();
    }

    /**
     * Forwards {@code probe} in eval mode and copies its penultimate features and the mean weight
     * magnitude to the heap. Changes nothing in the model; all native memory is released before
     * it returns.
     *
     * @throws UnsupportedOperationException when the model cannot expose penultimate features
     */
    public static Features capture(AdaptiveModel model, InputBatch probe) {
        float[] features;
        int rows;
        int cols;
        try (StepScope step = model.newStep()) {
            NDList out = model.forwardWithFeatures(step.manager(), probe, ForwardMode.EVAL);
            NDArray f = out.get(0);
            rows = Math.toIntExact(f.getShape().get(0));
            cols = Math.toIntExact(f.size() / rows);
            features = f.toFloatArray();
        }
        return new Features(features, rows, cols, meanWeightMagnitude(model));
    }

    /**
     * The fraction of units never active over a batch of post-ReLU activations laid out as
     * {@code samples x units x positions} (row-major; {@code positions = 1} for a dense layer,
     * {@code H·W} for a convolutional layer, whose units are its channels).
     */
    public static double deadUnitFraction(float[] activations, int samples, int units, int positions) {
        if (samples <= 0 || units <= 0 || positions <= 0 || (long) samples * units * positions != activations.length) {
            throw new IllegalArgumentException("activations hold " + activations.length + " values, not "
                    + samples + " x " + units + " x " + positions);
        }
        boolean[] alive = new boolean[units];
        for (int s = 0; s < samples; s++) {
            for (int u = 0; u < units; u++) {
                if (alive[u]) {
                    continue;
                }
                int base = (s * units + u) * positions;
                for (int p = 0; p < positions; p++) {
                    if (activations[base + p] > 0) {
                        alive[u] = true;
                        break;
                    }
                }
            }
        }
        int dead = 0;
        for (boolean a : alive) {
            if (!a) {
                dead++;
            }
        }
        return (double) dead / units;
    }

    /**
     * {@link #deadUnitFraction(float[], int, int, int)} of a (B x D) or (B x C x H x W) array of
     * post-ReLU activations; the values are copied to the heap.
     */
    public static double deadUnitFraction(NDArray activations) {
        long[] s = activations.getShape().getShape();
        if (s.length < 2) {
            throw new IllegalArgumentException("activations need a batch and a unit axis, got shape " + activations.getShape());
        }
        long positions = 1;
        for (int i = 2; i < s.length; i++) {
            positions *= s[i];
        }
        return deadUnitFraction(activations.toFloatArray(), Math.toIntExact(s[0]), Math.toIntExact(s[1]),
                Math.toIntExact(positions));
    }

    /**
     * Roy-Vetterli effective rank {@code exp(H(p))}, {@code p_k = σ_k / Σσ}; 0 for an all-zero
     * matrix. Between 1 (one direction) and the number of singular values (all equal).
     */
    public static double effectiveRank(double[] singularValues) {
        double total = 0;
        for (double s : singularValues) {
            if (s < 0 || !Double.isFinite(s)) {
                throw new IllegalArgumentException("singular values must be finite and >= 0, got " + s);
            }
            total += s;
        }
        if (total == 0) {
            return 0;
        }
        double h = 0;
        for (double s : singularValues) {
            double p = s / total;
            if (p > 0) {
                h -= p * Math.log(p);
            }
        }
        return Math.exp(h);
    }

    /** Effective rank of the {@code rows x cols} row-major feature matrix. */
    public static double effectiveRank(float[] features, int rows, int cols) {
        return effectiveRank(SingularValues.of(features, rows, cols));
    }

    /**
     * Kumar et al.'s {@code srank_δ}: the smallest {@code k} whose {@code k} largest singular
     * values hold at least {@code 1 − δ} of their sum; 0 for an all-zero matrix.
     *
     * @param singularValues in descending order
     */
    public static int srank(double[] singularValues, double delta) {
        if (!(delta >= 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in [0, 1), got " + delta);
        }
        double total = 0;
        for (double s : singularValues) {
            total += s;
        }
        if (total == 0) {
            return 0;
        }
        double running = 0;
        for (int k = 0; k < singularValues.length; k++) {
            running += singularValues[k];
            if (running >= (1 - delta) * total) {
                return k + 1;
            }
        }
        return singularValues.length;
    }

    /**
     * The mean absolute value over every element of the model's weight matrices and kernels: DJL
     * {@code WEIGHT} parameters and TorchScript {@code *.weight} tensors of rank 2 or more (rank-1
     * {@code weight}s are normalisation scales).
     */
    public static double meanWeightMagnitude(AdaptiveModel model) {
        List<Parameter> weights = model.parameters(Plasticity::isWeightMatrix);
        double sum = 0;
        long count = 0;
        // The reductions' temporaries would otherwise join the parameters' manager for good.
        StepScope step = model.newStep();
        try {
            for (Parameter p : weights) {
                NDArray a = p.getArray();
                sum += a.abs().sum().getFloat();
                count += a.size();
            }
        } finally {
            step.close();
        }
        return count == 0 ? Double.NaN : sum / count;
    }

    /** Whether a parameter is a weight matrix or kernel (the selection of {@link #meanWeightMagnitude}). */
    public static boolean isWeightMatrix(String name, Parameter p) {
        if (ParameterSelector.isRunningStatistic(name, p) || p.getArray().getShape().dimension() < 2) {
            return false;
        }
        return p.getType() == Parameter.Type.WEIGHT || name.endsWith(".weight");
    }

    /**
     * UPGD's sample plasticity {@code max(1 − L_after / max(L_before, ε), 0)} in [0, 1]: 1 when the
     * update drove the sample's loss to zero, 0 when it did not lower it.
     */
    public static double samplePlasticity(double lossBefore, double lossAfter) {
        double p = 1 - lossAfter / Math.max(lossBefore, PLASTICITY_EPSILON);
        return Math.max(p, 0);
    }

    /** Mean cross-entropy {@code −ln p(label)} of a batch of predictions (on the heap). */
    public static double meanCrossEntropy(ModelOutput output, int[] labels) {
        if (labels.length != output.size()) {
            throw new IllegalArgumentException(labels.length + " labels for " + output.size() + " predictions");
        }
        double sum = 0;
        float[] p = output.probabilities();
        for (int i = 0; i < labels.length; i++) {
            sum -= Math.log(Math.max(p[i * output.numClasses() + labels[i]], Float.MIN_NORMAL));
        }
        return sum / labels.length;
    }

    /** Number of samples of the batch whose arg-max class equals the label. */
    public static int correct(ModelOutput output, int[] labels) {
        if (labels.length != output.size()) {
            throw new IllegalArgumentException(labels.length + " labels for " + output.size() + " predictions");
        }
        int ok = 0;
        for (int i = 0; i < labels.length; i++) {
            if (output.predictedClass(i) == labels[i]) {
                ok++;
            }
        }
        return ok;
    }
}
