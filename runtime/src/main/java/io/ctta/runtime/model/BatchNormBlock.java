package io.ctta.runtime.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import io.ctta.runtime.adapt.GraphScalars;

/**
 * BatchNorm for the built-in CNN that honours {@link ForwardMode}.
 *
 * <p>Why not DJL's {@code BatchNorm}: with {@code training=true} the PyTorch kernel updates the
 * running statistics in place, but TENT and BN-1 need batch statistics <em>without</em> touching
 * them, and BN-α needs a mix. This block reads the mode from the forward parameters
 * (a {@link Mode} shared with the owning model): EVAL and TRAIN use the engine kernel on the real
 * running buffers; BATCH_STATS runs the same kernel on throw-away copies of the buffers (so the
 * originals are bit-identical afterwards); BN-α (alpha &lt; 1) is computed explicitly.
 *
 * <p>Momentum uses PyTorch semantics: {@code running = 0.9 * running + 0.1 * batch}.
 */
final class BatchNormBlock extends AbstractBlock {

    /**
     * The mode of the current forward, set by the owning model around each call. A per-model
     * mutable holder, because DJL's SequentialBlock drops the forward parameters it is given.
     */
    static final class Mode {
        ForwardMode mode = ForwardMode.EVAL;
        float alpha = 1f;
    }

    private static final float EPSILON = 1e-5f;
    private static final float MOMENTUM = 0.1f;

    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;

    private final Mode current;

    BatchNormBlock(Mode current) {
        super((byte) 1);
        this.current = current;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(Initializer.ONES).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Initializer.ZEROS).build());
        runningMean = addParameter(Parameter.builder().setName("runningMean").setType(Parameter.Type.RUNNING_MEAN)
                .optInitializer(Initializer.ZEROS).optRequiresGrad(false).build());
        runningVar = addParameter(Parameter.builder().setName("runningVar").setType(Parameter.Type.RUNNING_VAR)
                .optInitializer(Initializer.ONES).optRequiresGrad(false).build());
    }

    @Override
    public void prepare(Shape[] inputShapes) {
        Shape channels = new Shape(inputShapes[0].get(1));
        gamma.setShape(channels);
        beta.setShape(channels);
        runningMean.setShape(channels);
        runningVar.setShape(channels);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        ForwardMode mode = current.mode;
        float alpha = current.alpha;
        var device = x.getDevice();
        NDArray g = store.getValue(gamma, device, training);
        NDArray b = store.getValue(beta, device, training);
        NDArray rm = store.getValue(runningMean, device, false);
        NDArray rv = store.getValue(runningVar, device, false);
        switch (mode) {
            case EVAL:
                return BatchNorm.batchNorm(x, rm, rv, g, b, 1, MOMENTUM, EPSILON, false);
            case TRAIN:
                return BatchNorm.batchNorm(x, rm, rv, g, b, 1, MOMENTUM, EPSILON, true);
            case BATCH_STATS:
            default:
                if (alpha >= 1f) {
                    // The kernel writes running statistics into whatever buffers it gets: give it copies
                    // that live in x's (per-step) manager and die with it.
                    NDArray rmCopy = rm.duplicate();
                    NDArray rvCopy = rv.duplicate();
                    rmCopy.attach(x.getManager());
                    rvCopy.attach(x.getManager());
                    return BatchNorm.batchNorm(x, rmCopy, rvCopy, g, b, 1, MOMENTUM, EPSILON, true);
                }
                return mixed(x, rm, rv, g, b, alpha);
        }
    }

    /**
     * BN-α: mean and variance mixed as (1-α)·source + α·batch. The batch variance is the unbiased
     * one, as in the reference's AlphaBatchNorm (a BatchNorm with momentum 1 whose running variance
     * it mixes), so built-in and TorchScript models mix the same statistics.
     */
    private static NDList mixed(NDArray x, NDArray rm, NDArray rv, NDArray g, NDArray b, float alpha) {
        int[] axes = x.getShape().dimension() == 4 ? new int[] {3, 2, 0} : new int[] {0};
        long c = x.getShape().get(1);
        Shape bshape = x.getShape().dimension() == 4 ? new Shape(1, c, 1, 1) : new Shape(1, c);
        long n = x.getShape().size() / c;
        NDArray bm = meanOver(x, axes);
        NDArray bv = GraphScalars.mul(meanOver(x.sub(bm).square(), axes), n / (float) Math.max(1, n - 1));
        // Start every expression from a step-scoped array: results attach to the first operand's
        // manager, and the parameters' manager must never collect temporaries.
        NDArray mean = GraphScalars.mul(bm, alpha).add(GraphScalars.mul(local(rm, x).reshape(bshape), 1f - alpha));
        NDArray var = GraphScalars.mul(bv, alpha).add(GraphScalars.mul(local(rv, x).reshape(bshape), 1f - alpha));
        NDArray y = x.sub(mean).div(var.add(EPSILON).sqrt()).mul(local(g, x).reshape(bshape))
                .add(local(b, x).reshape(bshape));
        return new NDList(y);
    }

    /** Mean over several axes, one at a time (the PyTorch engine reduces one axis per call). */
    private static NDArray meanOver(NDArray a, int[] axes) {
        NDArray r = a;
        for (int axis : axes) {
            r = r.mean(new int[] {axis}, true);
        }
        return r;
    }

    /** A view of a parameter whose derived arrays attach to {@code x}'s manager; keeps autograd. */
    private static NDArray local(NDArray parameter, NDArray x) {
        NDArray view = parameter.reshape(parameter.getShape());
        view.attach(x.getManager());
        return view;
    }
}
