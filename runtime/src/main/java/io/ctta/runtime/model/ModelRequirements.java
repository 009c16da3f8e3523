package io.ctta.runtime.model;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.torchscript.TorchScriptArchive;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * What a strategy needs of a model, checked when the strategy is created, with a refusal that
 * says why and how to export the model right (never a strategy that silently does nothing).
 */
public final class ModelRequirements {

    /** Where the export rules are explained. */
    public static final String EXPORT_DOCS = "docs/models.md, 'Exporting your model'";

    private ModelRequirements() {}

    /** Whether the model has BatchNorm layers (running statistics). */
    public static boolean hasBatchNorm(AdaptiveModel model) {
        return !model.parameterNames(ParameterSelector::isRunningStatistic).isEmpty();
    }

    /**
     * Throws unless the model has normalisation layers with affine parameters (BatchNorm,
     * LayerNorm, GroupNorm, ...), and unless those BatchNorm layers really switch to batch
     * statistics.
     *
     * @param strategy the strategy's name, for the message
     */
    public static void requireNormalisationAffine(AdaptiveModel model, String strategy) {
        if (model.parameterNames(ParameterSelector.batchNormAffine()).isEmpty()) {
            throw new IllegalArgumentException(strategy + " adapts the affine scale and shift of normalisation layers"
                    + " (BatchNorm, LayerNorm, GroupNorm), but model " + model.spec().version() + " has none"
                    + modules(model) + "; use source, or a strategy that learns all weights from labels (sgd, adam, upgd)");
        }
        refuseFrozenBatchNorm(model, strategy);
    }

    /**
     * Throws unless the model has BatchNorm layers that normalise with batch statistics in
     * training mode.
     */
    public static void requireBatchStatistics(AdaptiveModel model, String strategy) {
        if (!hasBatchNorm(model)) {
            throw new IllegalArgumentException(strategy + " normalises with the test batch's statistics, which needs"
                    + " BatchNorm layers, but model " + model.spec().version() + " has none" + modules(model)
                    + "; use source, or tent for LayerNorm/GroupNorm models");
        }
        refuseFrozenBatchNorm(model, strategy);
    }

    /**
     * Throws when the model has BatchNorm layers whose output does not change between eval mode
     * and batch statistics: BatchNorm's training flag was frozen into the graph (a module traced
     * with {@code torch.jit.trace} in eval mode), so nothing based on batch statistics can work.
     * Checked on a seeded probe batch; models without BatchNorm pass.
     */
    public static void refuseFrozenBatchNorm(AdaptiveModel model, String strategy) {
        if (!hasBatchNorm(model) || batchStatisticsChangeOutput(model)) {
            return;
        }
        throw new IllegalArgumentException(strategy + " adapts BatchNorm through batch statistics, but model "
                + model.spec().version() + " gives the same output whether its BatchNorm layers run in training or in"
                + " eval mode: BatchNorm's training flag is frozen into its graph, as torch.jit.trace does for a module"
                + " traced in eval mode. Export the model with torch.jit.script(model) instead (" + EXPORT_DOCS + ")");
    }

    /**
     * Whether a batch-statistics forward gives other logits than an eval forward, on four seeded
     * random samples spread over the input's value range.
     */
    public static boolean batchStatisticsChangeOutput(AdaptiveModel model) {
        int[] shape = model.spec().inputShape();
        int per = InputBatch.sampleLength(shape);
        float range = 1f / Math.abs(model.spec().preprocessing().scale());
        SplittableRandom rnd = new SplittableRandom(0x5eed);
        float[] x = new float[4 * per];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (rnd.nextDouble() * range);
        }
        InputBatch probe = new InputBatch(4, shape, x);
        try (StepScope step = model.newStep()) {
            float[] eval = model.forward(step.manager(), probe, ForwardMode.EVAL).head().toFloatArray();
            float[] stats = model.forward(step.manager(), probe, ForwardMode.BATCH_STATS).head().toFloatArray();
            double diff = 0;
            double norm = 0;
            for (int i = 0; i < eval.length; i++) {
                diff = Math.max(diff, Math.abs(eval[i] - stats[i]));
                norm = Math.max(norm, Math.abs(eval[i]));
            }
            return diff > 1e-6 * Math.max(1, norm);
        }
    }

    /** " (its modules: Conv2d x2, Linear, ...)" for a TorchScript model, empty for a built-in one. */
    private static String modules(AdaptiveModel model) {
        TorchScriptArchive archive = model.torchScriptArchive();
        if (archive == null) {
            return "";
        }
        Map<String, Integer> counts = new TreeMap<>();
        for (TorchScriptArchive.Module m : archive.modules()) {
            if (!m.path().isEmpty() && m.children().isEmpty()) {
                counts.merge(m.typeName(), 1, Integer::sum);
            }
        }
        StringBuilder b = new StringBuilder(" (its layers: ");
        String sep = "";
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            b.append(sep).append(e.getKey()).append(e.getValue() > 1 ? " x" + e.getValue() : "");
            sep = ", ";
        }
        return b.append(')').toString();
    }
}
