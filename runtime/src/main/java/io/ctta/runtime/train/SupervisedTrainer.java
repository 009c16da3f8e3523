package io.ctta.runtime.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.optim.Adam;
import io.ctta.runtime.adapt.optim.ParameterOptimizer;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.ParameterSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.IntConsumer;

/**
 * Minibatch supervised training (Adam, cross-entropy) of every parameter of a model, used to
 * produce the source model. Each minibatch lives in its own {@link StepScope}; each backward pass
 * runs in a {@link GradientGate} session (per thread: training does not block adapting pipelines). Optimizer updates are applied per parameter, so an all-zero
 * gradient skips the step instead of throwing (DJL {@code Trainer.step()} would).
 */
public final class SupervisedTrainer {

    private SupervisedTrainer() {}

    /** As {@link #train(AdaptiveModel, float[], int[], int[], TrainSettings, IntConsumer, GradientGate)} with the shared gate. */
    public static TrainReport train(AdaptiveModel model, float[] features, int[] sampleShape, int[] labels,
            TrainSettings settings, IntConsumer progressOrNull) {
        return train(model, features, sampleShape, labels, settings, progressOrNull, GradientGate.shared());
    }

    /**
     * Trains {@code model} in place.
     *
     * @param features {@code n} samples of {@code sampleShape}, row-major, raw (pre-preprocessing) values
     * @param labels {@code n} class indices in {@code [0, numClasses)}
     * @param progressOrNull called after every minibatch with the number of completed minibatches
     * @throws IllegalArgumentException when sizes or labels do not fit the model
     */
    public static TrainReport train(AdaptiveModel model, float[] features, int[] sampleShape, int[] labels,
            TrainSettings settings, IntConsumer progressOrNull, GradientGate gate) {
        int per = InputBatch.sampleLength(sampleShape);
        int n = labels.length;
        if ((long) n * per != features.length) {
            throw new IllegalArgumentException("features hold " + features.length + " floats, but " + n
                    + " labels of samples with " + per + " values need " + (long) n * per);
        }
        int classes = model.spec().numClasses();
        for (int y : labels) {
            if (y < 0 || y >= classes) {
                throw new IllegalArgumentException("label " + y + " is outside [0, " + classes + ")");
            }
        }
        long start = System.nanoTime();
        model.setTrainable(ParameterSelector.all(), true);
        Map<String, Parameter> named = new LinkedHashMap<>();
        model.namedParameters().forEach((k, p) -> {
            if (p.requiresGradient()) {
                named.put(k, p);
            }
        });
        List<String> names = new ArrayList<>(named.keySet());
        List<Parameter> params = new ArrayList<>(named.values());
        Map<String, Shape> shapes = new LinkedHashMap<>();
        named.forEach((k, p) -> shapes.put(k, p.getArray().getShape()));

        SplittableRandom rnd = new SplittableRandom(settings.seed());
        int[] order = Minibatches.indices(n);
        long steps = 0;
        long skipped = 0;
        double epochLoss = 0;
        double epochCorrect = 0;
        int done = 0;
        try (ParameterOptimizer adam = new Adam(model.manager(), shapes, settings.learningRate(), 0.9f, 0.999f, 1e-8f)) {
            for (int epoch = 0; epoch < settings.epochs(); epoch++) {
                Minibatches.shuffle(order, rnd);
                epochLoss = 0;
                epochCorrect = 0;
                int seen = 0;
                for (int from = 0; from + 1 < n; from += settings.batchSize()) {
                    int size = Math.min(settings.batchSize(), n - from);
                    if (size < 2) {
                        break; // BatchNorm cannot train on a single sample
                    }
                    float[] x = new float[size * per];
                    int[] y = new int[size];
                    for (int i = 0; i < size; i++) {
                        int src = order[from + i];
                        System.arraycopy(features, src * per, x, i * per, per);
                        y[i] = labels[src];
                    }
                    InputBatch batch = new InputBatch(size, sampleShape, x);
                    try (StepScope step = model.newStep()) {
                        Minibatches.Step r = Minibatches.crossEntropyStep(step, gate,
                                m -> model.forward(m, batch, ForwardMode.TRAIN).head(), y, classes, adam, names,
                                arrays(params));
                        epochCorrect += r.correct();
                        if (r.kind() == Minibatches.Kind.STEPPED) {
                            steps++;
                        } else {
                            skipped++;
                        }
                        if (r.kind() != Minibatches.Kind.NON_FINITE_LOSS) {
                            epochLoss += r.loss() * size;
                        }
                    }
                    seen += size;
                    done++;
                    if (progressOrNull != null) {
                        progressOrNull.accept(done);
                    }
                }
                epochLoss /= Math.max(1, seen);
                epochCorrect /= Math.max(1, seen);
            }
        }
        return new TrainReport(steps, skipped, epochLoss, epochCorrect, (System.nanoTime() - start) / 1_000_000);
    }

    private static List<NDArray> arrays(List<Parameter> params) {
        List<NDArray> out = new ArrayList<>(params.size());
        for (Parameter p : params) {
            out.add(p.getArray());
        }
        return out;
    }
}
