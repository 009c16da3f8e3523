package io.ctta.actors.pipeline;

import io.ctta.actors.config.CttaSettings.PipelineConf;
import io.ctta.actors.drift.DriftEvent;
import io.ctta.actors.drift.DriftEventCodec;
import io.ctta.actors.drift.DriftMonitor;
import io.ctta.actors.metrics.PipelineMetrics;
import io.ctta.actors.metrics.StageClock;
import io.ctta.actors.model.ModelActor;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.eval.PrequentialEvaluator;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import java.time.Duration;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongFunction;
import java.util.Optional;
import io.ctta.streams.serde.DecodeResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
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
import org.apache.pekko.kafka.RestrictedConsumer;
import org.apache.pekko.kafka.Subscriptions;
import org.apache.pekko.kafka.javadsl.Committer;
import org.apache.pekko.kafka.javadsl.Consumer;
import org.apache.pekko.kafka.javadsl.PartitionAssignmentHandler;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RunnableGraph;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.NotUsed;
import io.ctta.runtime.data.ModelOutput;
import java.util.function.Supplier;

/**
 * The Kafka graph of one pipeline:
 *
 * <pre>
 * committableSource(input, seek to the checkpoint on assignment) -> decode -> drop replays
 *   -> groupedWithin(size, latency) -> ask model actor -> predictions + dead letters + events
 *   -> at-least-once: produce -> commit released offsets
 *   -> exactly-once:  one transaction per checkpoint (outputs, checkpoint pointer, input offsets)
 * </pre>
 *
 * One source keeps the order of every partition; {@code mapAsync(1)} keeps one batch in the model
 * at a time, so a slow model backpressures the consumer (it stops polling) instead of queueing.
 * The ask runs in an island of its own with one formed batch waiting before it, so polling,
 * decoding, encoding predictions (JSON) and producing overlap the model's work instead of
 * delaying its next batch (docs/benchmarks/pipeline.md measures what that gained).
 * At least once: an offset is committed only after every record produced for it was acknowledged
 * and, with checkpoints on, only once a checkpoint reflecting it was written: a crash replays
 * records (their predictions may appear twice) but the model never skips one and, resumed from
 * its checkpoint, never applies one twice. Exactly once: see {@link TransactionalOutput}.
 *
 * <p>A rebalance that takes partitions away and gives them back makes the consumer fetch from the
 * committed offset again; records the stream already passed on are dropped before the model
 * ({@link ReplayFilter}), so adaptation never sees a record twice within a run.
 */
public final class PipelineStream {

    private PipelineStream() {}

    /**
     * Starts the graph.
     *
     * @param seekTo next offset per topic and partition to start from (the model's checkpoint);
     *     partitions not in it start from the group's committed position
     * @param quarantine records to serve one at a time, and records to dead-letter unserved
     * @param state the drift monitor and evaluator, already restored to the checkpoint of {@code seekTo}
     * @return the control that drains and stops the stream
     */
    public static Consumer.DrainingControl<Done> start(
            ActorSystem<?> system,
            PipelineConf conf,
            PipelineSupervisor.Deps deps,
            ActorRef<ModelActor.Command> model,
            Map<String, Map<Integer, Long>> seekTo,
            PoisonRecords.View quarantine,
            StreamState state) {
        Map<TopicPartition, Long> passedOn = new ConcurrentHashMap<>();
        var subscription = Subscriptions.topics(conf.inputTopic()).withPartitionAssignmentHandler(new SeekToCheckpoint(seekTo, passedOn, model));
        var source = Consumer.committableSource(consumerSettings(system, conf, deps), subscription);
        return Consumer.createDrainingControl(body(source, system, conf, deps, model, seekTo, passedOn, quarantine, state, null, null).run(system));
    }

