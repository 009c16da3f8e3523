package io.ctta.adapters.ecotta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.typesafe.config.ConfigFactory;
import io.ctta.runtime.adapt.GradientGate;
import org.junit.jupiter.api.Test;

/**
 * Known answers of EcoTTA's filtered entropy and self-distilled regulariser (Song et al., CVPR 2023;
 * docs/strategies/ecotta.md), and a finite-difference check of the filtered entropy.
 */
class EcottaLossesTest {

    private static final float LN3 = (float) Math.log(3);

    @Test
    void thresholdIsPointFourLnC() {
        EcottaSettings s = EcottaSettings.fromConfig(ConfigFactory.empty());
        assertEquals(0.921034, s.entropyThreshold(10), 1e-6);
        assertEquals(1.842068, s.entropyThreshold(100), 1e-6);
        assertEquals(2.763102, s.entropyThreshold(1000), 1e-6);
    }

    @Test
    void filterKeepsOnlySamplesBelowTheThreshold() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            // C = 2, H0 = 0.4 ln 2 = 0.277259. Entropies: [0,0] ln 2 = 0.693147; [ln 3, 0] 0.562335;
            // p = (0.9, 0.1): 0.325083; p = (0.95, 0.05): 0.198515; p = (0.99, 0.01): 0.056002.
            NDArray logits = m.create(new float[] {0, 0, LN3, 0, (float) Math.log(9), 0, (float) Math.log(19), 0,
                (float) Math.log(99), 0}, new Shape(5, 2));
            EcottaLosses.FilteredEntropy f = EcottaLosses.filteredMeanEntropy(logits, 0.4 * Math.log(2));
            assertEquals(2, f.kept());
            assertEquals(5, f.total());
            assertEquals(0.4, f.keptFraction(), 1e-12);
            assertEquals((0.198515 + 0.056002) / 2, f.loss().getFloat(), 1e-5);

            // C = 10, H0 = 0.921034: uniform logits (H = ln 10 = 2.302585) are dropped; p1 = 0.9 with
            // the rest spread evenly (logit ln 81) has H = 0.544805 and is kept.
            float[] ten = new float[20];
            ten[10] = (float) Math.log(81);
            EcottaLosses.FilteredEntropy g = EcottaLosses.filteredMeanEntropy(m.create(ten, new Shape(2, 10)),
                    0.4 * Math.log(10));
            assertEquals(1, g.kept());
            assertEquals(0.544805, g.loss().getFloat(), 1e-5);
        }
    }

    @Test
    void emptyFilterGivesZeroNotNaN() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            EcottaLosses.FilteredEntropy f = EcottaLosses.filteredMeanEntropy(m.zeros(new Shape(4, 10)),
                    0.4 * Math.log(10));
            assertEquals(0, f.kept());
            assertEquals(0f, f.loss().getFloat(), 0f);
            assertEquals(0.0, f.keptFraction(), 0);
        }
    }

    @Test
    void selfDistillationIsMeanAbsoluteDifference() {
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray modified = m.create(new float[] {1, 2, 3, 4, -1, 0}, new Shape(1, 2, 3));
            NDArray frozen = m.create(new float[] {1, 0, 3, 8, 1, 0}, new Shape(1, 2, 3));
            assertEquals((0 + 2 + 0 + 4 + 2 + 0) / 6.0, EcottaLosses.selfDistillation(modified, frozen).getFloat(), 1e-6);
        }
    }

    @Test
    void filteredEntropyGradientMatchesFiniteDifferencesAndIsZeroForDroppedSamples() {
        float[] z = {4f, -0.5f, 0.3f, 0.1f, 0.2f, 0f, 3f, 1f, -2f};
        double h0 = 0.4 * Math.log(3); // 0.439445; rows 0 and 2 are kept, row 1 (near uniform) is not
        float[] grad;
        try (NDManager m = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = m.create(z, new Shape(3, 3));
            logits.setRequiresGradient(true);
            try (GradientGate.Session s = GradientGate.create().open()) {
                EcottaLosses.FilteredEntropy f = EcottaLosses.filteredMeanEntropy(logits, h0);
                assertEquals(2, f.kept());
                s.backward(f.loss());
            }
            grad = logits.getGradient().toFloatArray();
        }
        double eps = 1e-3;
        for (int i = 0; i < z.length; i++) {
            float[] plus = z.clone();
            float[] minus = z.clone();
            plus[i] += (float) eps;
            minus[i] -= (float) eps;
            double numeric = (heapLoss(plus, h0) - heapLoss(minus, h0)) / (2 * eps);
            assertEquals(numeric, grad[i], 1e-4, "d L / d z[" + i + "]");
        }
        for (int i = 3; i < 6; i++) {
            assertEquals(0f, grad[i], 0f, "dropped sample gets no gradient");
        }
        assertTrue(Math.abs(grad[0]) > 1e-3);
    }

    /** The filtered mean entropy of 3 x 3 logits in double precision. */
    private static double heapLoss(float[] z, double h0) {
        double sum = 0;
        int kept = 0;
        for (int r = 0; r < 3; r++) {
            double max = Math.max(z[3 * r], Math.max(z[3 * r + 1], z[3 * r + 2]));
            double norm = 0;
            for (int c = 0; c < 3; c++) {
                norm += Math.exp(z[3 * r + c] - max);
            }
            double h = 0;
            for (int c = 0; c < 3; c++) {
                double logp = z[3 * r + c] - max - Math.log(norm);
                h -= Math.exp(logp) * logp;
            }
            if (h < h0) {
                sum += h;
                kept++;
            }
        }
        return sum / Math.max(1, kept);
    }
}
