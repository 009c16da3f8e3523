package io.ctta.runtime.adapt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import io.ctta.runtime.TestData;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.internal.EngineGrad;
import io.ctta.runtime.memory.StepScope;
import io.ctta.runtime.model.AdaptiveModel;
import io.ctta.runtime.model.Device;
import io.ctta.runtime.model.ForwardMode;
import io.ctta.runtime.model.IntraOpThreads;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.ParameterSelector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Gradient sessions are per thread: concurrent backward passes equal sequential ones, bit for bit. */
class GradientGateTest {

    private static final int THREADS = 4;
    private static final int STEPS = 12;
    private static final float LR = 0.05f;
    /** Every thread, sequential or concurrent, runs operators on this many threads, so results can be compared bit for bit. */
    private static final IntraOpThreads OPERATOR_THREADS = new IntraOpThreads(2);

    /** The two kinds of step strategies take. */
    enum StepKind {
        /** TENT: batch-statistics forward, entropy, BN affine parameters only. */
        TENT,
        /** Continual SGD: eval forward, cross-entropy on labels, every learnable parameter (convolutions too). */
        SUPERVISED_ALL_PARAMETERS
    }

    @Test
    void concurrentTentStepsOnFourThreadsEqualTheSameStepsRunOneAfterTheOther() throws Exception {
        concurrentEqualsSequential(StepKind.TENT);
    }

    @Test
    void concurrentSupervisedStepsOnEveryParameterEqualTheSameStepsRunOneAfterTheOther() throws Exception {
        concurrentEqualsSequential(StepKind.SUPERVISED_ALL_PARAMETERS);
    }