    /** The input consumer's settings of {@code conf}. */
    static ConsumerSettings<byte[], byte[]> consumerSettings(ActorSystem<?> system, PipelineConf conf, PipelineSupervisor.Deps deps) {
        ConsumerSettings<byte[], byte[]> consumerSettings = ConsumerSettings.create(system, new ByteArrayDeserializer(), new ByteArrayDeserializer())
                .withProperties(asMap(deps.kafkaProperties()))
                .withGroupId(conf.groupId())
                .withProperty(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, conf.autoOffsetReset())
                .withProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false")
                .withProperty(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, String.valueOf(conf.sessionTimeout().toMillis()))
                .withProperties(staticMembership(conf, ""))
                // Bounds what one poll can buffer: with the batch size it caps memory per pipeline.
                .withProperty(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, String.valueOf(Math.max(conf.batchSize(), 64)));
        if (conf.output().exactlyOnce()) {
            // Input written in transactions is read once they commit; aborted input is never served.
            consumerSettings = consumerSettings.withProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        }
        return consumerSettings;
    }

    /**
     * Everything after the consumer, for one model: what {@code messages} brings is decoded, batched,
     * served by {@code model} and produced, and its offsets committed. {@link #start} runs it over
     * the pipeline's consumer; a partition-scoped pipeline ({@link PartitionedStream}) over each
     * partition's sub-source with that partition's model.
     *
     * @param passedOn next offset per partition passed on to the model, kept for re-seeks after a rebalance
     * @param cut when aborted, ends the graph between the model and the outputs at once, a batch
     *     waiting for the model dropped (the model is gone); null: none
     * @param unitTx exactly-once: the writer of this model's transactions, already opened (a
     *     partition's model); null: the graph makes the pipeline's own
     * @return the graph, materializing the source's value and the completion of its sink
     */
    static <M> RunnableGraph<org.apache.pekko.japi.Pair<M, CompletionStage<Done>>> body(
            Source<ConsumerMessage.CommittableMessage<byte[], byte[]>, M> messages,
            ActorSystem<?> system,
            PipelineConf conf,
            PipelineSupervisor.Deps deps,
            ActorRef<ModelActor.Command> model,
            Map<String, Map<Integer, Long>> seekTo,
            Map<TopicPartition, Long> passedOn,
            PoisonRecords.View quarantine,
            StreamState state,
            org.apache.pekko.stream.SharedKillSwitch cut,
            TransactionalOutput unitTx) {
        InputDecoder codec = deps.codec();
        PipelineMetrics metrics = deps.metrics();
        boolean checkpointsOn = deps.checkpoints() != null;
        boolean exactlyOnce = conf.output().exactlyOnce();
        Outputs outputs = new Outputs(conf, deps, state);

        Source<List<Tracked>, M> batches = messages
                .map(msg -> {
                    long t0 = System.nanoTime();
                    metrics.consumed(1);
                    var raw = msg.record();
                    RecordRef ref = new RecordRef(raw.topic(), raw.partition(), raw.offset());
                    Fate fate = Fate.of(quarantine, ref);
                    DecodeResult decoded = fate == Fate.SERVE ? codec.decode(raw.key(), raw.value(), raw.headers()) : new DecodeResult.Rejected(fate.reason(quarantine, ref));
                    metrics.stages().since(StageClock.Stage.DECODE, t0);
                    return new Tracked(msg, new BatchAssembler.Incoming(raw, decoded), fate);
                })
                .statefulMapConcat(() -> new ReplayFilter(seekTo, passedOn))
                .groupedWithin(conf.batchSize(), conf.maxLatency())
                .mapConcat(batch -> isolateSuspects(batch, quarantine.suspects()));
        if (checkpointsOn) {
            // A checkpoint is otherwise captured only after a batch: an empty batch now and then lets
            // the time trigger fire on a quiet stream too, so its last records get their checkpoint,
            // their commit and (exactly once) their transaction. Completes with the input.
            Duration every = exactlyOnce ? half(conf.output().transactionInterval()) : QUIET_TICK;
            batches = batches.merge(Source.tick(every, every, List.<Tracked>of()), true);
        }
        // The model's side of the graph in an island of its own, holding one batch in waiting: the
        // next batch is asked for as soon as the model answered, while the stream's own actor
        // polls, decodes, encodes and produces. JSON encoding happens there, not on the model's
        // thread, where the reply's callbacks run.
        Flow<List<Tracked>, Served, NotUsed> serving = Flow.<List<Tracked>>create()
                .mapAsync(1, batch -> batch.isEmpty() ? captureIfDue(system, conf, model, state) : serve(system, conf, model, outputs, batch, checkpointsOn))
                .addAttributes(Attributes.inputBuffer(1, 1))
                .async();
        Source<Served, M> served = batches.via(serving);
        if (cut != null) {
            served = served.via(cut.flow());
        }
        served = served.via(Flow.<Served>create().map(s -> s.encoded(metrics.stages())).addAttributes(Attributes.inputBuffer(1, 1)));

        if (exactlyOnce) {
            TransactionalOutput tx = unitTx != null ? unitTx : new TransactionalOutput(conf.name(), Topics.checkpoints(conf.name()), conf.groupId(),
                    conf.output().transactionalId(), deps.producerProperties(), metrics);
            LongFunction<CompletionStage<ModelActor.Persisted>> persist = token -> AskPattern.ask(model,
                    replyTo -> new ModelActor.Persist(token, replyTo), conf.askTimeout(), system.scheduler());
            return served
                    .map(Optional::of)
                    // The end of a drained run: one more checkpoint and the last transaction.
                    .concat(Source.single(Optional.<Served>empty()))
                    .mapAsync(1, s -> s.isPresent()
                            ? tx.write(s.get().all(), s.get().checkpointToken(), persist)
                            : tx.finish(() -> AskPattern.ask(model, replyTo -> new ModelActor.Flush(state.sections(), replyTo), conf.askTimeout(), system.scheduler())))
                    .toMat(Sink.ignore(), Keep.both())
                    .mapMaterializedValue(m -> {
                        m.second().whenComplete((d, f) -> tx.close());
                        return m;
                    });
        }

        Properties producerProperties = deps.producerProperties();
        producerProperties.put(ProducerConfig.ACKS_CONFIG, "all");
        producerProperties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        producerProperties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        OutputSender sender = new OutputSender(conf.name(), producerProperties);
        CommitterSettings committerSettings = CommitterSettings.create(system);
        return served
                .mapConcat(s -> s.outgoing(!checkpointsOn))
                // In order: each output completes once acknowledged (or replaced by its dead letter),
                // and only then is it counted and its offset may be committed.
                .mapAsync(SENDS_IN_FLIGHT, o -> {
                    if (o.output() == null) {
                        return CompletableFuture.completedFuture(o.progress());
                    }
                    long sent = System.nanoTime();
                    CompletionStage<OutputSender.Delivered> acked = sender.send(o.output());
                    metrics.stages().since(StageClock.Stage.PRODUCE, sent);
                    return acked.thenApply(delivered -> {
                        metrics.stages().since(StageClock.Stage.ACK, sent);
                        count(metrics, o.output().kind(), delivered);
                        return o.progress();
                    });
                })
                .mapAsync(1, progress -> persist(system, conf, model, progress, metrics.stages()))
                .statefulMapConcat(ReleaseCommits::new)
                .toMat(Committer.sink(committerSettings), Keep.both())
                .mapMaterializedValue(m -> {
                    m.second().whenComplete((d, f) -> sender.close());
                    return m;
                });
    }

