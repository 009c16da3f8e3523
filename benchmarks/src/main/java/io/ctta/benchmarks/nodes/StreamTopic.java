package io.ctta.benchmarks.nodes;

import io.ctta.actors.demo.DomainRecords;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.record.InferenceRecord;
import io.ctta.streams.serde.RecordCodec;
import io.ctta.streams.serde.RecordLimits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The benchmark's stream, encoded once: continual Fashion-MNIST-C (severity 5, the default
 * corruption order, {@code samplesPerDomain} images each, labels inline) as ctta's binary records,
 * record i to partition i mod {@code partitions} with the key {@code camera-<partition>}, so every
 * partition carries the whole sequence of corruptions, as {@code ctta bench pipeline}'s stream does on one.
 *
 * <p>Each measurement gets a new topic filled with these same bytes only once its nodes have
 * joined the group ({@link #fill}): a topic filled beforehand would be served by the first node
 * that joins until the others join and the group rebalances, and the run would measure startup
 * order and hand-over, not throughput. The fill overlaps the first moments of serving; the
 * benchmark reports how long it took.
 */
final class StreamTopic {

    private final List<byte[]> keys;
    private final List<byte[]> values;
    private final int partitions;

    private StreamTopic(List<byte[]> keys, List<byte[]> values, int partitions) {
        this.keys = keys;
        this.values = values;
        this.partitions = partitions;
    }

    /** Loads Fashion-MNIST's test split from {@code data}, corrupts it and encodes the records. */
    static StreamTopic of(Path data, int samplesPerDomain, int partitions, long seed) throws IOException {
        LabeledImages test = FashionMnist.load(data, FashionMnist.Split.TEST);
        List<Domain> domains = CorruptionStream.continual(test, CorruptionStream.DEFAULT_ORDER, 5, seed, samplesPerDomain);
        RecordCodec codec = new RecordCodec(RecordLimits.defaults());
        List<byte[]> keys = new ArrayList<>();
        List<byte[]> values = new ArrayList<>();
        DomainRecords records = new DomainRecords(domains, "camera-0", 0);
        for (int i = 0; records.hasNext(); i++) {
            InferenceRecord r = records.next();
            String key = "camera-" + (i % partitions);
            keys.add(key.getBytes(StandardCharsets.UTF_8));
            values.add(codec.encode(new InferenceRecord(r.id(), key, r.eventTimeMs(), r.domain(), r.label(), r.features(), r.metadata())));
        }
        return new StreamTopic(List.copyOf(keys), List.copyOf(values), partitions);
    }

    int records() {
        return values.size();
    }

    int partitions() {
        return partitions;
    }

    /** Creates {@code topic} with the stream's partition count, empty. */
    void create(Properties kafka, String topic) throws InterruptedException, ExecutionException, TimeoutException {
        try (Admin admin = Admin.create(kafka)) {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
        }
    }

    /**
     * The producer {@link #fill} sends with: idempotent, {@code acks=all}, lz4, large batches, so the
     * records reach the broker in a few requests. One for all measurements, warmed up by a first
     * fill, so that no measurement waits for its connections or its classes to load.
     */
    static KafkaProducer<byte[], byte[]> producer(Properties kafka) {
        Properties p = new Properties();
        p.putAll(kafka);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
        return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    }

    /** Sends every record to {@code topic}, record i to partition i mod partitions, and waits for every acknowledgement. */
    void fill(KafkaProducer<byte[], byte[]> producer, String topic) {
        try {
            List<Future<RecordMetadata>> sent = new ArrayList<>(values.size());
            for (int i = 0; i < values.size(); i++) {
                sent.add(producer.send(new ProducerRecord<>(topic, i % partitions, keys.get(i), values.get(i), RecordCodec.headersFor())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : sent) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while filling " + topic, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("filling " + topic + " failed: " + e.getCause(), e.getCause());
        }
    }
}
