package io.ctta.actors.pipeline;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The at-least-once producer of one pipeline run. Each output completes once Kafka acknowledged it,
 * with what reached Kafka. An error that concerns the record alone (too large for the topic,
 * invalid, not serializable) does not fail the stream: the record's smallest dead letter is sent
 * instead, and if Kafka refuses that too, nothing is written for the record and the stream goes on
 * ({@link Delivered#LOST}). Any other error (a timeout, an unreachable broker) fails the output, and
 * with it the stream, which restarts and serves the record again.
 */
final class OutputSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutputSender.class);

    /** What reached Kafka for one output. */
    enum Delivered {
        /** The record itself. */
        AS_IS,
        /** Its input's smallest dead letter, in place of the record Kafka refused. */
        DEAD_LETTER_INSTEAD,
        /** Nothing: Kafka refused the record and its dead letter. */
        LOST,
        /** Nothing was to be sent ({@link Output.Kind#NOTHING}). */
        NOTHING
    }

    private final String pipeline;
    private final KafkaProducer<byte[], byte[]> producer;
    /** Sends the replacements: never from the producer's I/O thread, where a blocking send could wedge it. */
    private final ExecutorService replacements;

    OutputSender(String pipeline, Properties producerProperties) {
        this.pipeline = pipeline;
        this.producer = new KafkaProducer<>(producerProperties, new ByteArraySerializer(), new ByteArraySerializer());
        this.replacements = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "ctta-dlq-" + pipeline);
            t.setDaemon(true);
            return t;
        });
    }

    /** Sends {@code out}; completes once Kafka acknowledged what was written for it. */
    CompletionStage<Delivered> send(Output out) {
        if (out.record() == null) {
            return CompletableFuture.completedFuture(Delivered.NOTHING);
        }
        return attemptAlone(out.record()).handle((meta, error) -> {
            if (error == null) {
                return CompletableFuture.completedFuture(Delivered.AS_IS);
            }
            Throwable cause = unwrap(error);
            if (!concernsTheRecordOnly(cause) || out.fallback() == null) {
                if (concernsTheRecordOnly(cause)) {
                    LOG.error("pipeline {}: Kafka refused an event for {}: {}; it is dropped", pipeline, out.record().topic(), cause.toString());
                    return CompletableFuture.completedFuture(Delivered.LOST);
                }
                return CompletableFuture.<Delivered>failedFuture(cause);
            }
            String reason = "output-refused: Kafka refused the " + (out.kind() == Output.Kind.PREDICTION ? "prediction" : "dead letter") + ": " + cause;
            ProducerRecord<byte[], byte[]> replacement = out.fallback().apply(reason);
            LOG.warn("pipeline {}: {}; sending the record's dead letter without its value", pipeline, reason);
            return CompletableFuture.supplyAsync(() -> attemptAlone(replacement), replacements)
                    .thenCompose(f -> f)
                    .handle((m, e) -> {
                        if (e == null) {
                            return Delivered.DEAD_LETTER_INSTEAD;
                        }
                        Throwable c = unwrap(e);
                        if (!concernsTheRecordOnly(c)) {
                            throw new IllegalStateException("pipeline " + pipeline + ": dead letter not written: " + c, c);
                        }
                        LOG.error("pipeline {}: Kafka refused the dead letter of {} too ({}); nothing is written for that record and the stream goes on",
                                pipeline, new String(replacement.headers().lastHeader(io.ctta.streams.serde.DeadLetters.SOURCE_OFFSET).value(),
                                        java.nio.charset.StandardCharsets.UTF_8), c.toString());
                        return Delivered.LOST;
                    });
        }).thenCompose(f -> f);
    }

    /** Kafka's per-record refusals: sending the same record again can never succeed, other records can. */
    static boolean concernsTheRecordOnly(Throwable e) {
        return e instanceof RecordTooLargeException || e instanceof RecordBatchTooLargeException || e instanceof SerializationException
                || e instanceof InvalidRecordException;
    }

    /**
     * Sends {@code record}; if Kafka failed it only because it shared a produce batch with a record
     * Kafka refused (the broker rejects the whole batch, the producer fails the innocent records with
     * a plain KafkaException), sends it again. Each refused record is tried at most twice (itself,
     * then its bare dead letter), so a few tries get past it; only a run of refused records could
     * take them all, and then the stream fails and restarts as for any other error.
     */
    private CompletableFuture<RecordMetadata> attemptAlone(ProducerRecord<byte[], byte[]> record) {
        return attemptAlone(record, NEIGHBOUR_RETRIES);
    }

    private CompletableFuture<RecordMetadata> attemptAlone(ProducerRecord<byte[], byte[]> record, int retriesLeft) {
        return attempt(record).handle((meta, e) -> {
            if (e == null) {
                return CompletableFuture.completedFuture(meta);
            }
            Throwable cause = unwrap(e);
            if (retriesLeft > 0 && refusedForItsNeighbour(cause)) {
                LOG.debug("pipeline {}: a record was refused with the produce batch of another; sending it again", pipeline);
                return CompletableFuture.supplyAsync(() -> attemptAlone(record, retriesLeft - 1), replacements).thenCompose(f -> f);
            }
            return CompletableFuture.<RecordMetadata>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    /** How often a record failed with another's produce batch is sent again. */
    private static final int NEIGHBOUR_RETRIES = 5;

    /** Kafka's producer fails every record of a batch the broker rejected for another record's fault with exactly this. */
    static boolean refusedForItsNeighbour(Throwable e) {
        return e != null && e.getClass() == org.apache.kafka.common.KafkaException.class && e.getMessage() != null
                && e.getMessage().contains("part of a batch which had one more more invalid records");
    }

    private CompletableFuture<RecordMetadata> attempt(ProducerRecord<byte[], byte[]> record) {
        CompletableFuture<RecordMetadata> acked = new CompletableFuture<>();
        try {
            producer.send(record, (meta, e) -> {
                if (e != null) {
                    acked.completeExceptionally(e);
                } else {
                    acked.complete(meta);
                }
            });
        } catch (RuntimeException e) {
            acked.completeExceptionally(e);
        }
        return acked;
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** Waits for what was sent (at most 10 s), then closes the producer. */
    @Override
    public void close() {
        replacements.shutdown();
        producer.close(Duration.ofSeconds(10));
    }
}
