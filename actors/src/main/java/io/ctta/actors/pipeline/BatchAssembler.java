package io.ctta.actors.pipeline;

import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.ModelOutput;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.PredictionRecord;
import io.ctta.streams.serde.DeadLetters;
import io.ctta.streams.serde.DecodeResult;
import io.ctta.streams.serde.PredictionCodec;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Turns a micro-batch of consumed records into the model's input and, once the model answered,
 * into the records to produce: a prediction for every decoded record and a dead letter for every
 * rejected one, in the order they were consumed. Every record is made to fit {@code maxOutputBytes}
 * (the producer's max.request.size and the output topics' max.message.bytes): a prediction that
 * does not fit, or cannot be encoded, becomes a dead letter of its input, and a dead letter keeps
 * only the prefix of the value that fits, so no output is refused by Kafka for its size.
 */
final class BatchAssembler {

    private final String pipeline;
    private final String predictionsTopic;
    private final String deadLetterTopic;
    private final int maxOutputBytes;
    private final PredictionCodec predictionCodec = new PredictionCodec();

    BatchAssembler(String pipeline, String predictionsTopic, String deadLetterTopic, int maxOutputBytes) {
        this.pipeline = pipeline;
        this.predictionsTopic = predictionsTopic;
        this.deadLetterTopic = deadLetterTopic;
        this.maxOutputBytes = maxOutputBytes;
    }

    /** A consumed record with its decoding result. */
    record Incoming(ConsumerRecord<byte[], byte[]> raw, DecodeResult decoded) {
        InferenceRecord record() {
            return ((DecodeResult.Decoded) decoded).record();
        }

        boolean ok() {
            return decoded instanceof DecodeResult.Decoded;
        }
    }

    /** The model input for the decoded records of a batch, or null when none decoded. */
    InputBatch inputOf(List<Incoming> batch) {
        List<InferenceRecord> good = new ArrayList<>(batch.size());
        for (Incoming in : batch) {
            if (in.ok()) {
                good.add(in.record());
            }
        }
        if (good.isEmpty()) {
            return null;
        }
        int[] shape = good.get(0).features().shape();
        int per = InputBatch.sampleLength(shape);
        float[] features = new float[per * good.size()];
        for (int i = 0; i < good.size(); i++) {
            float[] v = good.get(i).features().values();
            if (v.length != per) {
                // The codec enforces the model's shape; two shapes in one batch is a bug upstream.
                throw new IllegalStateException("records of one batch have different shapes");
            }
            System.arraycopy(v, 0, features, i * per, per);
        }
        return new InputBatch(good.size(), shape, features);
    }

    /**
     * The records to produce for a batch, its labelled predictions scored first.
     *
     * @param output the model's answer for the decoded records, or null when none decoded
     * @param evaluator scores labelled records (prequential: the prediction was made before any
     *     update on this batch)
     * @param scored called with (correct, window error) for every labelled record
     * @param strategy the strategy that made the predictions (it can change on a drift action)
     */
    List<Output> outputs(List<Incoming> batch, ModelOutput output, PrequentialEvaluator evaluator, Scored scored, String strategy) {
        long now = System.currentTimeMillis();
        score(batch, output, evaluator, scored);
        return encode(batch, output, strategy, now);
    }

    /**
     * Scores the labelled predictions of a batch, in order. Apart from {@link #encode}: scoring
     * feeds the drift detectors and the dashboard before the next batch, while encoding can wait
     * for the stream's output side.
     */
    void score(List<Incoming> batch, ModelOutput output, PrequentialEvaluator evaluator, Scored scored) {
        int j = 0;
        for (Incoming in : batch) {
            if (!in.ok()) {
                continue;
            }
            InferenceRecord r = in.record();
            if (r.label() != null) {
                int predicted = output.predictedClass(j);
                evaluator.record(predicted, r.label(), r.domain());
                scored.accept(predicted == r.label(), evaluator.windowError(), r.domain());
            }
            j++;
        }
    }

    /**
     * The records to produce for a batch: a prediction (JSON) for every decoded record and a dead
     * letter for every rejected one, in consumed order.
     *
     * @param now the time the batch was answered ({@code processedAtMs} of its predictions)
     */
    List<Output> encode(List<Incoming> batch, ModelOutput output, String strategy, long now) {
        List<Output> out = new ArrayList<>(batch.size());
        int j = 0;
        for (Incoming in : batch) {
            ConsumerRecord<byte[], byte[]> raw = in.raw();
            if (in.decoded() instanceof DecodeResult.Rejected rejected) {
                out.add(deadLetter(raw, rejected.reason(), now));
                continue;
            }
            InferenceRecord r = in.record();
            PredictionRecord p = new PredictionRecord(pipeline, strategy, r.id(), r.key(), raw.partition(), raw.offset(),
                    r.eventTimeMs(), r.domain(), r.label(), output.predictedClass(j), output.probabilitiesOf(j), output.modelVersion(), now);
            out.add(prediction(raw, p, now));
            j++;
        }
        return out;
    }

    /** The prediction's record, or the input's dead letter when the prediction cannot be encoded or does not fit. */
    private Output prediction(ConsumerRecord<byte[], byte[]> raw, PredictionRecord p, long now) {
        ProducerRecord<byte[], byte[]> record;
        try {
            record = new ProducerRecord<>(predictionsTopic, raw.key(), predictionCodec.encode(p));
        } catch (RuntimeException e) {
            return deadLetter(raw, "output-encoding: the prediction could not be encoded: " + e, now);
        }
        int size = io.ctta.streams.serde.RecordSize.of(record);
        if (size > maxOutputBytes) {
            return deadLetter(raw, "output-too-large: the prediction is " + size + " bytes, outputs may be at most " + maxOutputBytes
                    + " (ctta.kafka.producer.max-request-size, the topic's max.message.bytes)", now);
        }
        return new Output(record, Output.Kind.PREDICTION, fallback(raw, now), ref(raw));
    }

    /** The input's dead letter, its value cut to fit when it must be. */
    Output deadLetter(ConsumerRecord<byte[], byte[]> raw, String reason, long now) {
        return new Output(DeadLetters.deadLetter(deadLetterTopic, raw.topic(), raw.partition(), raw.offset(), raw.key(), raw.value(), raw.headers(),
                reason, now, maxOutputBytes), Output.Kind.DEAD_LETTER, fallback(raw, now), ref(raw));
    }

    /** The input's smallest dead letter (headers only): for a record whose output Kafka refused before. */
    Output bareDeadLetter(ConsumerRecord<byte[], byte[]> raw, String reason) {
        return new Output(fallback(raw, System.currentTimeMillis()).apply(reason), Output.Kind.DEAD_LETTER, null, ref(raw));
    }

    private static RecordRef ref(ConsumerRecord<byte[], byte[]> raw) {
        return new RecordRef(raw.topic(), raw.partition(), raw.offset());
    }

    private java.util.function.Function<String, ProducerRecord<byte[], byte[]>> fallback(ConsumerRecord<byte[], byte[]> raw, long now) {
        return reason -> DeadLetters.withoutValue(deadLetterTopic, raw.topic(), raw.partition(), raw.offset(), raw.key(), raw.value(),
                raw.headers(), reason, now);
    }

    /** Receives the score of each labelled prediction. */
    interface Scored {
        void accept(boolean correct, double windowError, String domain);
    }
}