    /** Outputs awaiting their acknowledgement at once (the producer batches them); the bound of that stage. */
    public static final int SENDS_IN_FLIGHT = 1024;

    /** Counts what reached Kafka for one output. */
    private static void count(PipelineMetrics metrics, Output.Kind kind, OutputSender.Delivered delivered) {
        switch (delivered) {
            case AS_IS -> {
                if (kind == Output.Kind.PREDICTION) {
                    metrics.predictionsProduced(1);
                } else if (kind == Output.Kind.DEAD_LETTER) {
                    metrics.deadLettered(1);
                }
            }
            case DEAD_LETTER_INSTEAD -> metrics.deadLettered(1);
            case LOST -> metrics.action(PipelineMetrics.OUTPUT_LOST);
            case NOTHING -> {
                // Counted as lost when the run decided to write nothing for it.
            }
        }
    }

    /** A batch holding a suspect of crashing the model is served one record at a time. */
    private static List<List<Tracked>> isolateSuspects(List<Tracked> batch, Set<RecordRef> suspects) {
        if (suspects.isEmpty() || batch.size() == 1 || batch.stream().noneMatch(t -> suspects.contains(t.ref()))) {
            return List.of(batch);
        }
        return batch.stream().map(List::of).toList();
    }

    /**
     * Drops records at or before the last one already passed on from the same partition, and
     * before the checkpoint the run started from: after a rebalance the consumer fetches again from
     * the committed offset, and the model must not see those records twice. Keeps
     * {@code passedOn} (next offset per partition) for the assignment handler's seek.
     */
    private static final class ReplayFilter implements org.apache.pekko.japi.function.Function<Tracked, Iterable<Tracked>> {
        private static final long serialVersionUID = 1L;
        private final Map<TopicPartition, Long> next = new HashMap<>();
        private final Map<TopicPartition, Long> passedOn;

