package io.ctta.benchmarks.jmh;

import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Encoding and decoding one 1x28x28 image record, in the binary format and in JSON. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class RecordCodecBench {

    private RecordCodec codec;
    private InferenceRecord record;
    private byte[] binary;
    private byte[] json;
    private RecordHeaders binaryHeaders;
    private RecordHeaders jsonHeaders;

    @Setup
    public void setUp() {
        codec = new RecordCodec(RecordLimits.defaults());
        SplittableRandom rng = new SplittableRandom(8);
        float[] pixels = new float[784];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = (float) rng.nextDouble();
        }
        record = new InferenceRecord("id-1", "key-1", 1_700_000_000_000L, "gaussian_noise-5", 3,
                Tensor.float32(new int[] {1, 28, 28}, pixels));
        binary = codec.encode(record);
        json = codec.encodeJson(record);
        binaryHeaders = RecordCodec.headersFor();
        jsonHeaders = RecordCodec.jsonHeaders();
    }

    @Benchmark
    public byte[] encodeBinary() {
        return codec.encode(record);
    }

    @Benchmark
    public DecodeResult decodeBinary() {
        return codec.decode(null, binary, binaryHeaders);
    }

    @Benchmark
    public byte[] encodeJson() {
        return codec.encodeJson(record);
    }

    @Benchmark
    public DecodeResult decodeJson() {
        return codec.decode(null, json, jsonHeaders);
    }
}
