package io.ctta.actors.pipeline;

import io.ctta.actors.model.ModelActor;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongFunction;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.pekko.Done;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The exactly-once writer of one pipeline run. Everything a batch produces (predictions, dead
 * letters, events) goes into the open Kafka transaction; when a batch carries a checkpoint, the
 * writer waits for the transaction's records to be acknowledged, has the model actor write that
 * checkpoint, then adds the {@link CheckpointPointer} and the input offsets the checkpoint reflects
 * to the transaction and commits it. So a committed transaction holds exactly the outputs made
 * from the input up to those offsets, and names the model state that resumes after them; a crash
 * anywhere before the commit aborts all of it, and the restart resumes from the previous pointer.
 *
 * <p>Kafka's producer blocks (initTransactions, flush, commit), so every call runs on the writer's
 * own thread, never on a stream or actor dispatcher. {@code transactional.id} is one per pipeline:
 * a new run's initTransactions fences the previous run's producer and aborts its open transaction.
 * Zombie consumers are fenced by the checkpoint store's owner epoch (a stale owner cannot write the
 * checkpoint a commit needs), since the offsets are sent with the group id only.
 *
 * <p>Predictions and dead letters are counted when their transaction commits: a read_committed
 * consumer sees exactly what the counters say. Outputs were made to fit the producer's and the
 * topics' limits before they reach the writer ({@link BatchAssembler}): in a transaction any
 * refused record aborts all of it, so none may be refused for its size.
 */