        ReplayFilter(Map<String, Map<Integer, Long>> seekTo, Map<TopicPartition, Long> passedOn) {
            this.passedOn = passedOn;
            seekTo.forEach((topic, parts) -> parts.forEach((p, o) -> next.put(new TopicPartition(topic, p), o)));
        }

        @Override
        public Iterable<Tracked> apply(Tracked t) {
            var r = t.msg().record();
            TopicPartition tp = new TopicPartition(r.topic(), r.partition());
            Long n = next.get(tp);
            if (n != null && r.offset() < n) {
                return List.of();
            }
            next.put(tp, r.offset() + 1);
            passedOn.put(tp, r.offset() + 1);
            return List.of(t);
        }
    }

    /**
     * What one served batch produces, in consumption order: a prediction or dead letter per record,
     * and the batch's events.
     *
     * @param checkpointToken the checkpoint captured after this batch (0: none)
     */
    private record Served(List<Tracked> tracked, List<Output> records, List<Output> events, long checkpointToken,
            Supplier<List<Output>> pending) {

        Served(List<Tracked> tracked, List<Output> records, List<Output> events, long checkpointToken) {
            this(tracked, records, events, checkpointToken, null);
        }

        /** With its records made: the predictions encoded, off the model's thread. */
        Served encoded(StageClock stages) {
            if (pending == null) {
                return this;
            }
            long t0 = System.nanoTime();
            Served s = new Served(tracked, pending.get(), events, checkpointToken, null);
            stages.since(StageClock.Stage.ENCODE, t0);
            return s;
        }

        List<Output> all() {
            List<Output> out = new ArrayList<>(records.size() + events.size());
            out.addAll(records);
            out.addAll(events);
            return out;
        }

        /**
         * One output per consumed record (its prediction or dead letter), with the batch's events
         * before the last one: the last carries the release flag and the checkpoint token, so the
         * events, too, are acknowledged before anything is committed. Commit accounting stays per
         * offset, which pekko-connectors-kafka 1.2.0's committing stages need to drain cleanly.
         */
        List<Outgoing> outgoing(boolean releaseAtEnd) {
            if (records.isEmpty()) {
                // A checkpoint captured on a quiet stream: nothing to produce, but once it is
                // written the offsets acknowledged so far are released.
                return checkpointToken == 0 ? List.of() : List.of(new Outgoing(null, new Progress(null, false, checkpointToken)));
            }
            List<Outgoing> out = new ArrayList<>(records.size() + events.size());
            int last = records.size() - 1;
            for (int i = 0; i < last; i++) {
                out.add(new Outgoing(records.get(i), new Progress(tracked.get(i).msg().committableOffset(), false, 0)));
            }
            ConsumerMessage.CommittableOffset lastOffset = tracked.get(last).msg().committableOffset();
            for (Output e : events) {
                out.add(new Outgoing(e, new Progress(lastOffset, false, 0)));
            }
            out.add(new Outgoing(records.get(last), new Progress(lastOffset, releaseAtEnd, checkpointToken)));
            return out;
        }
    }

