package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.Preprocessing;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Records of 0..1 floats sent to a model that expects raw 8-bit values are served but counted;
 * raw pixels, uint8 records, black frames and models that expect 0..1 are not.
 */
class InputRangeWatchTest {

    private static final ModelSpec EIGHT_BIT = ModelSpec.torchScript(Path.of("m.pt"), new int[] {1, 2, 2}, 10,
            Preprocessing.FASHION_MNIST, "m");
    private static final ModelSpec UNIT_RANGE = ModelSpec.torchScript(Path.of("m.pt"), new int[] {1, 2, 2}, 10,
            new Preprocessing(1f, 0.5f, 0.5f), "m");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double served(ModelSpec spec, DType dtype, float... pixels) {
        InputDecoder decoder = new InputDecoder(new RecordCodec(RecordLimits.defaults().withExpectedShape(spec.acceptedShape())), spec,
                InputRangeWatch.forModel(spec, "cams", "tent", registry));
        InferenceRecord r = new InferenceRecord("r", "k", 1, null, null, new Tensor(dtype, new int[] {1, 2, 2}, pixels));
        assertInstanceOf(DecodeResult.Decoded.class, decoder.decode(null, decoder.codec().encode(r), new RecordHeaders()),
                "a suspect record is still served");
        var counter = registry.find("ctta.input.range.suspect").tag("pipeline", "cams").tag("strategy", "tent").counter();
        return counter == null ? -1 : counter.count();
    }

    @Test
    void unitRangeFloatsForAnEightBitModelAreCounted() {
        assertEquals(1, served(EIGHT_BIT, DType.FLOAT32, 0f, 0.2f, 0.7f, 1f));
        assertEquals(2, served(EIGHT_BIT, DType.FLOAT32, 0f, 0.01f, 0.5f, 0.9f));
    }

    @Test
    void rawPixelsUint8AndBlackFramesAreNotCounted() {
        assertEquals(0, served(EIGHT_BIT, DType.FLOAT32, 0f, 12f, 200f, 255f));
        assertEquals(0, served(EIGHT_BIT, DType.FLOAT32, 0f, 0f, 0f, 0f), "all zero says nothing about the range");
        assertEquals(0, served(EIGHT_BIT, DType.UINT8, 0f, 1f, 1f, 0f), "uint8 is 0..255 by construction");
    }

    @Test
    void aModelThatExpectsUnitRangeHasNoWatch() {
        assertSame(InputRangeWatch.OFF, InputRangeWatch.forModel(UNIT_RANGE, "cams", "tent", registry));
        served(UNIT_RANGE, DType.FLOAT32, 0f, 0.2f, 0.7f, 1f);
        assertNull(registry.find("ctta.input.range.suspect").counter());
    }
}
