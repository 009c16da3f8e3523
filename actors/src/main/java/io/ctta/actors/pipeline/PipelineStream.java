package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.drift.DriftEvent;
import io.ctta.actors.drift.DriftEventCodec;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
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
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.apache.pekko.kafka.javadsl.Producer;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * The Kafka graph of one pipeline:
 *
 * <pre>
 * committableSource(input, seek to the checkpoint on assignment) -> decode -> groupedWithin(size, latency)
 *   -> ask model actor -> predictions + dead letters -> produce -> commit released offsets
 * </pre>
 *
 * One source keeps the order of every partition; {@code mapAsync(1)} keeps one batch in the model
 * at a time, so a slow model backpressures the consumer (it stops polling) instead of queueing.
 * An offset is committed only after every record produced for it was acknowledged and, with
 * checkpoints on, only once a checkpoint reflecting it was written: a crash replays records
 * (at-least-once output) but the model never skips one and, resumed from its checkpoint, never
 * applies one twice.
 */
public final class PipelineStream {

    private PipelineStream() {}

    /**
     * Starts the graph.
     *
     * @param seekTo next offset per topic and partition to start from (the model's checkpoint);
     *     partitions not in it start from the group's committed position
     * @param checkpointsOn whether commits wait for checkpoints
     * @return the control that drains and stops the stream
     */
    public static Consumer.DrainingControl<Done> start(
            ActorSystem<?> system,
            PipelineConf conf,
            PipelineSupervisor.Deps deps,
            ActorRef<ModelActor.Command> model,
            Map<String, Map<Integer, Long>> seekTo) {
        Properties kafkaProperties = deps.kafkaProperties();
        RecordCodec codec = deps.codec();
        PipelineMetrics metrics = deps.metrics();
        boolean checkpointsOn = deps.checkpoints() != null;
        Outputs outputs = new Outputs(conf, deps);
        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperties(asMap(kafkaProperties))
                .withGroupId(conf.groupId())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, conf.autoOffsetReset())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(conf.sessionTimeout().toMillis()))
                // Bounds what one poll can buffer: with the batch size it caps memory per pipeline.
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(conf.batchSize(), 64)));
        ProducerSettings<byte[], byte[]> producerSettings = ProducerSettings.create(system, new ByteArraySerializer(), new ByteArraySerializer())
                .withProperties(asMap(kafkaProperties))
                .withProperty(ProducerConfig.ACKS_CONFIG, "all")
                .withProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true")
                .withProperty(ProducerConfig.LINGER_MS_CONFIG, "5");
        CommitterSettings committerSettings = CommitterSettings.create(system);

        var subscription = Subscriptions.topics(conf.inputTopic()).withPartitionAssignmentHandler(new SeekToCheckpoint(seekTo));

        return Consumer.committableSource(consumerSettings, subscription)
                .map(msg -> {
                    metrics.consumed(1);
                    var raw = msg.record();
                    return new Tracked(msg, new BatchAssembler.Incoming(raw, codec.decode(raw.key(), raw.value(), raw.headers())));
                })
                .groupedWithin(conf.batchSize(), conf.maxLatency())
                .mapAsync(1, batch -> serve(system, conf, model, outputs, batch, checkpointsOn))
                .mapConcat(envelopes -> envelopes)
                .via(Producer.flexiFlow(producerSettings))
                .map(ProducerMessage.Results::passThrough)
                .mapAsync(1, progress -> persist(system, conf, model, progress))
                .statefulMapConcat(ReleaseCommits::new)
                .toMat(Committer.sink(committerSettings), Keep.both())
                .mapMaterializedValue(Consumer::createDrainingControl)
                .run(system);
    }

    private record Tracked(ConsumerMessage.CommittableMessage<byte[], byte[]> msg, BatchAssembler.Incoming incoming) {}

    /**
     * What rides with each produced record: its input's offset, whether the offsets produced so
     * far may be committed once it is acknowledged (the last record of each batch, without
     * checkpoints), and the token of a checkpoint captured after its batch (0: none).
     */
    private record Progress(ConsumerMessage.CommittableOffset offset, boolean release, long checkpointToken) {
        Progress released() {
            return new Progress(offset, true, checkpointToken);
        }
    }

    /**
     * Once a batch's outputs are acknowledged, has the model actor write the checkpoint it
     * captured after that batch; the offsets produced so far are released for commit only if the
     * write succeeded. With no checkpoint token the progress passes through unchanged.
     */
    private static CompletionStage<Progress> persist(ActorSystem<?> system, PipelineConf conf, ActorRef<ModelActor.Command> model, Progress p) {
        if (p.checkpointToken() == 0) {
            return CompletableFuture.completedFuture(p);
        }
        return AskPattern.<ModelActor.Command, ModelActor.Persisted>ask(model, replyTo -> new ModelActor.Persist(p.checkpointToken(), replyTo),
                        conf.askTimeout(), system.scheduler())
                .thenApply(persisted -> persisted.offsets() == null ? p : p.released());
    }

    /** Collects acknowledged offsets and lets them through to the committer when released. */
    private static final class ReleaseCommits implements org.apache.pekko.japi.function.Function<Progress, Iterable<ConsumerMessage.Committable>> {
        private static final long serialVersionUID = 1L;
        private final List<ConsumerMessage.CommittableOffset> pending = new ArrayList<>();

        @Override
        public Iterable<ConsumerMessage.Committable> apply(Progress p) {
            pending.add(p.offset());
            if (!p.release()) {
                return List.of();
            }
            ConsumerMessage.CommittableOffsetBatch batch = ConsumerMessage.createCommittableOffsetBatch(pending);
            pending.clear();
            return List.of(batch);
        }
    }

    /** Seeks every assigned partition the checkpoint knows to the checkpoint's next offset. */
    private static final class SeekToCheckpoint implements PartitionAssignmentHandler {
        private final Map<String, Map<Integer, Long>> seekTo;

        SeekToCheckpoint(Map<String, Map<Integer, Long>> seekTo) {
            this.seekTo = seekTo;
        }

        @Override
        public void onAssign(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
            for (TopicPartition tp : assigned) {
                Long next = seekTo.getOrDefault(tp.topic(), Map.of()).get(tp.partition());
                if (next != null) {
                    consumer.seek(tp, next);
                }
            }
        }

        @Override
        public void onRevoke(Set<TopicPartition> revoked, RestrictedConsumer consumer) {}

        @Override
        public void onLost(Set<TopicPartition> lost, RestrictedConsumer consumer) {}

        @Override
        public void onStop(Set<TopicPartition> stopped, RestrictedConsumer consumer) {}
    }

    /**
     * Serves one micro-batch and returns one envelope per consumed record, in consumption order,
     * each carrying that record's own offset. One envelope per record (rather than one
     * {@code multi} envelope with an offset batch) keeps commit accounting per offset, which
     * pekko-connectors-kafka 1.2.0's committing stages need to drain cleanly.
     */
    private static CompletionStage<List<ProducerMessage.Envelope<byte[], byte[], Progress>>> serve(
            ActorSystem<?> system,
            PipelineConf conf,
            ActorRef<ModelActor.Command> model,
            Outputs outputs,
            List<Tracked> tracked,
            boolean checkpointsOn) {
        long formed = System.nanoTime();
        List<BatchAssembler.Incoming> batch = tracked.stream().map(Tracked::incoming).toList();
        int rejected = (int) batch.stream().filter(i -> !i.ok()).count();
        InputBatch input = outputs.assembler.inputOf(batch);
        PipelineMetrics metrics = outputs.deps.metrics();
        if (input == null) {
            metrics.deadLettered(rejected);
            // Nothing reached the model. Without checkpoints these offsets are committed once the
            // dead letters are acknowledged; with them they ride with the next released batch.
            List<ProducerRecord<byte[], byte[]>> records = outputs.assembler.outputs(batch, null, outputs.evaluator, metrics::scored, conf.strategy());
            return CompletableFuture.completedFuture(envelopes(tracked, records, List.of(), !checkpointsOn, 0));
        }
        Map<String, Map<Integer, Long>> next = nextOffsets(tracked);
        List<String> ids = new ArrayList<>(input.size());
        int[] labels = new int[input.size()];
        int k = 0;
        for (BatchAssembler.Incoming in : batch) {
            if (in.ok()) {
                ids.add(in.record().id());
                labels[k++] = in.record().label() == null ? -1 : in.record().label();
            }
        }
        CompletionStage<ModelActor.Result> reply = AskPattern.ask(model, replyTo -> new ModelActor.Predict(input, ids, labels, next, replyTo),
                conf.askTimeout(), system.scheduler());
        return reply.thenApply(result -> {
            if (result instanceof ModelActor.Failed failed) {
                // Failing the stream leaves these offsets uncommitted: the restarted stream serves them again.
                throw new IllegalStateException("pipeline " + conf.name() + ": " + failed.reason());
            }
            ModelActor.Predicted predicted = (ModelActor.Predicted) result;
            metrics.deadLettered(rejected);
            metrics.served(predicted.output(), System.nanoTime() - formed, predicted.serviceNanos());
            predicted.actions().forEach(metrics::action);
            metrics.step(predicted.learned());
            metrics.plasticity(predicted.plasticity());
            metrics.nativeBytes(predicted.nativeBytes());
            List<ProducerRecord<byte[], byte[]>> records = outputs.assembler.outputs(batch, predicted.output(), outputs.evaluator, metrics::scored, predicted.strategy());
            List<ProducerRecord<byte[], byte[]>> events = outputs.events(tracked, predicted, model);
            return envelopes(tracked, records, events, !checkpointsOn, predicted.checkpointToken());
        });
    }

    /** What the stream writes besides predictions: drift and action events, the dashboard's series. */
    private static final class Outputs {
        final PipelineConf conf;
        final PipelineSupervisor.Deps deps;
        final BatchAssembler assembler;
        final PrequentialEvaluator evaluator = PrequentialEvaluator.withDefaults();
        final DriftEventCodec driftCodec = new DriftEventCodec();
        final String driftTopic;

        Outputs(PipelineConf conf, PipelineSupervisor.Deps deps) {
            this.conf = conf;
            this.deps = deps;
            this.assembler = new BatchAssembler(conf.name(), Topics.predictions(conf.name()), Topics.deadLetters(conf.name()));
            this.driftTopic = Topics.drift(conf.name());
        }

        /** Feeds the drift monitor and the dashboard; returns the event records to produce. */
        List<ProducerRecord<byte[], byte[]>> events(List<Tracked> tracked, ModelActor.Predicted predicted, ActorRef<ModelActor.Command> model) {
            List<DriftMonitor.Observation> observations = new ArrayList<>();
            String lastDomain = null;
            int lastPartition = 0;
            long lastOffset = 0;
            for (Tracked t : tracked) {
                var raw = t.msg().record();
                lastPartition = raw.partition();
                lastOffset = raw.offset();
                if (t.incoming().ok()) {
                    var r = t.incoming().record();
                    observations.add(new DriftMonitor.Observation(raw.partition(), raw.offset(), r.features().values(), r.label()));
                    if (r.domain() != null) {
                        lastDomain = r.domain();
                    }
                }
            }
            List<DriftEvent> events = new ArrayList<>(deps.drift().observe(observations, predicted.output()));
            long now = System.currentTimeMillis();
            for (String action : predicted.actions()) {
                events.add(DriftEvent.action(conf.name(), predicted.strategy(), action, "guard", lastPartition, lastOffset, now));
            }
            List<DriftEvent> triggered = new ArrayList<>();
            for (DriftEvent e : events) {
                if (!"action".equals(e.level())) {
                    deps.series().drift(e);
                    deps.actions().onEvent(e).ifPresent(cmd -> {
                        model.tell(cmd);
                        String name = deps.actions().kind().wireName();
                        deps.metrics().action(name);
                        triggered.add(DriftEvent.action(conf.name(), predicted.strategy(), name, e.detector() + "/" + e.signal(), e.lastPartition(), e.lastOffset(), now));
                    });
                }
            }
            events.addAll(triggered);
            deps.series().batch(predicted.output(), evaluator.windowCount() > 0 ? 1 - evaluator.windowError() : null, lastDomain);
            List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>(events.size());
            for (DriftEvent e : events) {
                out.add(driftCodec.record(driftTopic, e));
            }
            return out;
        }
    }

    private static Map<String, Map<Integer, Long>> nextOffsets(List<Tracked> tracked) {
        Map<String, Map<Integer, Long>> next = new HashMap<>();
        for (Tracked t : tracked) {
            var r = t.msg().record();
            next.computeIfAbsent(r.topic(), k -> new TreeMap<>()).merge(r.partition(), r.offset() + 1, Math::max);
        }
        return next;
    }

    /**
     * One envelope per consumed record (its prediction or dead letter), with the batch's events
     * before the last one: the last envelope carries the release flag and the checkpoint token, so
     * the events, too, are acknowledged before anything is committed.
     */
    private static List<ProducerMessage.Envelope<byte[], byte[], Progress>> envelopes(List<Tracked> tracked,
            List<ProducerRecord<byte[], byte[]>> records, List<ProducerRecord<byte[], byte[]>> events, boolean releaseAtEnd, long checkpointToken) {
        List<ProducerMessage.Envelope<byte[], byte[], Progress>> out = new ArrayList<>(records.size() + events.size());
        int last = records.size() - 1;
        for (int i = 0; i < last; i++) {
            out.add(ProducerMessage.single(records.get(i), new Progress(tracked.get(i).msg().committableOffset(), false, 0)));
        }
        ConsumerMessage.CommittableOffset lastOffset = tracked.get(last).msg().committableOffset();
        for (ProducerRecord<byte[], byte[]> e : events) {
            out.add(ProducerMessage.single(e, new Progress(lastOffset, false, 0)));
        }
        out.add(ProducerMessage.single(records.get(last), new Progress(lastOffset, releaseAtEnd, checkpointToken)));
        return out;
    }

    private static Map<String, String> asMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
        return m;
    }
}