    /** An output (null: nothing to produce) and the progress it carries. */
    private record Outgoing(Output output, Progress progress) {}

    /** What a run does with a consumed record, from what earlier runs learned ({@link PoisonRecords}). */
    private enum Fate {
        /** Decode it and serve it. */
        SERVE,
        /** Dead-letter it: it crashed the model too often. */
        POISONED,
        /** Kafka refused its output: a bare dead letter instead. */
        BARE,
        /** Kafka refused its bare dead letter too: nothing. */
        DROPPED;

        static Fate of(PoisonRecords.View q, RecordRef ref) {
            return q.dropped().containsKey(ref) ? DROPPED : q.bare().containsKey(ref) ? BARE : q.poisoned().containsKey(ref) ? POISONED : SERVE;
        }

        String reason(PoisonRecords.View q, RecordRef ref) {
            return switch (this) {
                case POISONED -> q.poisoned().get(ref);
                case BARE, DROPPED -> "output-refused: Kafka refused the record's output: " + (this == BARE ? q.bare() : q.dropped()).get(ref);
                case SERVE -> throw new IllegalStateException("served records have no reason");
            };
        }
    }

    /** A consumed record, decoded, and what this run does with it. */
    private record Tracked(ConsumerMessage.CommittableMessage<byte[], byte[]> msg, BatchAssembler.Incoming incoming, Fate fate) {
        RecordRef ref() {
            var r = msg.record();
            return new RecordRef(r.topic(), r.partition(), r.offset());
        }
    }

    /**
     * What rides with each produced record: its input's offset (null for a checkpoint captured on a
     * quiet stream), whether the offsets produced so far may be committed once it is acknowledged
     * (the last record of each batch, without checkpoints), and the token of a checkpoint captured
     * after its batch (0: none).
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
    private static CompletionStage<Progress> persist(ActorSystem<?> system, PipelineConf conf, ActorRef<ModelActor.Command> model, Progress p,
            StageClock stages) {
        if (p.checkpointToken() == 0) {
            return CompletableFuture.completedFuture(p);
        }
        long asked = System.nanoTime();
        return AskPattern.<ModelActor.Command, ModelActor.Persisted>ask(model, replyTo -> new ModelActor.Persist(p.checkpointToken(), replyTo),
                        conf.askTimeout(), system.scheduler())
                .thenApply(persisted -> {
                    stages.since(StageClock.Stage.COMMIT, asked);
                    return persisted.offsets() == null ? p : p.released();
                });
    }

    /** Collects acknowledged offsets and lets them through to the committer when released. */
    private static final class ReleaseCommits implements org.apache.pekko.japi.function.Function<Progress, Iterable<ConsumerMessage.Committable>> {
        private static final long serialVersionUID = 1L;
        private final List<ConsumerMessage.CommittableOffset> pending = new ArrayList<>();

        @Override
        public Iterable<ConsumerMessage.Committable> apply(Progress p) {
            if (p.offset() != null) {
                pending.add(p.offset());
            }
            if (!p.release() || pending.isEmpty()) {
                return List.of();
            }
            ConsumerMessage.CommittableOffsetBatch batch = ConsumerMessage.createCommittableOffsetBatch(pending);
            pending.clear();
            return List.of(batch);
        }
    }

