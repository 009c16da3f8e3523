package io.ctta.adapters.continual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.runtime.adapt.GraphScalars;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.adapt.optim.GaussianNoise;
import io.ctta.runtime.adapt.optim.StateArrays;
import io.ctta.runtime.adapt.optim.StateOwner;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Spectral regularization (Lewandowski et al., "Learning Continually by Spectral
 * Regularization", ICLR 2025; docs/strategies/spectral.md):
 * {@code R(θ) = Σ_matrices (σ_max(W)^k − 1)² + Σ_biases ‖b‖₂^{2k} + Σ_scales (max_i|γ_i|^k − 1)²},
 * returned as {@code ρ·R}.
 *
 * <p>{@code σ_max} comes from one power-iteration step per matrix and learning step, reusing the
 * left vector {@code u} of the previous step (as spectral normalisation does):
 * {@code v ← Wᵀu/‖Wᵀu‖}, {@code u ← Wv/‖Wv‖}, {@code σ̂ = uᵀWv}. {@code u} and {@code v} are
 * constants of the graph (computed from the detached weights) while {@code σ̂} is computed from
 * the live weights, so the gradient is exactly {@code 2(σ̂^k − 1)·kσ̂^{k−1}·u vᵀ}. A convolution
 * kernel {@code out × in × kh × kw} is seen as the matrix {@code out × (in·kh·kw)}.
 *
 * <p>State: one unit vector {@code u} (length {@code out}) per matrix, Gaussian-initialised from
 * the seed; exported as {@code spectral.u/<parameter>}.
 */
public final class SpectralRegularizer implements Regularizer {

    /** How a parameter is regularized. */
    public enum Role {
        /** A weight matrix or kernel of rank 2 or more: {@code (σ_max^k − 1)²}. */
        MATRIX,
        /** A bias or normalisation shift: {@code ‖b‖₂^{2k}}. */
        BIAS,
        /** A normalisation scale, a diagonal matrix with spectral norm {@code max|γ|}: {@code (max|γ|^k − 1)²}. */
        SCALE;

        /**
         * Classifies a model parameter: rank ≥ 2 is a matrix; DJL {@code BIAS}/{@code BETA} and
         * names ending in {@code bias} are biases; any other vector is a scale.
         */
        public static Role of(String name, Parameter p) {
            int rank = p.getArray().getShape().dimension();
            if (rank >= 2) {
                return MATRIX;
            }
            if (p.getType() == Parameter.Type.BIAS || p.getType() == Parameter.Type.BETA || name.endsWith("bias")) {
                return BIAS;
            }
            return SCALE;
        }
    }

    private static final String KIND = "spectral.u";

    private final List<String> names;
    private final List<Role> roles;
    private final List<Shape> shapes;
    private final SpectralSettings settings;
    private final long seed;
    private final StateOwner owner;
    private final Map<String, NDArray> vectors = new LinkedHashMap<>();
    private final Map<String, Float> lastSigmas = new LinkedHashMap<>();

    /**
     * @param parent the manager to hang the power-iteration vectors under (the model's)
     * @param names the parameters, in the order {@link #penalty} receives them
     * @param shapes their shapes
     * @param roles their roles
     * @param seed seeds the initial vectors
     */
    public SpectralRegularizer(NDManager parent, List<String> names, List<Shape> shapes, List<Role> roles,
            SpectralSettings settings, long seed) {
        if (names.size() != shapes.size() || names.size() != roles.size()) {
            throw new IllegalArgumentException("names, shapes and roles must have the same length");
        }
        this.names = List.copyOf(names);
        this.shapes = List.copyOf(shapes);
        this.roles = List.copyOf(roles);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.seed = seed;
        this.owner = new StateOwner(parent, "spectral regularizer");
        for (int i = 0; i < names.size(); i++) {
            if (roles.get(i) == Role.MATRIX) {
                NDArray u = owner.manager().create(initialVector(i));
                // State outlives every step: never let an enclosing step scope close it.
                NDScope.unregister(u);
                vectors.put(names.get(i), u);
            }
        }
    }

    private float[] initialVector(int index) {
        int out = Math.toIntExact(shapes.get(index).get(0));
        float[] u = GaussianNoise.sample(seed, 0, index, out, 1.0);
        double norm = 0;
        for (float x : u) {
            norm += (double) x * x;
        }
        norm = Math.sqrt(norm);
        for (int k = 0; k < u.length; k++) {
            u[k] = (float) (u[k] / norm);
        }
        return u;
    }

    @Override
    public String name() {
        return "spectral";
    }

    /** The settings. */
    public SpectralSettings settings() {
        return settings;
    }

    @Override
    public NDArray penalty(List<NDArray> weights) {
        owner.ensureOpen();
        if (weights.size() != names.size()) {
            throw new IllegalArgumentException("expected " + names.size() + " parameters, got " + weights.size());
        }
        if (settings.rho() == 0) {
            return null;
        }
        float k = (float) settings.exponent();
        NDArray total = null;
        for (int i = 0; i < names.size(); i++) {
            NDArray w = weights.get(i);
            NDArray term = switch (roles.get(i)) {
                case MATRIX -> matrixTerm(names.get(i), w, k);
                case BIAS -> settings.biases() ? GraphScalars.pow(w.square().sum(), k) : null;
                case SCALE -> settings.normScales() ? GraphScalars.pow(w.abs().max(), k).sub(1f).square() : null;
            };
            if (term != null) {
                total = total == null ? term : total.add(term);
            }
        }
        return total == null ? null : GraphScalars.mul(total, settings.rho());
    }

    /** One power-iteration step on the detached matrix, then {@code (σ̂^k − 1)²} on the live one. */
    private NDArray matrixTerm(String name, NDArray w, float k) {
        NDArray u = vectors.get(name);
        long out = w.getShape().get(0);
        NDArray matrix = w.reshape(out, -1);
        NDArray fixed = matrix.stopGradient();
        NDArray v = fixed.transpose().matMul(u.reshape(out, 1));
        float vNorm = v.norm().getFloat();
        NDArray next = null;
        float nNorm = 0;
        if (vNorm > 0 && Float.isFinite(vNorm)) {
            v = v.div(vNorm);
            next = fixed.matMul(v);
            nNorm = next.norm().getFloat();
        }
        if (next == null || !(nNorm > 0) || !Float.isFinite(nNorm)) {
            // A zero (or non-finite) matrix: σ̂ = 0 has no gradient direction; keep u for later steps.
            return null;
        }
        next = next.div(nNorm);
        io.ctta.runtime.memory.InPlace.copy(next.stopGradient(), u);
        NDArray sigma = next.transpose().matMul(matrix).matMul(v).reshape(new Shape());
        lastSigmas.put(name, sigma.getFloat());
        return GraphScalars.pow(sigma, k).sub(1f).square();
    }

    /**
     * The {@code σ̂} of each matrix computed by the last {@link #penalty} call, by parameter name
     * (for diagnostics); empty before the first call.
     */
    public Map<String, Float> lastSigmas() {
        return Map.copyOf(lastSigmas);
    }

    @Override
    public Map<String, StrategyState.Tensor> exportState() {
        owner.ensureOpen();
        return StateArrays.export(KIND, vectors);
    }

    @Override
    public void importState(Map<String, StrategyState.Tensor> state) {
        owner.ensureOpen();
        StateArrays.loadAll("spectral regularizer", KIND, vectors, state);
    }

    @Override
    public void reset() {
        owner.ensureOpen();
        for (int i = 0; i < names.size(); i++) {
            NDArray u = vectors.get(names.get(i));
            if (u != null) {
                io.ctta.runtime.memory.InPlace.write(u, initialVector(i));
            }
        }
        lastSigmas.clear();
    }

    @Override
    public void close() {
        owner.close();
    }
}
