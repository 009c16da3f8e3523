package io.ctta.adapters.continual;

import io.ctta.adapters.support.Settings;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * The settings every continual strategy shares: how BatchNorm behaves while learning, and the
 * optional regularizer.
 *
 * @param batchNorm {@code auto} (default), {@code train} or {@code frozen} ({@code batch-norm})
 * @param batchNormMinBatch with {@code auto}, the smallest batch that learns with batch statistics
 *     ({@code batch-norm-min-batch}), default 16
 * @param regularizer {@code none}, {@code spectral} or {@code wasserstein}; the default is
 *     {@code none} for {@code sgd}/{@code adam}/{@code upgd} and {@code spectral} for the
 *     {@code +spectral} strategies
 * @param spectral the spectral regularizer's block ({@code spectral { ... }})
 * @param wasserstein the Wasserstein regularizer's block ({@code wasserstein { ... }})
 */
public record LearnerSettings(BatchNormPolicy batchNorm, int batchNormMinBatch, Regularization regularizer,
        SpectralSettings spectral, WassersteinSettings wasserstein) {

    static final Set<String> KEYS = Set.of("batch-norm", "batch-norm-min-batch", "regularizer", "spectral",
            "wasserstein");

    /** How BatchNorm layers run in {@code learn} ({@code predict} always uses eval mode). */
    public enum BatchNormPolicy {
        /**
         * Batches of at least {@code batch-norm-min-batch} samples learn in train mode (batch
         * statistics normalise, running statistics follow with momentum 0.1); smaller batches learn
         * in eval mode (running statistics normalise and stay frozen; γ and β still learn).
         */
        AUTO,
        /** Train mode for every batch of two or more samples (one sample: eval mode). */
        TRAIN,
        /** Always eval mode: the running statistics never change. */
        FROZEN
    }

    /** The regularizer added to the task loss. */
    public enum Regularization {
        /** Cross-entropy only. */
        NONE,
        /** Spectral regularization (Lewandowski et al., ICLR 2025; docs/strategies/spectral.md). */
        SPECTRAL,
        /** Wasserstein distance to the initial weight distribution (Lewandowski et al., arXiv 2406.06811 v1). */
        WASSERSTEIN
    }

    /** Validates the combination. */
    public LearnerSettings {
        Objects.requireNonNull(batchNorm, "batchNorm");
        Objects.requireNonNull(regularizer, "regularizer");
        Objects.requireNonNull(spectral, "spectral");
        Objects.requireNonNull(wasserstein, "wasserstein");
        if (batchNormMinBatch < 2) {
            throw new IllegalArgumentException("batchNormMinBatch must be >= 2, got " + batchNormMinBatch);
        }
    }

    /** The defaults with the given regularizer. */
    public static LearnerSettings defaults(Regularization regularizer) {
        return new LearnerSettings(BatchNormPolicy.AUTO, 16, regularizer, SpectralSettings.defaults(),
                WassersteinSettings.defaults());
    }

    /** The declared settings of a continual strategy: its optimizer's keys, then the learner's. */
    static io.ctta.runtime.config.SettingsSchema schema(String doc, io.ctta.runtime.config.SettingsSchema optimizer, boolean composed) {
        LearnerSettings d = defaults(composed ? Regularization.SPECTRAL : Regularization.NONE);
        return io.ctta.runtime.config.SettingsSchema.builder(doc)
                .addAll(optimizer)
                .add(io.ctta.runtime.config.Setting.oneOf("batch-norm", "auto", "how BatchNorm layers run while learning", "auto", "train", "frozen"))
                .add(io.ctta.runtime.config.Setting.integer("batch-norm-min-batch", d.batchNormMinBatch(), 2, Integer.MAX_VALUE,
                        "with batch-norm = auto, the smallest batch that learns with batch statistics"))
                .add(composed
                        ? io.ctta.runtime.config.Setting.oneOf("regularizer", "spectral", "the regularizer added to the task loss",
                                "none", "spectral", "wasserstein").checkedBy("spectral or wasserstein")
                        : io.ctta.runtime.config.Setting.oneOf("regularizer", "none", "the regularizer added to the task loss",
                                "none", "spectral", "wasserstein"))
                .child("spectral", SpectralSettings.SCHEMA)
                .child("wasserstein", WassersteinSettings.SCHEMA)
                .build();
    }

    /** Whether a batch of {@code size} samples learns with batch statistics. */
    public boolean trainMode(int size) {
        return switch (batchNorm) {
            case AUTO -> size >= batchNormMinBatch;
            case TRAIN -> size >= 2;
            case FROZEN -> false;
        };
    }

    /**
     * Reads the block of strategy {@code name}.
     *
     * @param composed true for the {@code +spectral} strategies: the regularizer defaults to
     *     {@code spectral} and {@code none} is rejected
     */
    static LearnerSettings read(Settings s, OptimizerSettings optimizer, boolean composed, String name) {
        Set<String> known = new HashSet<>(KEYS);
        known.addAll(optimizer.keys());
        s.rejectUnknown(known);
        LearnerSettings d = defaults(composed ? Regularization.SPECTRAL : Regularization.NONE);
        BatchNormPolicy bn = switch (s.oneOf("batch-norm", "auto", "auto", "train", "frozen")) {
            case "train" -> BatchNormPolicy.TRAIN;
            case "frozen" -> BatchNormPolicy.FROZEN;
            default -> BatchNormPolicy.AUTO;
        };
        int min = s.getInt("batch-norm-min-batch", d.batchNormMinBatch());
        s.require(min >= 2, "batch-norm-min-batch", ">= 2 (batch statistics need two samples)", min);
        String reg = s.oneOf("regularizer", d.regularizer().name().toLowerCase(java.util.Locale.ROOT),
                "none", "spectral", "wasserstein");
        if (composed && reg.equals("none")) {
            throw new IllegalArgumentException(s.problem("regularizer", "none", "spectral or wasserstein for strategy '"
                    + name + "'; use strategy '" + optimizer.name() + "' for no regularizer"));
        }
        Regularization r = Regularization.valueOf(reg.toUpperCase(java.util.Locale.ROOT));
        SpectralSettings spectral = SpectralSettings.read(s.sub("spectral"));
        WassersteinSettings wasserstein = WassersteinSettings.read(s.sub("wasserstein"));
        return new LearnerSettings(bn, min, r, spectral, wasserstein);
    }
}
