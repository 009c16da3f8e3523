package io.ctta.adapters.ecotta;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.adapt.optim.Sgd;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.train.Minibatches;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The warm-up of the meta networks on labelled source data (docs/strategies/ecotta.md): cross-entropy,
 * SGD with momentum on the meta networks only, the original network frozen and in eval mode, the
 * meta BatchNorms in train mode (batch statistics, running statistics updated). Each minibatch
 * lives in its own step scope and its backward pass holds the gradient gate.
 */
final class MetaWarmUp {

    private MetaWarmUp() {}

    /**
     * What the warm-up did.
     *
     * @param steps optimizer steps applied
     * @param skipped minibatches skipped (zero or non-finite gradient)
     * @param finalEpochLoss mean cross-entropy over the last epoch (train-mode forwards)
     * @param finalEpochAccuracy accuracy over the last epoch (train-mode forwards, augmented)
     * @param millis wall time
     */
    record Report(long steps, long skipped, double finalEpochLoss, double finalEpochAccuracy, long millis) {}

    /**
     * Trains the meta networks of {@code net} in place.
     *
     * @throws IllegalArgumentException when the source data does not fit the model
     */
    static Report run(EcottaNetwork net, SourceData data, EcottaSettings s, long seed, GradientGate gate) {
        int[] shape = net.model().spec().inputShape();
        if (!Arrays.equals(data.sampleShape(), shape)) {
            throw new IllegalArgumentException("ecotta warm-up: source samples have shape "
                    + Arrays.toString(data.sampleShape()) + " but the model expects " + Arrays.toString(shape));
        }
        int classes = net.model().spec().numClasses();
        int[] labels = data.labels();
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("ecotta warm-up: source label " + y + " is outside [0, " + classes + ")");
            }
        }
        int n = data.size();
        if (n < 2) {
            throw new IllegalArgumentException("ecotta warm-up needs at least 2 labelled source samples, got " + n);
        }
        long start = System.nanoTime();
        List<String> names = net.trainableNames();
        List<NDArray> weights = net.trainable();
        Map<String, Shape> shapes = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            shapes.put(names.get(i), weights.get(i).getShape());
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        WarmUpAugmentation augment = s.warmupAugment() ? WarmUpAugmentation.of(data.features()) : null;
        int batchSize = Math.min(s.warmupBatchSize(), n);
        int[] order = Minibatches.indices(n);
        long steps = 0;
        long skipped = 0;
        double epochLoss = 0;
        double epochAccuracy = 0;
        long budget = s.warmupMaxSteps() > 0 ? s.warmupMaxSteps() : Long.MAX_VALUE;
        try (ParameterOptimizer sgd = new Sgd(net.model().manager(), shapes, (float) s.warmupLr(),
                (float) s.warmupMomentum(), false)) {
            for (int epoch = 0; epoch < s.warmupEpochs() && steps + skipped < budget; epoch++) {
                Minibatches.shuffle(order, rnd);
                double lossSum = 0;
                int correct = 0;
                int seen = 0;
                for (int from = 0; from + 1 < n && steps + skipped < budget; from += batchSize) {
                    int size = Math.min(batchSize, n - from);
                    if (size < 2) {
                        break; // BatchNorm cannot train on one sample
                    }
                    int[] idx = Arrays.copyOfRange(order, from, from + size);
                    int[] y = new int[size];
                    InputBatch batch = data.batch(idx, y);
                    if (augment != null) {
                        float[] x = batch.features().clone();
                        augment.apply(x, size, shape[0], shape[1], shape[2], rnd);
                        batch = new InputBatch(size, shape, x);
                    }
                    try (StepScope step = net.model().newStep()) {
                        InputBatch b = batch;
                        Minibatches.Step r = Minibatches.crossEntropyStep(step, gate,
                                m -> net.forward(m, b, EcottaNetwork.MetaMode.UPDATE_STATS).logits(), y, classes, sgd,
                                names, weights);
                        if (r.kind() == Minibatches.Kind.STEPPED) {
                            steps++;
                        } else {
                            skipped++;
                        }
                        if (r.kind() != Minibatches.Kind.NON_FINITE_LOSS) {
                            lossSum += (double) r.loss() * size;
                        }
                        correct += r.correct();
                        seen += size;
                    }
                }
                epochLoss = lossSum / Math.max(1, seen);
                epochAccuracy = (double) correct / Math.max(1, seen);
            }
        }
        return new Report(steps, skipped, epochLoss, epochAccuracy, (System.nanoTime() - start) / 1_000_000);
    }

    /** The gradient arrays of {@code weights} (engine-owned buffers; call inside a step scope). */
    static List<NDArray> gradients(List<NDArray> weights) {
        return Minibatches.gradients(weights);
    }
}