final class TransactionalOutput implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TransactionalOutput.class);

    private final String pipeline;
    private final String pointerTopic;
    private final String groupId;
    private final Properties producerProperties;
    private final ExecutorService thread;
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();
    /** Input records whose output Kafka refused for reasons of the record alone; the transaction aborts. */
    private final Map<RecordRef, String> refused = new java.util.concurrent.ConcurrentHashMap<>();
    /**
     * The topic of the first refused record. Once a record is refused the producer fails the
     * transaction's other pending batches with the same exception; only records of this topic are
     * taken for refused, so predictions failed alongside a refused dead letter are not.
     */
    private String refusedTopic;
    private KafkaProducer<byte[], byte[]> producer;
    private final io.ctta.actors.metrics.PipelineMetrics metrics;
    private boolean open;
    private long commits;
    /** Predictions and dead letters in the open transaction, counted when it commits. */
    private int openPredictions;
    private int openDeadLetters;

    TransactionalOutput(String pipeline, String pointerTopic, String groupId, String transactionalId, Properties kafka,
            io.ctta.actors.metrics.PipelineMetrics metrics) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.pointerTopic = pointerTopic;
        this.groupId = groupId;
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        // Bounds how long a blocked call (init, commit, a full buffer) holds the writer before the
        // stream fails and the pipeline restarts from the last committed transaction.
        p.putIfAbsent(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
        this.producerProperties = p;
        this.thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ctta-tx-" + pipeline);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Adds a batch's records to the open transaction; with a checkpoint token, commits the
     * transaction once that checkpoint is written.
     *
     * @param persist asks the model actor to write the checkpoint with that token
     */
    CompletionStage<Done> write(List<Output> records, long checkpointToken, LongFunction<CompletionStage<ModelActor.Persisted>> persist) {
        CompletableFuture<Void> sent = CompletableFuture.runAsync(() -> send(records), thread);
        if (checkpointToken == 0) {
            return namingRefusals(sent.thenApply(v -> Done.getInstance()));
        }
        return namingRefusals(sent.thenRunAsync(this::flush, thread)
                .thenCompose(v -> persist.apply(checkpointToken))
                .thenApplyAsync(this::commit, thread));
    }

    /**
     * A failure after Kafka refused some record for reasons of its own fails as an
     * {@link OutputRefusedException} naming the input records, whatever error surfaced first (the
     * producer refuses every later call of an aborted transaction): the supervisor then keeps the
     * next run from sending those outputs again.
     */
    private CompletionStage<Done> namingRefusals(CompletableFuture<Done> step) {
        return step.handle((done, failure) -> {
            if (failure == null) {
                return done;
            }
            if (!refused.isEmpty()) {
                throw new OutputRefusedException(pipeline, refused);
            }
            throw failure instanceof java.util.concurrent.CompletionException c ? c : new java.util.concurrent.CompletionException(failure);
        });
    }

    /** At the end of a drained run: the model's final checkpoint and the last transaction. */
    CompletionStage<Done> finish(java.util.function.Supplier<CompletionStage<ModelActor.Persisted>> checkpoint) {
        return namingRefusals(CompletableFuture.runAsync(this::flush, thread)
                .thenCompose(v -> checkpoint.get())
                .thenApplyAsync(this::commit, thread));
    }

    /**
     * Opens the producer now: its initTransactions fences every earlier producer of the same
     * transactional.id and aborts its open transaction, so once this completes no earlier owner
     * can commit any more, and the last committed pointer is final.
     */
    CompletableFuture<Void> init() {
        return CompletableFuture.runAsync(this::open, thread);
    }

    private void open() {
        if (producer == null) {
            producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
            producer.initTransactions();
        }
    }

    private void send(List<Output> records) {
        open();
        if (!open) {
            producer.beginTransaction();
            open = true;
        }
        for (Output o : records) {
            if (o.record() == null) {
                continue;
            }
            openPredictions += o.kind() == Output.Kind.PREDICTION ? 1 : 0;
            openDeadLetters += o.kind() == Output.Kind.DEAD_LETTER ? 1 : 0;
            producer.send(o.record(), (meta, e) -> {
                if (e != null) {
                    synchronized (refused) {
                        if (sendFailure.get() == null && OutputSender.concernsTheRecordOnly(e)) {
                            refusedTopic = o.record().topic();
                        }
                        if (o.source() != null && OutputSender.concernsTheRecordOnly(e) && o.record().topic().equals(refusedTopic)) {
                            refused.put(o.source(), e.toString());
                        }
                        sendFailure.compareAndSet(null, e);
                    }
                }
            });
        }
    }

    private void flush() {
        if (producer != null) {
            producer.flush();
        }
        Exception e = sendFailure.get();
        if (e != null) {
            throw new IllegalStateException("pipeline " + pipeline + ": a record of the transaction was not written: " + e, e);
        }
    }

    private Done commit(ModelActor.Persisted persisted) {
        if (persisted.id() == null) {
            // No checkpoint was written (a newer owner took over, or it was superseded): nothing
            // may commit; the outputs stay in the open transaction, which the next owner aborts.
            return Done.getInstance();
        }
        if (producer == null) {
            send(List.of());
        } else if (!open) {
            producer.beginTransaction();
            open = true;
        }
        CheckpointPointer pointer = new CheckpointPointer(pipeline, persisted.id().epoch(), persisted.id().sequence(), persisted.offsets(), System.currentTimeMillis());
        producer.send(pointer.record(pointerTopic), (meta, e) -> {
            if (e != null) {
                sendFailure.compareAndSet(null, e);
            }
        });
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        persisted.offsets().forEach((topic, parts) -> parts.forEach((p, o) -> offsets.put(new TopicPartition(topic, p), new OffsetAndMetadata(o))));
        producer.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata(groupId));
        producer.commitTransaction();
        open = false;
        Exception e = sendFailure.get();
        if (e != null) {
            throw new IllegalStateException("pipeline " + pipeline + ": a record of the transaction was not written: " + e, e);
        }
        commits++;
        metrics.predictionsProduced(openPredictions);
        metrics.deadLettered(openDeadLetters);
        openPredictions = 0;
        openDeadLetters = 0;
        return Done.getInstance();
    }

    /** Transactions committed by this writer. */
    long commits() {
        return commits;
    }

    /**
     * Aborts an open transaction (its outputs are never seen by read_committed consumers) and
     * closes the producer, on the writer's thread after whatever it is doing; does not wait.
     */
    @Override
    public void close() {
        thread.execute(() -> {
            if (producer == null) {
                return;
            }
            try {
                if (open) {
                    producer.abortTransaction();
                }
            } catch (RuntimeException e) {
                LOG.debug("pipeline {}: abort on close failed (the next run's initTransactions aborts it): {}", pipeline, e.toString());
            } finally {
                producer.close(Duration.ofSeconds(5));
                producer = null;
            }
        });
        thread.shutdown();
    }
}