    /**
     * Seeks every assigned partition to where this run must go on: past what the stream already
     * passed on to the model, else the checkpoint's next offset. A revocation asks the model actor
     * for a checkpoint after its next batch, so the partitions' new owner (or this one, when they
     * come back) resumes close to where the model is.
     */
    private static final class SeekToCheckpoint implements PartitionAssignmentHandler {
        private final Map<String, Map<Integer, Long>> seekTo;
        private final Map<TopicPartition, Long> passedOn;
        private final ActorRef<ModelActor.Command> model;

        SeekToCheckpoint(Map<String, Map<Integer, Long>> seekTo, Map<TopicPartition, Long> passedOn, ActorRef<ModelActor.Command> model) {
            this.seekTo = seekTo;
            this.passedOn = passedOn;
            this.model = model;
        }

        @Override
        public void onAssign(Set<TopicPartition> assigned, RestrictedConsumer consumer) {
            for (TopicPartition tp : assigned) {
                Long checkpoint = seekTo.getOrDefault(tp.topic(), Map.of()).get(tp.partition());
                Long passed = passedOn.get(tp);
                if (passed != null && checkpoint != null) {
                    consumer.seek(tp, Math.max(passed, checkpoint));
                } else if (passed != null) {
                    consumer.seek(tp, passed);
                } else if (checkpoint != null) {
                    consumer.seek(tp, checkpoint);
                }
            }
        }

        @Override
        public void onRevoke(Set<TopicPartition> revoked, RestrictedConsumer consumer) {
            if (!revoked.isEmpty()) {
                model.tell(ModelActor.CheckpointNow.INSTANCE);
            }
        }

        @Override
        public void onLost(Set<TopicPartition> lost, RestrictedConsumer consumer) {}

        @Override
        public void onStop(Set<TopicPartition> stopped, RestrictedConsumer consumer) {}
    }

    private static Duration half(Duration d) {
        Duration h = d.dividedBy(2);
        return h.toMillis() < 10 ? Duration.ofMillis(10) : h;
    }

    /** How often an at-least-once pipeline checks whether its checkpoint time trigger fired. */
    private static final Duration QUIET_TICK = Duration.ofSeconds(1);

    /** A checkpoint of what the model applied so far if one is due, in stream order; nothing to produce. */
    private static CompletionStage<Served> captureIfDue(ActorSystem<?> system, PipelineConf conf, ActorRef<ModelActor.Command> model, StreamState state) {
        return AskPattern.<ModelActor.Command, ModelActor.Captured>ask(model, ModelActor.CaptureIfDue::new, conf.askTimeout(), system.scheduler())
                .thenApply(c -> {
                    attachStreamState(model, c.token(), state);
                    return new Served(List.of(), List.of(), List.of(), c.token());
                });
    }

    /**
     * A checkpoint was captured after the batch this stage just handled: the drift monitor and the
     * evaluator have seen exactly the same records as the model, so their snapshot joins it. The
     * tell precedes the checkpoint's {@code Persist}, which is sent only once the batch's outputs
     * are acknowledged, after this stage returned.
     */
    private static void attachStreamState(ActorRef<ModelActor.Command> model, long token, StreamState state) {
        if (token != 0) {
            model.tell(new ModelActor.AttachStreamState(token, state.sections()));
        }
    }

