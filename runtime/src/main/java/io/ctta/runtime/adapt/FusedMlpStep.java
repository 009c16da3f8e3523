package io.ctta.runtime.adapt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.runtime.adapt.optim.FusedUpdate;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ModelSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole supervised learning step of a built-in MLP ({@code mlp:<in>-...-<out>}) as one native
 * call ({@link LibtorchKernels#mlpStep}): forward, cross-entropy, back-propagation, the gradient
 * guard and the optimizer's update. Why: on the UPGD paper's 784-300-150-10 network at batch 1
 * the arithmetic of a step is a fraction of a millisecond, and the step through DJL (a native
 * call per layer, per loss term, per gradient check and per optimizer operation, autograd's graph
 * and its engine) cost several times that; one call pays the call overhead once. The result is the
 * step the generic path makes, to float rounding (ContinualStrategy's tests compare both).
 *
 * <p>Only for CPU models whose trainable parameters are exactly every Linear layer's weight and
 * bias, input side first: {@link #of} says whether a model qualifies.
 */
public final class FusedMlpStep {

    private final AdaptiveModel model;
    private final List<Parameter> params;
    private final int inputs;

    private FusedMlpStep(AdaptiveModel model, List<Parameter> params, int inputs) {
        this.model = model;
        this.params = params;
        this.inputs = inputs;
    }

    /**
     * The fused step of {@code model} over {@code params}, or empty unless the model is a built-in
     * MLP on the CPU and {@code params} are its weights and biases in layer order ([out, in], [out]
     * per layer, each layer's input the previous layer's output, the last layer's output the
     * classes).
     */
    public static Optional<FusedMlpStep> of(AdaptiveModel model, List<Parameter> params) {
        Objects.requireNonNull(model, "model");
        ModelSpec spec = model.spec();
        if (spec.kind() != ModelSpec.Kind.MLP || model.manager().getDevice().isGpu()
                || params.isEmpty() || params.size() % 2 != 0) {
            return Optional.empty();
        }
        long width = 1;
        for (int d : spec.inputShape()) {
            width *= d;
        }
        int inputs = Math.toIntExact(width);
        for (int i = 0; i < params.size(); i += 2) {
            Shape w = params.get(i).getArray().getShape();
            Shape b = params.get(i + 1).getArray().getShape();
            if (w.dimension() != 2 || b.dimension() != 1 || w.get(1) != width || b.get(0) != w.get(0)) {
                return Optional.empty();
            }
            width = w.get(0);
        }
        if (width != spec.numClasses()) {
            return Optional.empty();
        }
        return Optional.of(new FusedMlpStep(model, List.copyOf(params), inputs));
    }

    /**
     * One step on {@code batch} with {@code labels} (each in {@code [0, classes)}, checked by the
     * caller), updating the weights as {@code update} says unless the kernel refuses the step.
     *
     * @param step the step's manager: the input, the labels and the returned probabilities live there
     */
    public LibtorchKernels.MlpStep run(NDManager step, InputBatch batch, int[] labels, FusedUpdate update) {
        NDArray x = model.preprocessedInput(step, batch).reshape(batch.size(), inputs);
        long[] y = new long[labels.length];
        for (int i = 0; i < y.length; i++) {
            y[i] = labels[i];
        }
        // The arrays of the parameters now: a restore may have replaced them.
        List<NDArray> weights = new ArrayList<>(params.size());
        for (Parameter p : params) {
            weights.add(p.getArray());
        }
        return LibtorchKernels.get().mlpStep(weights, x, step.create(y), update, step);
    }
}
