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
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.Producer;
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
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, conf.autoOffsetReset())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        ProducerSettings<byte[], byte[]> producer = ProducerSettings.create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withProperties(asStrings(deps.producerProperties()));
        FeedbackCodec codec = new FeedbackCodec();
        PipelineMetrics metrics = deps.metrics();
        String dlq = Topics.deadLetters(conf.name());
        return Consumer.committableSource(consumer, Subscriptions.topics(conf.feedback().topic()))
                .groupedWithin(conf.feedback().batchSize(), conf.feedback().maxLatency())
                .mapAsync(1, batch -> {
                    List<ModelActor.Label> labels = new ArrayList<>();
                    List<ProducerRecord<byte[], byte[]>> dead = new ArrayList<>();
                    for (ConsumerMessage.CommittableMessage<byte[], byte[]> m : batch) {
                        var r = m.record();
                        try {
                            LabelFeedback f = codec.decode(r.value());
                            labels.add(new ModelActor.Label(f.id(), f.label(), f.eventTimeMs()));
                        } catch (RuntimeException e) {
                            dead.add(DeadLetters.deadLetter(dlq, r.topic(), r.partition(), r.offset(), r.key(), r.value(), r.headers(),
                                    "undecodable feedback: " + e.getMessage(), System.currentTimeMillis(), deps.outputLimits().maxOutputBytes()));
                        }
                    }
                    ConsumerMessage.CommittableOffsetBatch offsets = ConsumerMessage.createCommittableOffsetBatch(
                            batch.stream().map(ConsumerMessage.CommittableMessage::committableOffset).toList());
                    CompletionStage<ModelActor.FeedbackResult> reply = AskPattern.ask(model, replyTo -> new ModelActor.Feedback(labels, replyTo),
                            conf.askTimeout(), system.scheduler());
                    return reply.thenApply(result -> {
                        metrics.feedback(result.matched(), result.late(), result.unknown(), result.duplicate(), result.pending());
                        for (ModelActor.Scored s : result.scored()) {
                            metrics.scored(s.predicted() == s.label(), s.windowError());
                        }
                        result.steps().forEach(metrics::step);
                        return dead.isEmpty()
                                ? ProducerMessage.<byte[], byte[], ConsumerMessage.Committable>passThrough(offsets)
                                : ProducerMessage.<byte[], byte[], ConsumerMessage.Committable>multi(dead, offsets);
                    });
                })
                .via(Producer.flexiFlow(producer))
                .map(results -> {
                    // Counted once acknowledged.
                    if (results instanceof ProducerMessage.MultiResult<byte[], byte[], ConsumerMessage.Committable> multi) {
                        metrics.deadLettered(multi.getParts().size());
                    }
                    return results.passThrough();
                })
                .toMat(Committer.sink(CommitterSettings.create(system)), Keep.both())
                .mapMaterializedValue(Consumer::createDrainingControl)
                .run(system);
    }

    private static Map<String, String> asStrings(java.util.Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
        return m;
    }
}
