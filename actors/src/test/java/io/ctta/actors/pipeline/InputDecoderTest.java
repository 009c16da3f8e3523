package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.model.ImageGeometry;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.runtime.model.Preprocessing;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/**
 * Records to the model's input: resized and cropped as the model's description says even when the
 * frame already has the model's size (resize then crop, as torchvision's Resize + CenterCrop), grey
 * frames repeated into three channels after resizing, metadata kept, bad shapes rejected with the
 * reason.
 */
class InputDecoderTest {

    /** An RGB model of 4x4 input that declares resize 6, center crop 4. */
    private static final ModelSpec SPEC = ModelSpec.torchScript(Path.of("m.pt"), new int[] {3, 4, 4}, 10,
            Preprocessing.IDENTITY, "m").withGeometry(new ImageGeometry(new int[] {6}, new int[] {4, 4}));

    private static InputDecoder decoder(ModelSpec spec) {
        RecordLimits limits = RecordLimits.defaults().withExpectedShape(spec.acceptedShape());
        return new InputDecoder(new RecordCodec(limits), spec);
    }

    private static DecodeResult decode(ModelSpec spec, InferenceRecord r) {
        InputDecoder d = decoder(spec);
        return d.decode(null, d.codec().encode(r), new RecordHeaders());
    }

    private static float[] ramp(int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i * 37) % 256;
        }
        return x;
    }

    @Test
    void aFrameOfTheModelsSizeIsStillResizedAndCroppedAsDeclared() {
        float[] frame = ramp(3 * 4 * 4);
        InferenceRecord r = new InferenceRecord("a", "k", 1, "d", 2, new Tensor(DType.UINT8, new int[] {3, 4, 4}, frame),
                Map.of("task.id", "7"));
        InferenceRecord out = assertInstanceOf(DecodeResult.Decoded.class, decode(SPEC, r)).record();
        assertArrayEquals(SPEC.geometry().apply(frame, 3, 4, 4), out.features().values());
        assertTrue(!java.util.Arrays.equals(frame, out.features().values()), "resize 6 + crop 4 changes a 4x4 frame");
        assertEquals(Map.of("task.id", "7"), out.metadata());
        assertEquals(2, out.label());
    }

    @Test
    void aFrameNeedingNothingIsPassedOnAsDecoded() {
        ModelSpec plain = ModelSpec.torchScript(Path.of("m.pt"), new int[] {3, 4, 4}, 10, Preprocessing.IDENTITY, "m")
                .withGeometry(new ImageGeometry(null, new int[] {4, 4}));
        float[] frame = ramp(3 * 4 * 4);
        InferenceRecord r = new InferenceRecord("a", "k", 1, "d", 2, new Tensor(DType.UINT8, new int[] {3, 4, 4}, frame));
        InferenceRecord out = assertInstanceOf(DecodeResult.Decoded.class, decode(plain, r)).record();
        assertEquals(DType.UINT8, out.features().dtype(), "untouched: still the record as decoded");
        assertArrayEquals(frame, out.features().values());
    }

    @Test
    void aGreyFrameBecomesThreeEqualChannelsOfItsResizedSelf() {
        float[] grey = ramp(9 * 7);
        InferenceRecord r = new InferenceRecord("g", "k", 1, null, null, new Tensor(DType.UINT8, new int[] {1, 9, 7}, grey));
        float[] out = assertInstanceOf(DecodeResult.Decoded.class, decode(SPEC, r)).record().features().values();
        float[] oneChannel = SPEC.geometry().apply(grey, 1, 9, 7);
        assertEquals(3 * 16, out.length);
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(oneChannel, java.util.Arrays.copyOfRange(out, c * 16, (c + 1) * 16));
        }
        float[] rgb = new float[3 * grey.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(grey, 0, rgb, c * grey.length, grey.length);
        }
        assertArrayEquals(SPEC.geometry().apply(rgb, 3, 9, 7), out, 1e-5f, "the same as repeating first, with a third of the work");
    }

    @Test
    void framesThatCannotFitAreRejectedWithTheShape() {
        InferenceRecord two = new InferenceRecord("t", "k", 1, null, null, new Tensor(DType.UINT8, new int[] {2, 8, 8}, new float[128]));
        DecodeResult.Rejected rej = assertInstanceOf(DecodeResult.Rejected.class, decode(SPEC, two));
        assertTrue(rej.reason().startsWith("shape: shape [2, 8, 8] is not an image of 3 channel(s)"), rej.reason());
        InferenceRecord small = new InferenceRecord("s", "k", 1, null, null, new Tensor(DType.UINT8, new int[] {3, 2, 2}, new float[12]));
        DecodeResult.Rejected tooSmall = assertInstanceOf(DecodeResult.Rejected.class, decode(
                ModelSpec.torchScript(Path.of("m.pt"), new int[] {3, 4, 4}, 10, Preprocessing.IDENTITY, "m")
                        .withGeometry(new ImageGeometry(null, new int[] {4, 4})), small));
        assertTrue(tooSmall.reason().contains("smaller than the center crop 4x4"), tooSmall.reason());
    }
}