    private static void concurrentEqualsSequential(StepKind kind) throws Exception {
        GradientGate gate = GradientGate.shared();
        List<Map<String, float[]>> sequential = new ArrayList<>();
        ExecutorService one = Executors.newSingleThreadExecutor();
        try {
            for (int t = 0; t < THREADS; t++) {
                int worker = t;
                sequential.add(one.submit(() -> steps(kind, gate, worker, null)).get());
            }
        } finally {
            one.shutdownNow();
        }

        CyclicBarrier everyStep = new CyclicBarrier(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        List<Future<Map<String, float[]>>> concurrent = new ArrayList<>();
        try {
            for (int t = 0; t < THREADS; t++) {
                int worker = t;
                concurrent.add(pool.submit(() -> steps(kind, gate, worker, everyStep)));
            }
            for (int t = 0; t < THREADS; t++) {
                Map<String, float[]> got = concurrent.get(t).get(5, TimeUnit.MINUTES);
                Map<String, float[]> want = sequential.get(t);
                assertEquals(want.keySet(), got.keySet());
                for (String name : want.keySet()) {
                    assertArrayEquals(want.get(name), got.get(name), 0f, "worker " + t + ", " + name);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        // The workers adapted on different inputs: their models differ, so the comparison compared something.
        assertFalse(java.util.Arrays.equals(sequential.get(0).values().iterator().next(), sequential.get(1).values().iterator().next()));
    }

    /**
     * {@code STEPS} steps of {@code kind} on the built-in CNN with plain SGD. Each worker has its
     * own model (same seed, so identical weights) and its own inputs; with a barrier, every step
     * of every worker starts together.
     */
    private static Map<String, float[]> steps(StepKind kind, GradientGate gate, int worker, CyclicBarrier everyStep) throws Exception {
        OPERATOR_THREADS.applyToCurrentThread();
        try (AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), 7)) {
            ParameterSelector trained = kind == StepKind.TENT ? ParameterSelector.batchNormAffine() : model.learnable();
            model.trainOnly(trained);
            List<Parameter> params = model.parameters(trained);
            for (int step = 0; step < STEPS; step++) {
                if (everyStep != null) {
                    everyStep.await(2, TimeUnit.MINUTES);
                }
                int[] labels = new int[16];
                InputBatch batch = new InputBatch(16, new int[] {1, 28, 28}, TestData.images(16, labels, 1000L * worker + step, 0f));
                try (StepScope scope = model.newStep()) {
                    try (GradientGate.Session s = gate.open()) {
                        assertTrue(EngineGrad.isGradMode());
                        if (kind == StepKind.TENT) {
                            NDArray logits = model.forward(scope.manager(), batch, ForwardMode.BATCH_STATS).head();
                            s.backward(Objectives.meanEntropy(logits));
                        } else {
                            NDArray logits = model.forward(scope.manager(), batch, ForwardMode.EVAL).head();
                            s.backward(Objectives.softmaxCrossEntropy(logits, scope.manager().create(labels)));
                        }
                    }
                    assertFalse(EngineGrad.isGradMode());
                    List<NDArray> grads = Gradients.of(params);
                    for (int i = 0; i < params.size(); i++) {
                        params.get(i).getArray().subi(grads.get(i).mul(LR));
                    }
                    Gradients.zero(grads);
                }
            }
            Map<String, float[]> out = new LinkedHashMap<>();
            model.snapshotParameters(trained).forEach((k, v) -> out.put(k, v.data()));
            return out;
        }
    }

    @Test
    void aSessionTurnsGradModeOnForItsOwnThreadOnlyAndAnotherThreadMayOpenOneMeanwhile() throws Exception {
        GradientGate gate = GradientGate.shared();
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch checked = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> holder = other.submit(() -> {
                try (GradientGate.Session s = gate.open()) {
                    opened.countDown();
                    assertTrue(checked.await(1, TimeUnit.MINUTES));
                    return EngineGrad.isGradMode();
                }
            });
            assertTrue(opened.await(1, TimeUnit.MINUTES));
            try {
                EngineGrad.setGradMode(false);
                assertFalse(EngineGrad.isGradMode(), "another thread's session must not switch this thread's grad mode");
                assertFalse(gate.isHeldByCurrentThread());
                // With DJL's collector (a static flag) this open failed while the other thread collected.
                try (GradientGate.Session mine = gate.open()) {
                    assertTrue(gate.isHeldByCurrentThread());
                    assertTrue(EngineGrad.isGradMode());
                }
                assertFalse(EngineGrad.isGradMode());
            } finally {
                checked.countDown();
            }
            assertTrue(holder.get(1, TimeUnit.MINUTES), "the holder's grad mode stayed on while this thread opened and closed its own session");
        } finally {
            other.shutdownNow();
        }
    }

    @Test
    void closeTurnsGradModeOffEvenWhereItWasOnBefore() {
        GradientGate gate = GradientGate.create();
        EngineGrad.setGradMode(true); // libtorch's default on every thread but the engine's first
        GradientGate.Session s = gate.open();
        assertTrue(gate.isHeldByCurrentThread());
        s.close();
        assertFalse(EngineGrad.isGradMode());
        assertFalse(gate.isHeldByCurrentThread());
        s.close(); // idempotent
        assertThrows(IllegalStateException.class, () -> s.backward(null));
    }

    @Test
    void aSecondSessionOnTheSameThreadIsRefusedAndLeavesTheFirstIntact() {
        GradientGate gate = GradientGate.create();
        try (GradientGate.Session s = gate.open()) {
            assertThrows(IllegalStateException.class, gate::open);
            assertTrue(gate.isHeldByCurrentThread());
            assertTrue(EngineGrad.isGradMode());
        }
        assertFalse(EngineGrad.isGradMode());
    }

    @Test
    void aFailedBackwardLeavesTheThreadCleanAndNoGradientForTheNextStep() {
        GradientGate gate = GradientGate.create();
        InputBatch batch = TestData.batch(16, 3);
        try (AdaptiveModel model = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), 7);
                AdaptiveModel twin = AdaptiveModel.create(ModelSpec.builtinCnn(), Device.parse("cpu"), 7)) {
            ParameterSelector affine = ParameterSelector.batchNormAffine();
            model.trainOnly(affine);
            twin.trainOnly(affine);
            try (StepScope scope = model.newStep()) {
                GradientGate.Session s = gate.open();
                try {
                    NDArray loss = Objectives.meanEntropy(model.forward(scope.manager(), batch, ForwardMode.BATCH_STATS).head());
                    s.backward(loss);
                    float accumulated = (float) Gradients.absSum(Gradients.of(model.parameters(affine)));
                    assertNotEquals(0f, accumulated, "the first pass reached the parameters");
                    // The graph was freed by the first pass: the second fails inside libtorch, after
                    // the first pass's gradients were accumulated.
                    assertThrows(EngineException.class, () -> s.backward(loss));
                } finally {
                    s.close();
                }
                assertFalse(EngineGrad.isGradMode());
                assertFalse(gate.isHeldByCurrentThread());
                assertEquals(0.0, Gradients.absSum(Gradients.of(model.parameters(affine))), "no gradient left for the next step");
            }
            // The next step's gradient equals a clean model's.
            assertArrayEquals(gradientOfOneStep(gate, twin, batch), gradientOfOneStep(gate, model, batch), 0f);
        }
    }

    private static float[] gradientOfOneStep(GradientGate gate, AdaptiveModel model, InputBatch batch) {
        try (StepScope scope = model.newStep()) {
            try (GradientGate.Session s = gate.open()) {
                s.backward(Objectives.meanEntropy(model.forward(scope.manager(), batch, ForwardMode.BATCH_STATS).head()));
            }
            NDArray g = Gradients.of(model.parameters(ParameterSelector.batchNormAffine())).get(0);
            assertNotNull(g);
            float[] out = g.toFloatArray();
            Gradients.zero(Gradients.of(model.parameters(ParameterSelector.batchNormAffine())));
            return out;
        }
    }

    @Test
    void aSerializedGateLetsOneThreadInAtATime() throws Exception {
        GradientGate gate = GradientGate.serialized();
        CountDownLatch opened = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService other = Executors.newSingleThreadExecutor();
        try {
            Future<?> holder = other.submit(() -> {
                try (GradientGate.Session s = gate.open()) {
                    opened.countDown();
                    assertTrue(release.await(1, TimeUnit.MINUTES));
                }
                return null;
            });
            assertTrue(opened.await(1, TimeUnit.MINUTES));
            assertEquals(null, gate.tryOpen(10, TimeUnit.MILLISECONDS), "the other thread holds the serialized gate");
            release.countDown();
            holder.get(1, TimeUnit.MINUTES);
            try (GradientGate.Session s = gate.open()) {
                assertTrue(gate.isHeldByCurrentThread());
            }
        } finally {
            other.shutdownNow();
        }
    }
}