    /** Serves one micro-batch: asks the model for the decoded records, keeps rejects in place. */
    private static CompletionStage<Served> serve(
            ActorSystem<?> system,
            PipelineConf conf,
            ActorRef<ModelActor.Command> model,
            Outputs outputs,
            List<Tracked> tracked,
            boolean checkpointsOn) {
        long formed = System.nanoTime();
        PipelineMetrics metrics = outputs.deps.metrics();
        StageClock stages = metrics.stages();
        List<BatchAssembler.Incoming> batch = tracked.stream().map(Tracked::incoming).toList();
        InputBatch input = outputs.assembler.inputOf(batch);
        stages.since(StageClock.Stage.BATCH, formed);
        List<Output> poisonEvents = outputs.poisonEvents(tracked);
        Map<String, Map<Integer, Long>> next = nextOffsets(tracked);
        if (input == null) {
            if (checkpointsOn) {
                // Nothing reached the model; its next checkpoint still covers these offsets, so a
                // resume does not dead-letter them again.
                model.tell(new ModelActor.Passed(next));
            }
            List<Output> records = outputs.refusedBefore(tracked, outputs.assembler.outputs(batch, null, outputs.evaluator, metrics::scored, conf.strategy()));
            return CompletableFuture.completedFuture(new Served(tracked, records, poisonEvents, 0));
        }
        List<String> ids = new ArrayList<>(input.size());
        List<String> keys = new ArrayList<>(input.size());
        List<RecordRef> served = new ArrayList<>(input.size());
        int[] labels = new int[input.size()];
        int k = 0;
        for (Tracked t : tracked) {
            BatchAssembler.Incoming in = t.incoming();
            if (in.ok()) {
                ids.add(in.record().id());
                keys.add(in.record().key());
                served.add(t.ref());
                labels[k++] = in.record().label() == null ? -1 : in.record().label();
            }
        }
        long asked = System.nanoTime();
        CompletionStage<ModelActor.Result> reply = AskPattern.ask(model, replyTo -> new ModelActor.Predict(input, ids, labels, next, replyTo, keys),
                conf.askTimeout(), system.scheduler());
        return reply.thenApply(result -> {
            long answered = System.nanoTime();
            if (result instanceof ModelActor.Failed failed) {
                // Failing the stream leaves these offsets uncommitted: the restarted stream serves
                // them again, and the supervisor counts the crash against each of these records.
                throw new BatchFailedException("pipeline " + conf.name() + ": " + failed.reason(), served);
            }
            ModelActor.Predicted predicted = (ModelActor.Predicted) result;
            stages.add(StageClock.Stage.MODEL, predicted.serviceNanos());
            stages.add(StageClock.Stage.ASK, Math.max(0, answered - asked - predicted.serviceNanos()));
            metrics.served(predicted.output(), answered - formed, predicted.serviceNanos());
            predicted.actions().forEach(metrics::action);
            metrics.step(predicted.learned());
            metrics.plasticity(predicted.plasticity());
            metrics.nativeBytes(predicted.nativeBytes());
            // Scored now, before the drift detectors and the dashboard read the window error; encoded later.
            long now = System.currentTimeMillis();
            outputs.assembler.score(batch, predicted.output(), outputs.evaluator, metrics::scored);
            long drifting = System.nanoTime();
            stages.add(StageClock.Stage.METRICS, drifting - answered);
            List<Output> events = new ArrayList<>(poisonEvents);
            events.addAll(outputs.events(tracked, predicted, model));
            stages.since(StageClock.Stage.DRIFT, drifting);
            attachStreamState(model, predicted.checkpointToken(), outputs.state);
            ModelOutput answer = predicted.output();
            String strategy = predicted.strategy();
            return new Served(tracked, null, events, predicted.checkpointToken(),
                    () -> outputs.refusedBefore(tracked, outputs.assembler.encode(batch, answer, strategy, now)));
        });
    }

    /** What the stream writes besides predictions: drift and action events, the dashboard's series. */
    private static final class Outputs {
        final PipelineConf conf;
        final PipelineSupervisor.Deps deps;
        final BatchAssembler assembler;
        final StreamState state;
        final PrequentialEvaluator evaluator;
        final DriftEventCodec driftCodec = new DriftEventCodec();
        final String driftTopic;

