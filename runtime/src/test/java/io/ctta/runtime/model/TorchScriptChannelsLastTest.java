package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import io.ctta.runtime.TestData;
import io.ctta.runtime.TorchScriptFixtures;
import io.ctta.runtime.adapt.GradientGate;
import io.ctta.runtime.adapt.LibtorchKernels;
import io.ctta.runtime.adapt.StrategyState;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.memory.StepScope;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A TorchScript model with nothing trainable runs its convolution kernels in the channels-last
 * layout: they are switched (and switched back once anything is trainable), and nothing computed
 * from them changes beyond float rounding: logits in every mode, features, snapshots, restores,
 * copies; a model being trained computes exactly what it computed before.
 */
class TorchScriptChannelsLastTest {

    /** conv2.weight has 16 input channels: channels-last and contiguous are told apart (conv1's single channel is both). */
    private static final String KERNEL = "conv2.weight";

    private static boolean channelsLast(AdaptiveModel m) {
        NDArray k = m.namedParameters().get(KERNEL).getArray();
        return LibtorchKernels.get().isLaidOut(k, true) && !LibtorchKernels.get().isLaidOut(k, false);
    }

    private static float[] logits(AdaptiveModel m, InputBatch b, ForwardMode mode) {
        try (StepScope step = m.newStep()) {
            return m.forward(step.manager(), b, mode).head().toFloatArray();
        }
    }

    @Test
    void frozenKernelsTurnChannelsLastAndComputeTheSameLogits() {
        InputBatch batch = TestData.batch(32, 5);
        try (AdaptiveModel plain = TorchScriptFixtures.model("cnn-twin.pt");
                AdaptiveModel fast = TorchScriptFixtures.model("cnn-twin.pt")) {
            plain.preferChannelsLast(false);
            plain.setTrainable(ParameterSelector.all(), false);
            assertFalse(channelsLast(fast), "a trainable model keeps the default layout");
            Map<String, StrategyState.Tensor> before = fast.snapshotParameters(ParameterSelector.all());
            fast.setTrainable(ParameterSelector.all(), false);
            assertTrue(channelsLast(fast), "a frozen model's kernels are channels-last");
            assertFalse(channelsLast(plain), "not when the model prefers the default layout");
            // The values read back are the same, element for element.
            Map<String, StrategyState.Tensor> after = fast.snapshotParameters(ParameterSelector.all());
            before.forEach((k, v) -> assertArrayEquals(v.data(), after.get(k).data(), 0f, k));
            for (ForwardMode mode : new ForwardMode[] {ForwardMode.EVAL, ForwardMode.BATCH_STATS}) {
                float[] expected = logits(plain, batch, mode);
                float[] actual = logits(fast, batch, mode);
                assertArrayEquals(expected, actual, 1e-5f, mode.name());
            }
            try (StepScope a = plain.newStep(); StepScope b = fast.newStep()) {
                assertArrayEquals(plain.forwardWithFeatures(a.manager(), batch, ForwardMode.EVAL).get(0).toFloatArray(),
                        fast.forwardWithFeatures(b.manager(), batch, ForwardMode.EVAL).get(0).toFloatArray(), 1e-5f);
            }
        }
    }

    @Test
    void anythingTrainableReturnsTheKernelsToTheDefaultLayoutWithTheirValues() {
        InputBatch batch = TestData.batch(16, 7);
        try (AdaptiveModel m = TorchScriptFixtures.model("cnn-twin.pt")) {
            m.setTrainable(ParameterSelector.all(), false);
            assertTrue(channelsLast(m));
            float[] frozen = logits(m, batch, ForwardMode.EVAL);
            m.setTrainable(ParameterSelector.batchNormAffine(), true);
            assertFalse(channelsLast(m), "BN affine parameters alone being trainable is enough");
            assertArrayEquals(frozen, logits(m, batch, ForwardMode.EVAL), 1e-5f);
            // A restore writes logical values into a channels-last kernel.
            Map<String, StrategyState.Tensor> source = m.snapshotParameters(ParameterSelector.all());
            m.setTrainable(ParameterSelector.all(), false);
            float[] k = m.namedParameters().get(KERNEL).getArray().toFloatArray();
            for (int i = 0; i < k.length; i++) {
                k[i] = i;
            }
            m.restoreParameters(Map.of(KERNEL, new StrategyState.Tensor(source.get(KERNEL).shape(), k)));
            assertTrue(channelsLast(m));
            assertArrayEquals(k, m.namedParameters().get(KERNEL).getArray().toFloatArray(), 0f);
            assertArrayEquals(k, m.snapshotParameters(ParameterSelector.all()).get(KERNEL).data(), 0f);
            // A copy carries the layout rule: frozen, its kernels are channels-last too.
            try (AdaptiveModel copy = m.copy()) {
                assertTrue(channelsLast(copy));
                assertArrayEquals(logits(m, batch, ForwardMode.EVAL), logits(copy, batch, ForwardMode.EVAL), 0f);
            }
        }
    }

    @Test
    void aModelBeingTrainedComputesExactlyWhatItComputedBefore() {
        InputBatch batch = TestData.batch(32, 11);
        GradientGate gate = GradientGate.create();
        float[][] grads = new float[2][];
        for (int run = 0; run < 2; run++) {
            try (AdaptiveModel m = TorchScriptFixtures.model("cnn-twin.pt")) {
                m.preferChannelsLast(run == 1);
                m.trainOnly(ParameterSelector.batchNormAffine());
                assertFalse(channelsLast(m));
                try (StepScope step = m.newStep()) {
                    try (GradientGate.Session s = gate.open()) {
                        NDArray logits = m.forward(step.manager(), batch, ForwardMode.BATCH_STATS).head();
                        s.backward(logits.softmax(1).mul(logits.logSoftmax(1)).sum().neg());
                    }
                    grads[run] = m.namedParameters().get("bn1.weight").getArray().getGradient().toFloatArray();
                }
            }
        }
        assertNotEquals(0f, grads[0][0]);
        // Tent's setting: only BN affine parameters train, so both run NCHW, bit for bit.
        assertArrayEquals(grads[0], grads[1], 0f);
    }
}
