package io.ctta.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.nn.Parameter;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.memory.StepScope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MlpTest {

    private static final String PAPER = "mlp:784-300-150-10";

    private static AdaptiveModel model(String kind, long seed) {
        return AdaptiveModel.create(ModelSpec.builtin(kind), Device.CPU, seed);
    }

    @Test
    void kindParsesIntoWidthsAndRejectsMalformedNames() {
        Mlp.Architecture a = Mlp.Architecture.parse(PAPER);
        assertArrayEquals(new int[] {784, 300, 150, 10}, a.widths());
        assertEquals(PAPER, a.toString());
        ModelSpec spec = ModelSpec.builtin(PAPER);
        assertEquals(ModelSpec.Kind.MLP, spec.kind());
        assertArrayEquals(new int[] {784}, spec.inputShape());
        assertEquals(10, spec.numClasses());
        assertEquals(Preprocessing.FASHION_MNIST, spec.preprocessing());
        assertTrue(spec.version().startsWith("mlp-v1/" + PAPER + "/"), spec.version());
        for (String bad : List.of("mlp:", "mlp:784", "mlp:784-x-10", "mlp:784-0-10", "mlp:784-300-1", "mlp:784--10")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.builtin(bad), bad);
            assertTrue(e.getMessage().contains("mlp:784-300-150-10"), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelSpec.builtin("resnet"));
        assertTrue(e.getMessage().contains("builtin-cnn") && e.getMessage().contains("mlp:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ModelSpec(ModelSpec.Kind.MLP, null, new int[] {10}, 10,
                Preprocessing.IDENTITY, "v", null, ImageGeometry.NONE, a));
    }

    /**
     * PyTorch's nn.Linear default: weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)). Every value
     * lies within the bound, the extremes reach it, and mean and variance are those of the uniform
     * distribution (variance bound^2 / 3), per tensor.
     */
    @Test
    void initialisationIsPytorchsLinearDefault() {
        try (AdaptiveModel m = model(PAPER, 7)) {
            List<Parameter> params = new ArrayList<>(m.namedParameters().values());
            assertEquals(6, params.size(), m.namedParameters().keySet().toString());
            int[] fanIn = {784, 784, 300, 300, 150, 150};
            long[][] shapes = {{300, 784}, {300}, {150, 300}, {150}, {10, 150}, {10}};
            for (int i = 0; i < params.size(); i++) {
                Parameter p = params.get(i);
                assertArrayEquals(shapes[i], p.getArray().getShape().getShape(), p.getName());
                assertEquals(i % 2 == 0 ? Parameter.Type.WEIGHT : Parameter.Type.BIAS, p.getType());
                float[] v = p.getArray().toFloatArray();
                double bound = 1 / Math.sqrt(fanIn[i]);
                double sum = 0;
                double sq = 0;
                double max = 0;
                for (float x : v) {
                    assertTrue(Math.abs(x) <= bound, p.getName() + " value " + x + " beyond " + bound);
                    sum += x;
                    sq += (double) x * x;
                    max = Math.max(max, Math.abs(x));
                }
                int n = v.length;
                double mean = sum / n;
                double var = sq / n - mean * mean;
                // n draws of U(-b, b): the largest |x| misses b by about b/n; mean within 5 standard errors.
                assertTrue(max > bound * (1 - 20.0 / n), p.getName() + " max " + max + " of bound " + bound);
                assertTrue(Math.abs(mean) < 5 * bound / Math.sqrt(3 * n), p.getName() + " mean " + mean);
                if (n >= 1000) {
                    assertEquals(bound * bound / 3, var, bound * bound / 3 * 0.05, p.getName() + " variance");
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameParametersAndAnotherSeedOthers() {
        try (AdaptiveModel a = model("mlp:20-8-3", 42); AdaptiveModel b = model("mlp:20-8-3", 42);
                AdaptiveModel c = model("mlp:20-8-3", 43)) {
            for (Map.Entry<String, Parameter> e : a.namedParameters().entrySet()) {
                float[] va = e.getValue().getArray().toFloatArray();
                assertArrayEquals(va, b.namedParameters().get(e.getKey()).getArray().toFloatArray(), e.getKey());
                assertFalse(Arrays.equals(va, c.namedParameters().get(e.getKey()).getArray().toFloatArray()), e.getKey());
            }
        }
    }

    @Test
    void forwardFlattensImagesAndGivesLogitsAndLastHiddenFeatures() {
        try (AdaptiveModel m = model(PAPER, 1)) {
            float[] px = new float[3 * 784];
            for (int i = 0; i < px.length; i++) {
                px[i] = (i * 37) % 256;
            }
            InputBatch images = new InputBatch(3, new int[] {1, 28, 28}, px);
            try (StepScope step = m.newStep()) {
                NDList out = m.forwardWithFeatures(step.manager(), images, ForwardMode.TRAIN);
                assertArrayEquals(new long[] {3, 150}, out.get(0).getShape().getShape());
                assertArrayEquals(new long[] {3, 10}, out.get(1).getShape().getShape());
                assertTrue(out.get(0).toFloatArray().length == 450);
                for (float f : out.get(0).toFloatArray()) {
                    assertTrue(f >= 0, "features are after a ReLU");
                }
            }
            // One sample at a time computes what the batch computes (no normalisation layer).
            ModelOutput all = m.predict(images);
            ModelOutput first = m.predict(new InputBatch(1, new int[] {784}, Arrays.copyOf(px, 784)));
            for (int c = 0; c < 10; c++) {
                assertEquals(all.probabilities()[c], first.probabilities()[c], 1e-6);
            }
        }
    }
}
