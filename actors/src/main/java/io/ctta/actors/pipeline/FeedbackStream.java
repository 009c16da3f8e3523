package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.ModelActor;
import io.ctta.streams.record.LabelFeedback;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.DeadLetters;
import io.ctta.streams.serde.FeedbackCodec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.kafka.CommitterSettings;
import org.apache.pekko.kafka.ConsumerMessage;
import org.apache.pekko.kafka.ConsumerSettings;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * The delayed-label graph of a pipeline: {@code <pipeline>.feedback} (record id and label, JSON)
 * in micro-batches to the model actor, which joins each label to the prediction it made for that
 * id and learns from the matched examples in stream order. Undecodable feedback goes to the
 * dead-letter topic. Offsets are committed after the model actor answered. The model actor scores
 * the released examples too (its evaluator is checkpointed with the joiner).
 */
final class FeedbackStream {

    private FeedbackStream() {}

    static Consumer.DrainingControl<Done> start(ActorSystem<?> system, PipelineConf conf, PipelineSupervisor.Deps deps, ActorRef<ModelActor.Command> model) {
        Map<String, String> kafka = new LinkedHashMap<>();
        deps.kafkaProperties().forEach((k, v) -> kafka.put(String.valueOf(k), String.valueOf(v)));
        ConsumerSettings<byte[], byte[]> consumer = ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperties(kafka)
                .withGroupId(conf.groupId() + "-feedback")
                .withProperties(PipelineStream.staticMembership(conf, "-feedback"))
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, conf.autoOffsetReset())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Properties producerProperties = deps.producerProperties();
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        // Kafka refusing one dead letter (too large, invalid) must not fail the stream: the sender
        // sends its smallest form instead, and if that is refused too the stream goes on.
        OutputSender sender = new OutputSender(conf.name(), producerProperties);
        FeedbackCodec codec = new FeedbackCodec();
        PipelineMetrics metrics = deps.metrics();
        String dlq = Topics.deadLetters(conf.name());
        Consumer.DrainingControl<Done> control = Consumer.committableSource(consumer, Subscriptions.topics(conf.feedback().topic()))
                .groupedWithin(conf.feedback().batchSize(), conf.feedback().maxLatency())
                .mapAsync(1, batch -> {
                    List<ModelActor.Label> labels = new ArrayList<>();
                    List<Output> dead = new ArrayList<>();
                    for (ConsumerMessage.CommittableMessage<byte[], byte[]> m : batch) {
                        var r = m.record();
                        try {
                            LabelFeedback f = codec.decode(r.value());
                            labels.add(new ModelActor.Label(f.id(), f.label(), f.eventTimeMs()));
                        } catch (RuntimeException e) {
                            long now = System.currentTimeMillis();
                            dead.add(new Output(DeadLetters.deadLetter(dlq, r.topic(), r.partition(), r.offset(), r.key(), r.value(), r.headers(),
                                    "undecodable feedback: " + e.getMessage(), now, deps.outputLimits().maxOutputBytes()),
                                    Output.Kind.DEAD_LETTER,
                                    reason -> DeadLetters.withoutValue(dlq, r.topic(), r.partition(), r.offset(), r.key(), r.value(), r.headers(), reason, now),
                                    new RecordRef(r.topic(), r.partition(), r.offset())));
                        }
                    }
                    ConsumerMessage.CommittableOffsetBatch offsets = ConsumerMessage.createCommittableOffsetBatch(
                            batch.stream().map(ConsumerMessage.CommittableMessage::committableOffset).toList());
                    CompletionStage<ModelActor.FeedbackResult> reply = AskPattern.ask(model, replyTo -> new ModelActor.Feedback(labels, replyTo),
                            conf.askTimeout(), system.scheduler());
                    return reply.thenCompose(result -> {
                        metrics.feedback(result.matched(), result.late(), result.unknown(), result.duplicate(), result.pending());
                        for (ModelActor.Scored s : result.scored()) {
                            metrics.scored(s.predicted() == s.label(), s.windowError());
                        }
                        result.steps().forEach(metrics::step);
                        // The offsets are committed once every dead letter of the batch was acknowledged (or given up on).
                        CompletableFuture<?>[] sent = dead.stream()
                                .map(d -> sender.send(d).thenAccept(delivered -> count(metrics, delivered)).toCompletableFuture())
                                .toArray(CompletableFuture[]::new);
                        return CompletableFuture.allOf(sent).thenApply(done -> (ConsumerMessage.Committable) offsets);
                    });
                })
                .toMat(Committer.sink(CommitterSettings.create(system)), Keep.both())
                .mapMaterializedValue(Consumer::createDrainingControl)
                .run(system);
        control.streamCompletion().whenComplete((d, f) -> sender.close());
        return control;
    }

    /** Counted once Kafka acknowledged the dead letter (or its smallest form). */
    private static void count(PipelineMetrics metrics, OutputSender.Delivered delivered) {
        switch (delivered) {
            case AS_IS, DEAD_LETTER_INSTEAD -> metrics.deadLettered(1);
            case LOST -> metrics.action(PipelineMetrics.OUTPUT_LOST);
            case NOTHING -> {
                // Nothing was to be sent.
            }
        }
    }
}
