package io.ctta.actors.pipeline;

import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.Preprocessing;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notices records sent as 0..1 floats to a model that expects raw 8-bit values 0..255 (its
 * preprocessing scales by 1/255 first, as the built-in models' and torchvision-style
 * descriptions do). Such a record is valid and is served, but the model sees an almost black
 * image: the built-in CNN in eval mode falls from 87% to 10% (chance) on Fashion-MNIST, silently. Refusing
 * would be wrong (a dark frame is legitimately all small values, and 0..1 may be what a user
 * means), so each such record is counted ({@code ctta_input_range_suspect_total}) and
 * the first one is logged as a warning, once per pipeline.
 *
 * <p>A float32 record is suspect when its largest value lies in (0, 1]; an all-zero record says
 * nothing about the range and is not counted, nor are uint8 records (0..255 by construction).
 * Thread-safe.
 */
public final class InputRangeWatch {

    /** Checks nothing: the model does not declare 8-bit input. */
    public static final InputRangeWatch OFF = new InputRangeWatch(null, null, null);

    private static final Logger LOG = LoggerFactory.getLogger(InputRangeWatch.class);

    private final String pipeline;
    private final String model;
    private final Counter suspects;
    private final AtomicBoolean warned = new AtomicBoolean();

    private InputRangeWatch(String pipeline, String model, Counter suspects) {
        this.pipeline = pipeline;
        this.model = model;
        this.suspects = suspects;
    }

    /**
     * A watch for {@code pipeline} (configured with {@code strategy}) serving {@code spec}, or
     * {@link #OFF} when the model does not expect 0..255.
     */
    public static InputRangeWatch forModel(ModelSpec spec, String pipeline, String strategy, MeterRegistry registry) {
        if (!expectsEightBitValues(spec.preprocessing())) {
            return OFF;
        }
        Counter c = Counter.builder("ctta.input.range.suspect")
                .description("Float32 records whose values all lie in 0..1 although the model expects raw values 0..255")
                .tag("pipeline", pipeline)
                .tag("strategy", strategy)
                .register(registry);
        return new InputRangeWatch(pipeline, spec.version(), c);
    }

    /** True when the preprocessing multiplies by 1/255 first: the model was trained on raw 8-bit values. */
    static boolean expectsEightBitValues(Preprocessing p) {
        return Math.abs(p.scale() * 255f - 1f) < 0.01f;
    }

    /** Counts {@code features} of record {@code id} if they look scaled to 0..1. */
    void check(String id, Tensor features) {
        if (suspects == null || features.dtype() != DType.FLOAT32) {
            return;
        }
        float max = 0f;
        for (float v : features.values()) {
            max = Math.max(max, v);
        }
        if (max <= 0f || max > 1f) {
            return;
        }
        suspects.increment();
        if (warned.compareAndSet(false, true)) {
            LOG.warn("pipeline {}: record {} has float32 values in 0..1 (max {}), but model {} expects raw pixel values 0..255 "
                    + "(its preprocessing scales by 1/255): send pixels unscaled, or the model sees an almost black image. "
                    + "Such records are served and counted in ctta_input_range_suspect_total; this is logged once "
                    + "(docs/clients.md, \"The input contract\")", pipeline, id, max, model);
        }
    }
}
