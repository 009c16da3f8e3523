package io.ctta.runtime.adapt.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.ctta.runtime.memory.StepScope;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Plain Adam (libtorch's fused kernel) against PyTorch's Adam computed in double on the heap:
 * several parameters of sizes that leave a remainder after the kernel's vector loop, bias
 * corrections over several steps, and the step count carried through export and import.
 */
class AdamTest extends RootManagerTest {

    private static final float LR = 0.01f;
    private static final double B1 = 0.9;
    private static final double B2 = 0.999;
    private static final double EPS = 1e-8;

    /** Two parameters, 3x37 and 5 elements (neither a multiple of any vector width). */
    private static final Map<String, Shape> SHAPES = shapes();

    private static Map<String, Shape> shapes() {
        Map<String, Shape> s = new LinkedHashMap<>();
        s.put("w", new Shape(3, 37));
        s.put("b", new Shape(5));
        return s;
    }

    private static double[] draw(SplittableRandom r, int n, double scale) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = (r.nextDouble() * 2 - 1) * scale;
        }
        return d;
    }

    private void step(ParameterOptimizer opt, List<NDArray> weights, List<double[]> grads) {
        try (StepScope step = new StepScope(root)) {
            List<NDArray> g = new ArrayList<>();
            for (int i = 0; i < weights.size(); i++) {
                g.add(step.manager().create(UpgdTest.toF(grads.get(i)), weights.get(i).getShape()));
            }
            opt.step(List.copyOf(SHAPES.keySet()), weights, g);
        }
    }

    @Test
    void matchesPyTorchsAdamInDoubleOverSixStepsOnTwoTensors() {
        SplittableRandom r = new SplittableRandom(7);
        List<double[]> w = List.of(draw(r, 111, 1), draw(r, 5, 1));
        List<double[]> m = List.of(new double[111], new double[5]);
        List<double[]> v = List.of(new double[111], new double[5]);
        List<NDArray> weights = List.of(root.create(UpgdTest.toF(w.get(0)), SHAPES.get("w")),
                root.create(UpgdTest.toF(w.get(1)), SHAPES.get("b")));
        try (Adam adam = new Adam(root, SHAPES, LR, (float) B1, (float) B2, (float) EPS)) {
            for (int t = 1; t <= 6; t++) {
                // Gradients of very different magnitudes, and exact zeros (dead ReLU units).
                List<double[]> g = List.of(draw(r, 111, t % 2 == 0 ? 1e-3 : 2), draw(r, 5, 0.5));
                g.get(0)[3] = 0;
                step(adam, weights, g);
                for (int p = 0; p < 2; p++) {
                    for (int k = 0; k < w.get(p).length; k++) {
                        double gk = g.get(p)[k];
                        m.get(p)[k] = B1 * m.get(p)[k] + (1 - B1) * gk;
                        v.get(p)[k] = B2 * v.get(p)[k] + (1 - B2) * gk * gk;
                        double mh = m.get(p)[k] / (1 - Math.pow(B1, t));
                        double vh = v.get(p)[k] / (1 - Math.pow(B2, t));
                        w.get(p)[k] -= LR * mh / (Math.sqrt(vh) + EPS);
                    }
                    assertArrayEquals(UpgdTest.toF(w.get(p)), weights.get(p).toFloatArray(), 1e-6f,
                            "parameter " + p + ", step " + t);
                }
            }
            assertEquals(6, adam.stepCount());
        }
    }

    @Test
    void anImportedOptimizerContinuesBitForBitWithTheSameStepNumber() {
        SplittableRandom r = new SplittableRandom(11);
        List<NDArray> a = List.of(root.create(UpgdTest.toF(draw(r, 111, 1)), SHAPES.get("w")),
                root.create(UpgdTest.toF(draw(r, 5, 1)), SHAPES.get("b")));
        List<NDArray> b = List.of(a.get(0).duplicate(), a.get(1).duplicate());
        try (Adam first = new Adam(root, SHAPES, LR, (float) B1, (float) B2, (float) EPS);
                Adam second = new Adam(root, SHAPES, LR, (float) B1, (float) B2, (float) EPS)) {
            for (int t = 0; t < 3; t++) {
                List<double[]> g = List.of(draw(r, 111, 1), draw(r, 5, 1));
                step(first, a, g);
                step(second, b, g);
            }
            // A third optimizer resumes from the first's state: the bias corrections of step 4 on.
            try (Adam resumed = new Adam(root, SHAPES, LR, (float) B1, (float) B2, (float) EPS)) {
                resumed.importState(first.exportState(), first.stepCount());
                List<double[]> g = List.of(draw(r, 111, 1), draw(r, 5, 1));
                step(resumed, a, g);
                step(second, b, g);
                assertArrayEquals(b.get(0).toFloatArray(), a.get(0).toFloatArray(), 0f);
                assertArrayEquals(b.get(1).toFloatArray(), a.get(1).toFloatArray(), 0f);
                assertEquals(4, resumed.stepCount());
            }
        }
    }

    @Test
    void aClosedOptimizerRefusesToStep() {
        Adam adam = new Adam(root, SHAPES, LR, (float) B1, (float) B2, (float) EPS);
        adam.close();
        adam.close();
        List<NDArray> weights = List.of(root.zeros(SHAPES.get("w")), root.zeros(SHAPES.get("b")));
        assertThrows(IllegalStateException.class,
                () -> step(adam, weights, List.of(new double[111], new double[5])));
    }
}
