package io.ctta.actors.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.data.StepOutcome;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.serde.DeadLetters;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.RecordSize;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/**
 * A prediction too large to produce (a model with very many classes: every probability is in the
 * prediction) becomes a dead letter of its input, and a prediction that fits stays a prediction.
 */
class BatchAssemblerOutputSizeTest {

    private static final int LIMIT = 16 * 1024;

    private static List<Output> outputsFor(int classes) {
        BatchAssembler assembler = new BatchAssembler("p", "p.predictions", "p.dead-letters", LIMIT);
        byte[] value = new byte[40];
        ConsumerRecord<byte[], byte[]> raw = new ConsumerRecord<>("in", 0, 7, "k".getBytes(StandardCharsets.UTF_8), value);
        InferenceRecord r = new InferenceRecord("x-7", "k", 1L, null, null, new Tensor(DType.FLOAT32, new int[] {4}, new float[4]));
        float[] probabilities = new float[classes];
        Arrays.fill(probabilities, 1f / classes);
        ModelOutput out = new ModelOutput(1, classes, probabilities, 3, StepOutcome.none());
        return assembler.outputs(List.of(new BatchAssembler.Incoming(raw, new DecodeResult.Decoded(r))), out, PrequentialEvaluator.withDefaults(),
                (correct, error, domain) -> {}, "source");
    }

    @Test
    void aPredictionOfTenClassesIsAPrediction() {
        Output o = outputsFor(10).get(0);
        assertEquals(Output.Kind.PREDICTION, o.kind());
        assertEquals("p.predictions", o.record().topic());
    }

    @Test
    void aPredictionTooLargeForTheOutputLimitBecomesADeadLetterOfTheInput() {
        Output o = outputsFor(5000).get(0);
        assertEquals(Output.Kind.DEAD_LETTER, o.kind());
        assertEquals("p.dead-letters", o.record().topic());
        assertTrue(RecordSize.of(o.record()) <= LIMIT);
        String reason = new String(o.record().headers().lastHeader(DeadLetters.REASON).value(), StandardCharsets.UTF_8);
        assertTrue(reason.startsWith("output-too-large: the prediction is "), reason);
        assertEquals(40, o.record().value().length, "the input's value, whole");
        assertEquals(new RecordRef("in", 0, 7), o.source());
    }
}
