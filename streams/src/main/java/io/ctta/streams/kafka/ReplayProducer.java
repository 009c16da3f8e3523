package io.ctta.streams.kafka;

import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.record.Topics;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;

/**
 * Publishes a stream of {@link InferenceRecord}s to a topic in the binary record format, for
 * benchmark replays and demos. Key = the record key (UTF-8), so each stream key keeps its partition
 * and order.
 *
 * <p>The producer is idempotent with {@code acks=all}, whatever the given properties say, so
 * retries after a broker restart neither lose nor duplicate records. {@link #replay} returns only
 * when every record is acknowledged and throws on the first failed send. Not thread-safe: one replay
 * at a time.
 */
public final class ReplayProducer implements AutoCloseable {

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<byte[], byte[]> producer;
    private final RecordCodec codec = new RecordCodec(RecordLimits.defaults());
    private boolean closed;

    /**
     * @param producerProps client settings, e.g. {@link KafkaSettings#producer()}; serializers, acks and
     *                      idempotence are overridden, compression defaults to lz4 when unset
     */
    public ReplayProducer(Properties producerProps) {
        Properties p = new Properties();
        p.putAll(Objects.requireNonNull(producerProps, "producerProps"));
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.putIfAbsent(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.putIfAbsent(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putIfAbsent(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(256 * 1024));
        this.producer = new KafkaProducer<>(p);
    }

    /**
     * Sends every record, then waits for all acknowledgements.
     *
     * @param progressOrNull called with the number of records handed to the producer so far
     *                       (on the calling thread, after each send), or {@code null}
     * @return number of records sent and acknowledged
     * @throws KafkaException on the first failed send, saying how many were acknowledged before it;
     *                        records already sent may or may not be on the topic
     */
    public long replay(Iterator<InferenceRecord> records, String topic, LongConsumer progressOrNull) {
        if (closed) {
            throw new IllegalStateException("ReplayProducer is closed");
        }
        Objects.requireNonNull(records, "records");
        Topics.validate(topic);
        AtomicReference<Exception> failure = new AtomicReference<>();
        AtomicLong acked = new AtomicLong();
        long sent = 0;
        while (records.hasNext() && failure.get() == null) {
            InferenceRecord r = records.next();
            ProducerRecord<byte[], byte[]> pr = new ProducerRecord<>(topic, null,
                    r.key().getBytes(StandardCharsets.UTF_8), codec.encode(r), RecordCodec.headersFor());
            producer.send(pr, (metadata, e) -> {
                if (e != null) {
                    failure.compareAndSet(null, e);
                } else {
                    acked.incrementAndGet();
                }
            });
            sent++;
            if (progressOrNull != null) {
                progressOrNull.accept(sent);
            }
        }
        // flush() returns when every send has completed, successfully or not.
        producer.flush();
        Exception e = failure.get();
        if (e != null) {
            throw new KafkaException("replay to " + topic + " failed after " + acked.get() + " of " + sent
                    + " records were acknowledged: " + e + "; check that the topic exists and the broker"
                    + " is reachable", e);
        }
        return sent;
    }

    /**
     * Sends every record without its label, and the label itself {@code delay} records later as a
     * {@link io.ctta.streams.record.LabelFeedback} (JSON) on {@code feedbackTopic}, the way labels
     * arrive in deployments (a click or a manual label comes after the prediction). The last
     * {@code delay} labels follow the last record. Unlabelled records get no feedback.
     *
     * @return number of input records sent and acknowledged
     */
    public long replayWithDelayedLabels(Iterator<InferenceRecord> records, String topic, String feedbackTopic, int delay,
            LongConsumer progressOrNull) {
        if (closed) {
            throw new IllegalStateException("ReplayProducer is closed");
        }
        if (delay < 0) {
            throw new IllegalArgumentException("label delay must be >= 0 records, got " + delay);
        }
        Topics.validate(topic);
        Topics.validate(feedbackTopic);
        io.ctta.streams.serde.FeedbackCodec feedback = new io.ctta.streams.serde.FeedbackCodec();
        java.util.ArrayDeque<io.ctta.streams.record.LabelFeedback> waiting = new java.util.ArrayDeque<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        long sent = 0;
        while (records.hasNext() && failure.get() == null) {
            InferenceRecord r = records.next();
            InferenceRecord unlabelled = r.withLabel(null);
            producer.send(new ProducerRecord<>(topic, null, r.key().getBytes(StandardCharsets.UTF_8), codec.encode(unlabelled),
                    RecordCodec.headersFor()), (m, e) -> failure.compareAndSet(null, e));
            if (r.label() != null) {
                waiting.addLast(new io.ctta.streams.record.LabelFeedback(r.id(), r.label(), r.eventTimeMs()));
            }
            while (waiting.size() > delay) {
                sendFeedback(feedback, feedbackTopic, waiting.removeFirst(), failure);
            }
            sent++;
            if (progressOrNull != null) {
                progressOrNull.accept(sent);
            }
        }
        while (!waiting.isEmpty() && failure.get() == null) {
            sendFeedback(feedback, feedbackTopic, waiting.removeFirst(), failure);
        }
        producer.flush();
        if (failure.get() != null) {
            throw new KafkaException("replay to " + topic + " / " + feedbackTopic + " failed: " + failure.get(), failure.get());
        }
        return sent;
    }

    private void sendFeedback(io.ctta.streams.serde.FeedbackCodec codec, String topic, io.ctta.streams.record.LabelFeedback f,
            AtomicReference<Exception> failure) {
        producer.send(new ProducerRecord<>(topic, null, f.id().getBytes(StandardCharsets.UTF_8), codec.encode(f)),
                (m, e) -> failure.compareAndSet(null, e));
    }

    /** Flushes and closes the producer, waiting at most 30 s. Idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            producer.close(CLOSE_TIMEOUT);
        }
    }
}
