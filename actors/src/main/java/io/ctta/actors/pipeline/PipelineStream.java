package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.ProducerMessage;
import org.apache.pekko.kafka.ProducerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * The Kafka graph of one pipeline:
 *
 * <pre>
 * committableSource(input) -> decode -> groupedWithin(size, latency) -> ask model actor
 *   -> predictions + dead letters -> committableSink (offsets committed after the produce)
 * </pre>
 *
 * One source keeps the order of every partition; {@code mapAsync(1)} keeps one batch in the model
 * at a time, so a slow model backpressures the consumer (it stops polling) instead of queueing.
 * An offset is committed only after every record produced for it was acknowledged, so a crash
 * replays records (at-least-once) but never skips one.
 */
public final class PipelineStream {

    private PipelineStream() {}

    /**
     * Starts the graph.
     *
     * @param kafkaProperties bootstrap servers and client security settings
     * @param codec decodes and validates input records
     * @return the control that drains and stops the stream
     */
    public static Consumer.DrainingControl<Done> start(
            ActorSystem<?> system,
            PipelineConf conf,
            Properties kafkaProperties,
            RecordCodec codec,
            ActorRef<ModelActor.Command> model,
            PipelineMetrics metrics) {
        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperties(asMap(kafkaProperties))
                .withGroupId(conf.groupId())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, conf.autoOffsetReset())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                // Bounds what one poll can buffer: with the batch size it caps memory per pipeline.
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(conf.batchSize(), 64)));
        ProducerSettings<byte[], byte[]> producerSettings = ProducerSettings.create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withProperties(asMap(kafkaProperties))
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        CommitterSettings committerSettings = CommitterSettings.create(system);

        BatchAssembler assembler = new BatchAssembler(conf.name(), conf.strategy(), Topics.predictions(conf.name()), Topics.deadLetters(conf.name()));
        PrequentialEvaluator evaluator = PrequentialEvaluator.withDefaults();

        return Consumer.committableSource(consumerSettings, Subscriptions.topics(conf.inputTopic()))
                .map(msg -> {
                    metrics.consumed(1);
                    var raw = msg.record();
                    return new Tracked(msg, new BatchAssembler.Incoming(raw, codec.decode(raw.key(), raw.value(), raw.headers())));
                })
                .groupedWithin(conf.batchSize(), conf.maxLatency())
                .mapAsync(1, batch -> serve(system, conf, model, assembler, evaluator, metrics, batch))
                .mapConcat(envelopes -> envelopes)
                .toMat(Producer.committableSink(producerSettings, committerSettings), Keep.both())
                .mapMaterializedValue(Consumer::createDrainingControl)
                .run(system);
    }

    private record Tracked(ConsumerMessage.CommittableMessage<byte[], byte[]> msg, BatchAssembler.Incoming incoming) {}

    /**
     * Serves one micro-batch and returns one envelope per consumed record, in consumption order,
     * each carrying that record's own offset. One envelope per record (rather than one
     * {@code multi} envelope with an offset batch) matters: pekko-connectors-kafka 1.2.0's
     * committing sink counts outstanding commits per envelope but subtracts per offset, so a
     * batched pass-through drives its counter negative and {@code drainAndShutdown} never completes.
     */
    private static CompletionStage<List<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.Committable>>> serve(
            ActorSystem<?> system,
            PipelineConf conf,
            ActorRef<ModelActor.Command> model,
            BatchAssembler assembler,
            PrequentialEvaluator evaluator,
            PipelineMetrics metrics,
            List<Tracked> tracked) {
        long formed = System.nanoTime();
        List<BatchAssembler.Incoming> batch = tracked.stream().map(Tracked::incoming).toList();
        int rejected = (int) batch.stream().filter(i -> !i.ok()).count();
        InputBatch input = assembler.inputOf(batch);
        if (input == null) {
            metrics.deadLettered(rejected);
            return CompletableFuture.completedFuture(envelopes(tracked, assembler.outputs(batch, null, evaluator, metrics::scored)));
        }
        CompletionStage<ModelActor.Result> reply = AskPattern.ask(model, replyTo -> new ModelActor.Predict(input, replyTo), conf.askTimeout(), system.scheduler());
        return reply.thenApply(result -> {
            if (result instanceof ModelActor.Failed failed) {
                // Failing the stream leaves these offsets uncommitted: the restarted stream serves them again.
                throw new IllegalStateException("pipeline " + conf.name() + ": " + failed.reason());
            }
            ModelActor.Predicted predicted = (ModelActor.Predicted) result;
            metrics.deadLettered(rejected);
            metrics.served(predicted.output(), System.nanoTime() - formed, predicted.serviceNanos());
            return envelopes(tracked, assembler.outputs(batch, predicted.output(), evaluator, metrics::scored));
        });
    }

    private static List<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.Committable>> envelopes(
            List<Tracked> tracked, List<ProducerRecord<byte[], byte[]>> records) {
        List<ProducerMessage.Envelope<byte[], byte[], ConsumerMessage.Committable>> out = new java.util.ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            out.add(ProducerMessage.single(records.get(i), (ConsumerMessage.Committable) tracked.get(i).msg().committableOffset()));
        }
        return out;
    }

    private static java.util.Map<String, String> asMap(Properties p) {
        java.util.Map<String, String> m = new java.util.HashMap<>();
        p.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
        return m;
    }
}
