package io.ctta.runtime.checkpoint;

import io.ctta.runtime.adapt.StrategyState;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/** Small checkpoints with awkward float values, for format and store tests. */
final class Fixtures {
    private Fixtures() {}

    static final String PIPELINE = "fmnist";

    /** Values whose bits a sloppy encoder would lose: NaN payloads, -0, subnormals, infinities. */
    static final float[] SPECIAL = {Float.intBitsToFloat(0x7fc00123), -0.0f, Float.MIN_VALUE, -Float.MIN_NORMAL,
        Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.MAX_VALUE, 1.0e-40f};

    static Checkpoint checkpoint(long epoch, long sequence) {
        return checkpoint(PIPELINE, epoch, sequence);
    }

    static Checkpoint checkpoint(String pipeline, long epoch, long sequence) {
        SplittableRandom r = new SplittableRandom(sequence * 31 + epoch);
        Map<String, StrategyState.Tensor> tensors = new LinkedHashMap<>();
        float[] w = new float[3 * 4];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) r.nextGaussian();
        }
        tensors.put("param/conv1.weight", new StrategyState.Tensor(new long[] {3, 4}, w));
        tensors.put("param/bn.gamma", new StrategyState.Tensor(new long[] {SPECIAL.length}, SPECIAL));
        tensors.put("opt/m/scalar", new StrategyState.Tensor(new long[0], new float[] {(float) sequence}));
        tensors.put("opt/empty", new StrategyState.Tensor(new long[] {0, 5}, new float[0]));
        Map<String, Double> scalars = Map.of("optimizer.steps", (double) sequence, "weird", Double.longBitsToDouble(
                0x7ff8000000000abcL));
        StrategyState state = new StrategyState("tent", sequence * 10, tensors, scalars);
        Map<String, Map<Integer, Long>> offsets = Map.of("fmnist.input", Map.of(0, 100 * sequence, 2, 7L, 1, 0L),
                "fmnist.feedback", Map.of(0, 5 * sequence));
        Map<String, byte[]> extra = new LinkedHashMap<>();
        extra.put("rng", new byte[] {1, 2, 3, (byte) sequence});
        extra.put("detector/page-hinkley", "mean=0.25;n=42".getBytes(StandardCharsets.UTF_8));
        extra.put("empty", new byte[0]);
        return Checkpoint.of(pipeline, epoch, sequence, offsets, state, extra, 1000 * sequence, "cfg-" + epoch,
                1_700_000_000_000L + sequence);
    }
}
