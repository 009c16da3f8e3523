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
 * rejected one, in the order they were consumed.
 */
final class BatchAssembler {

    private final String pipeline;
    private final String predictionsTopic;
    private final String deadLetterTopic;
    private final PredictionCodec predictionCodec = new PredictionCodec();

    BatchAssembler(String pipeline, String predictionsTopic, String deadLetterTopic) {
        this.pipeline = pipeline;
        this.predictionsTopic = predictionsTopic;
        this.deadLetterTopic = deadLetterTopic;
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
     * The records to produce for a batch.
     *
     * @param output the model's answer for the decoded records, or null when none decoded
     * @param evaluator scores labelled records (prequential: the prediction was made before any
     *     update on this batch)
     * @param scored called with (correct, window error) for every labelled record
     * @param strategy the strategy that made the predictions (it can change on a drift action)
     */
    List<ProducerRecord<byte[], byte[]>> outputs(List<Incoming> batch, ModelOutput output, PrequentialEvaluator evaluator, Scored scored, String strategy) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(batch.size());
        long now = System.currentTimeMillis();
        int j = 0;
        for (Incoming in : batch) {
            ConsumerRecord<byte[], byte[]> raw = in.raw();
            if (in.decoded() instanceof DecodeResult.Rejected rejected) {
                out.add(DeadLetters.deadLetter(deadLetterTopic, raw.topic(), raw.partition(), raw.offset(),
                        raw.key(), raw.value(), raw.headers(), rejected.reason()));
                continue;
            }
            InferenceRecord r = in.record();
            int predicted = output.predictedClass(j);
            PredictionRecord p = new PredictionRecord(pipeline, strategy, r.id(), r.key(), raw.partition(), raw.offset(),
                    r.eventTimeMs(), r.domain(), r.label(), predicted, output.probabilitiesOf(j), output.modelVersion(), now);
            out.add(new ProducerRecord<>(predictionsTopic, raw.key(), predictionCodec.encode(p)));
            if (r.label() != null) {
                evaluator.record(predicted, r.label(), r.domain());
                scored.accept(predicted == r.label(), evaluator.windowError(), r.domain());
            }
            j++;
        }
        return out;
    }

    /** Receives the score of each labelled prediction. */
    interface Scored {
        void accept(boolean correct, double windowError, String domain);
    }
}
