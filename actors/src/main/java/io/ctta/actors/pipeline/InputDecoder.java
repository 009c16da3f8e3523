package io.ctta.actors.pipeline;

import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordCodec;
import java.util.Objects;
import org.apache.kafka.common.header.Headers;

/**
 * A Kafka record value to the model's input: decoded by the {@link RecordCodec} (which checks
 * the record's own shape against what the model accepts), then, for a model that declares a
 * resize or crop, resized and cropped to its input shape ({@link ModelSpec#toModelInput}; a grey
 * frame for an RGB model becomes three equal channels). An
 * image that cannot become the model's input (smaller than the crop, another channel count) is
 * rejected with the reason and dead-lettered like any other bad record; it never reaches the model.
 *
 * <p>Records whose values look scaled to 0..1 for a model that expects 0..255 are served, and
 * counted by the pipeline's {@link InputRangeWatch}.
 *
 * <p>Immutable and thread-safe.
 */
public final class InputDecoder {

    private final RecordCodec codec;
    private final ModelSpec spec;
    private final InputRangeWatch rangeWatch;

    public InputDecoder(RecordCodec codec, ModelSpec spec) {
        this(codec, spec, InputRangeWatch.OFF);
    }

    public InputDecoder(RecordCodec codec, ModelSpec spec, InputRangeWatch rangeWatch) {
        this.codec = Objects.requireNonNull(codec, "codec");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.rangeWatch = Objects.requireNonNull(rangeWatch, "rangeWatch");
    }

    /** The codec underneath. */
    public RecordCodec codec() {
        return codec;
    }

    /** Decodes one record value; never throws for bad input (see {@link RecordCodec#decode}). */
    public DecodeResult decode(byte[] key, byte[] value, Headers headers) {
        DecodeResult r = codec.decode(key, value, headers);
        if (!(r instanceof DecodeResult.Decoded d)) {
            return r;
        }
        InferenceRecord in = d.record();
        rangeWatch.check(in.id(), in.features());
        if (!spec.geometry().acceptsAnySize()) {
            return r;
        }
        Tensor t = in.features();
        try {
            // The same function the warm-up, bench and training data go through: a frame of the
            // model's size is still resized and cropped when the description says so (resize 256,
            // crop 224), and is passed on untouched only when nothing is to be done.
            float[] values = spec.toModelInput(t.shape(), t.values());
            if (values == t.values()) {
                return r;
            }
            return new DecodeResult.Decoded(new InferenceRecord(in.id(), in.key(), in.eventTimeMs(), in.domain(), in.label(),
                    new Tensor(DType.FLOAT32, spec.inputShape(), values), in.metadata()));
        } catch (IllegalArgumentException e) {
            return new DecodeResult.Rejected("shape: " + e.getMessage());
        }
    }
}