        Outputs(PipelineConf conf, PipelineSupervisor.Deps deps, StreamState state) {
            this.conf = conf;
            this.deps = deps;
            this.state = state;
            this.evaluator = state.evaluator();
            this.assembler = new BatchAssembler(conf.name(), Topics.predictions(conf.name()), Topics.deadLetters(conf.name()),
                    deps.outputLimits().maxOutputBytes());
            this.driftTopic = Topics.drift(conf.name());
        }

        /** An action event per record dead-lettered for crashing the model, counted as a guard action. */
        List<Output> poisonEvents(List<Tracked> tracked) {
            List<Output> out = new ArrayList<>(0);
            for (Tracked t : tracked) {
                if (t.fate() == Fate.POISONED) {
                    var raw = t.msg().record();
                    deps.metrics().action(PipelineMetrics.DEAD_LETTER_POISON);
                    out.add(Output.event(driftCodec.record(driftTopic, DriftEvent.action(conf.name(), conf.strategy(), PipelineMetrics.DEAD_LETTER_POISON,
                            "model-crash", raw.partition(), raw.offset(), System.currentTimeMillis()))));
                }
            }
            return out;
        }

        /**
         * Replaces the outputs of records whose output Kafka refused in an earlier run: a bare dead
         * letter, or nothing once that was refused too (counted as {@link PipelineMetrics#OUTPUT_LOST}).
         */
        List<Output> refusedBefore(List<Tracked> tracked, List<Output> records) {
            List<Output> out = records;
            for (int i = 0; i < tracked.size(); i++) {
                Tracked t = tracked.get(i);
                if (t.fate() == Fate.BARE || t.fate() == Fate.DROPPED) {
                    out = out == records ? new ArrayList<>(records) : out;
                    var raw = t.msg().record();
                    String reason = ((DecodeResult.Rejected) t.incoming().decoded()).reason();
                    if (t.fate() == Fate.BARE) {
                        out.set(i, assembler.bareDeadLetter(raw, reason));
                    } else {
                        deps.metrics().action(PipelineMetrics.OUTPUT_LOST);
                        org.slf4j.LoggerFactory.getLogger(PipelineStream.class).error(
                                "pipeline {}: Kafka refused the output and the dead letter of {}; nothing is written for it and the stream goes on",
                                conf.name(), t.ref());
                        out.set(i, Output.nothing(t.ref()));
                    }
                }
            }
            return out;
        }

        /** Feeds the drift monitor and the dashboard; returns the event records to produce. */
        List<Output> events(List<Tracked> tracked, ModelActor.Predicted predicted, ActorRef<ModelActor.Command> model) {
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
                    int[] shape = r.features().shape();
                    observations.add(new DriftMonitor.Observation(raw.partition(), raw.offset(), r.features().values(),
                            shape.length == 3 ? shape[0] : 1, r.label()));
                    if (r.domain() != null) {
                        lastDomain = r.domain();
                    }
                }
            }
            List<DriftEvent> events = new ArrayList<>(state.drift().observe(observations, predicted.output()));
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
            List<Output> out = new ArrayList<>(events.size());
            for (DriftEvent e : events) {
                out.add(Output.event(driftCodec.record(driftTopic, e)));
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

    private static Map<String, String> asMap(Properties p) {
        Map<String, String> m = new LinkedHashMap<>();
        p.forEach((k, v) -> m.put(String.valueOf(k), String.valueOf(v)));
        return m;
    }

    /**
     * Kafka's group.instance.id for a consumer of {@code conf} when static membership is configured
     * ({@code group-instance-id}): the member a restarted process replaces at once, without waiting
     * for the session timeout of the one a kill -9 left behind. Empty map: dynamic membership.
     */
    static java.util.Map<String, String> staticMembership(PipelineConf conf, String suffix) {
        return conf.groupInstanceId().isEmpty() ? java.util.Map.of()
                : java.util.Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, conf.groupInstanceId() + "-" + conf.name() + suffix);
    }
}
