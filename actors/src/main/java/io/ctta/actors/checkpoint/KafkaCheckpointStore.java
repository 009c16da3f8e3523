package io.ctta.actors.checkpoint;

import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointFormat;
import io.ctta.runtime.checkpoint.CheckpointId;
import io.ctta.runtime.checkpoint.CheckpointLoad;
import io.ctta.runtime.checkpoint.CheckpointStore;
import io.ctta.runtime.checkpoint.CorruptCheckpointException;
import io.ctta.runtime.checkpoint.CrashPoint;
import io.ctta.runtime.checkpoint.StaleOwnerException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one pipeline in a compacted Kafka topic, for deployments without a shared disk.
 *
 * <p>All records of a pipeline go to one partition of the topic (chosen by the pipeline's name),
 * so their offsets order them; a reader folds the partition from its beginning to its end offset
 * ({@link KafkaCheckpointLog}). Keys:
 *
 * <pre>
 * &lt;pipeline&gt;/epoch                 the newest claim: epoch and a claimant id
 * &lt;pipeline&gt;/&lt;checkpointId&gt;/&lt;n&gt;     chunk n of a checkpoint ({@link CheckpointFormat} bytes, cut every chunkBytes)
 * &lt;pipeline&gt;/manifest              the committed checkpoints, newest first, with chunk counts and SHA-256
 * </pre>
 *
 * <p>{@link #write} sends every chunk and waits for its acknowledgement (idempotent producer,
 * {@code acks=all}), re-reads the partition to its end and refuses a stale writer, then sends the
 * manifest <em>last</em>: a crash before it leaves the previous manifest in force, and the orphan
 * chunks are tombstoned by the next claim or write. Retention tombstones (null values) the chunks
 * of checkpoints the manifest no longer lists, so compaction frees them.
 *
 * <p>Fencing does not rely on the check before the manifest alone (another owner may claim between
 * that read and the manifest's append): the log order decides. A manifest appended after a claim
 * newer than its writer's epoch is void to every reader, whatever it says.
 *
 * <p>Exactly-once output does not yet put the checkpoint in the pipeline's transaction; this store
 * commits on its own (docs/checkpoints.md). Each operation opens and closes its own clients, so an
 * instance holds no connections: checkpoints are written every minute or so, not per record.
 */
public final class KafkaCheckpointStore implements CheckpointStore {

    /** Chunk size by default: well below the broker's default max.message.bytes (1 MiB). */
    public static final int DEFAULT_CHUNK_BYTES = 512 * 1024;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaCheckpointStore.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final int CLAIM_ATTEMPTS = 10;

    private final String pipeline;
    private final String topic;
    private final Properties client;
    private final int keep;
    private final int chunkBytes;
    private final Consumer<CrashPoint> crashHook;

    /**
     * @param client bootstrap servers and security settings (no serializers: this class sets them)
     * @param topic the compacted checkpoint topic; it must exist
     * @param pipeline the pipeline
     * @param keep committed checkpoints kept, at least 1
     */
    public KafkaCheckpointStore(Properties client, String topic, String pipeline, int keep) {
        this(client, topic, pipeline, keep, DEFAULT_CHUNK_BYTES, null);
    }

    /**
     * As above, with a chunk size and a <b>test hook</b> that sees {@link CrashPoint#AFTER_DIR_FSYNC}
     * once the chunks are acknowledged and {@link CrashPoint#AFTER_MANIFEST_SWITCH} after the manifest,
     * and may throw to stop the write there as a crash would.
     */
    public KafkaCheckpointStore(Properties client, String topic, String pipeline, int keep, int chunkBytes,
            Consumer<CrashPoint> crashHook) {
        if (!Objects.requireNonNull(pipeline, "pipeline").matches("[A-Za-z0-9][A-Za-z0-9._-]{0,100}")) {
            // The name is part of every key; a '/' would make keys ambiguous.
            throw new IllegalArgumentException("pipeline name '" + pipeline + "' is not a plain name: use letters,"
                    + " digits, '.', '_' and '-', starting with a letter or digit, at most 101 characters");
        }
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        if (chunkBytes < 1) {
            throw new IllegalArgumentException("chunkBytes must be >= 1, got " + chunkBytes);
        }
        this.client = (Properties) Objects.requireNonNull(client, "client").clone();
        this.topic = Objects.requireNonNull(topic, "topic");
        this.pipeline = pipeline;
        this.keep = keep;
        this.chunkBytes = chunkBytes;
        this.crashHook = crashHook;
    }

    @Override
    public String pipeline() {
        return pipeline;
    }

    /** The topic. */
    public String topic() {
        return topic;
    }

    @Override
    public long currentEpoch() throws IOException {
        return read().claimEpoch();
    }

    @Override
    public long claimEpoch() throws IOException {
        String claimant = UUID.randomUUID().toString();
        for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
            KafkaCheckpointLog before = read();
            long next = Math.addExact(before.claimEpoch(), 1);
            send(List.of(record(KafkaCheckpointLog.epochKey(pipeline), KafkaCheckpointLog.epochValue(next, claimant))));
            // Two owners may claim the same epoch at once: the first in the log wins, the other claims again.
            KafkaCheckpointLog after = read();
            if (after.claimEpoch() == next && claimant.equals(after.claimant())) {
                tombstone(after, after.manifest(), next);
                LOG.info("pipeline {}: claimed owner epoch {} in topic {}", pipeline, next, topic);
                return next;
            }
        }
        throw new IOException("pipeline " + pipeline + ": could not claim an epoch in " + CLAIM_ATTEMPTS
                + " attempts; other owners keep claiming it");
    }

    @Override
    public CheckpointEntry write(Checkpoint c) throws IOException, StaleOwnerException {
        CheckpointStore.requireWritable(pipeline, c);
        checkFence(c, read());

        byte[] bytes = CheckpointFormat.encode(c);
        String sha = HexFormat.of().formatHex(bytes, bytes.length - CheckpointFormat.TRAILER_BYTES, bytes.length);
        String id = String.format(Locale.ROOT, "e%019d-s%019d-%s", c.ownerEpoch(), c.sequence(),
                UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        int chunks = Math.max(1, (bytes.length + chunkBytes - 1) / chunkBytes);
        List<ProducerRecord<byte[], byte[]>> pieces = new ArrayList<>();
        for (int i = 0; i < chunks; i++) {
            pieces.add(record(KafkaCheckpointLog.chunkKey(pipeline, id, i),
                    Arrays.copyOfRange(bytes, i * chunkBytes, Math.min(bytes.length, (i + 1) * chunkBytes))));
        }
        send(pieces);
        reached(CrashPoint.AFTER_DIR_FSYNC);

        KafkaCheckpointLog now = read();
        KafkaCheckpointLog.Entry entry = new KafkaCheckpointLog.Entry(new CheckpointEntry(id, c.ownerEpoch(), c.sequence(), sha), chunks);
        try {
            checkFence(c, now);
        } catch (StaleOwnerException | RuntimeException e) {
            send(tombstones(List.of(entry)));
            throw e;
        }
        List<KafkaCheckpointLog.Entry> listed = new ArrayList<>();
        listed.add(entry);
        for (KafkaCheckpointLog.Entry e : now.manifest()) {
            if (listed.size() < keep) {
                listed.add(e);
            }
        }
        send(List.of(record(KafkaCheckpointLog.manifestKey(pipeline),
                KafkaCheckpointLog.manifestValue(pipeline, c.ownerEpoch(), listed))));
        reached(CrashPoint.AFTER_MANIFEST_SWITCH);
        tombstone(now, listed, now.claimEpoch());
        LOG.debug("pipeline {}: committed {} ({} bytes in {} chunk(s))", pipeline, id, bytes.length, chunks);
        return entry.entry();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Only manifest entries are candidates, newest first; each is reassembled from its chunks
     * and checked against the SHA-256 the manifest recorded. A missing chunk or a mismatch skips
     * to the next older entry. With no readable manifest nothing is loaded (there is no scan by
     * key: chunks of uncommitted checkpoints may be present).
     */
    @Override
    public CheckpointLoad load() throws IOException {
        KafkaCheckpointLog log = read();
        List<CheckpointLoad.Rejection> rejected = new ArrayList<>(log.manifestProblems());
        for (KafkaCheckpointLog.Entry e : log.manifest()) {
            try {
                Checkpoint c = log.assemble(e);
                if (!rejected.isEmpty()) {
                    LOG.warn("pipeline {}: fell back to checkpoint {}; skipped {}", pipeline, e.entry().file(), rejected);
                }
                return new CheckpointLoad(c, e.entry(), false, rejected);
            } catch (CorruptCheckpointException ex) {
                rejected.add(new CheckpointLoad.Rejection(e.entry().file(), ex.reason()));
            }
        }
        if (!rejected.isEmpty()) {
            LOG.error("pipeline {}: no intact checkpoint is left in topic {}; the adapted state is lost: {}", pipeline,
                    topic, rejected);
        }
        return new CheckpointLoad(null, null, false, rejected);
    }

    @Override
    public List<CheckpointEntry> committed() throws IOException {
        return read().manifest().stream().map(KafkaCheckpointLog.Entry::entry).toList();
    }

    @Override
    public Optional<Checkpoint> rollbackTo(long ownerEpoch, Optional<CheckpointId> target) throws IOException, StaleOwnerException {
        KafkaCheckpointLog log = read();
        if (ownerEpoch < log.claimEpoch()) {
            throw new StaleOwnerException(pipeline, ownerEpoch, log.claimEpoch());
        }
        if (ownerEpoch > log.claimEpoch()) {
            throw new IllegalStateException("owner epoch " + ownerEpoch + " of pipeline '" + pipeline
                    + "' was never claimed (the newest claim is " + log.claimEpoch() + ")");
        }
        List<KafkaCheckpointLog.Entry> m = log.manifest();
        int at = m.size();
        if (target.isPresent()) {
            CheckpointId t = target.get();
            at = -1;
            for (int i = 0; i < m.size(); i++) {
                if (m.get(i).entry().epoch() == t.epoch() && m.get(i).entry().sequence() == t.sequence()) {
                    at = i;
                    break;
                }
            }
            if (at < 0) {
                throw new NoSuchElementException("checkpoint " + t + " of pipeline '" + pipeline
                        + "' is not among the committed ones " + m.stream().map(e -> e.entry().file()).toList());
            }
        }
        List<KafkaCheckpointLog.Entry> kept = List.copyOf(m.subList(at, m.size()));
        Checkpoint newest = kept.isEmpty() ? null : log.assemble(kept.get(0));
        send(List.of(record(KafkaCheckpointLog.manifestKey(pipeline), KafkaCheckpointLog.manifestValue(pipeline, ownerEpoch, kept))));
        tombstone(log, kept, ownerEpoch);
        return Optional.ofNullable(newest);
    }

    @Override
    public String toString() {
        return "Kafka topic " + topic + " (pipeline " + pipeline + ")";
    }

    // ---- fencing ----

    private void checkFence(Checkpoint c, KafkaCheckpointLog log) throws StaleOwnerException {
        long current = log.claimEpoch();
        if (c.ownerEpoch() < current) {
            throw new StaleOwnerException(pipeline, c.ownerEpoch(), current);
        }
        if (c.ownerEpoch() > current) {
            throw new IllegalStateException("checkpoint of pipeline '" + pipeline + "' carries owner epoch "
                    + c.ownerEpoch() + ", which was never claimed (the newest claim is " + current
                    + "); call claimEpoch() and use the epoch it returns");
        }
        if (!log.manifest().isEmpty()) {
            CheckpointEntry head = log.manifest().get(0).entry();
            if (head.epoch() == c.ownerEpoch() && c.sequence() <= head.sequence()) {
                throw new IllegalArgumentException("checkpoint sequence must increase within an epoch: pipeline '"
                        + pipeline + "' epoch " + c.ownerEpoch() + " already committed sequence " + head.sequence()
                        + ", got " + c.sequence());
            }
        }
    }

    // ---- retention ----

    /** Tombstones every live chunk of a checkpoint not in {@code listed}, up to epoch {@code bound}. */
    private void tombstone(KafkaCheckpointLog log, List<KafkaCheckpointLog.Entry> listed, long bound) throws IOException {
        List<String> keepIds = listed.stream().map(e -> e.entry().file()).toList();
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (String key : log.liveChunkKeys()) {
            KafkaCheckpointLog.ChunkKey k = KafkaCheckpointLog.parseChunkKey(pipeline, key);
            if (k != null && !keepIds.contains(k.id()) && k.epoch() <= bound) {
                out.add(record(key, null));
            }
        }
        send(out);
    }

    private List<ProducerRecord<byte[], byte[]>> tombstones(List<KafkaCheckpointLog.Entry> entries) {
        List<ProducerRecord<byte[], byte[]>> out = new ArrayList<>();
        for (KafkaCheckpointLog.Entry e : entries) {
            for (int i = 0; i < e.chunks(); i++) {
                out.add(record(KafkaCheckpointLog.chunkKey(pipeline, e.entry().file(), i), null));
            }
        }
        return out;
    }

    // ---- Kafka ----

    private ProducerRecord<byte[], byte[]> record(String key, byte[] value) {
        return new ProducerRecord<>(topic, null, key.getBytes(StandardCharsets.UTF_8), value);
    }

    /** Sends in order to the pipeline's partition and returns once every record is acknowledged. */
    private void send(List<ProducerRecord<byte[], byte[]>> records) throws IOException {
        if (records.isEmpty()) {
            return;
        }
        Properties p = (Properties) client.clone();
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Math.max(1 << 20, chunkBytes + (64 << 10))));
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
            int partition = partition(producer.partitionsFor(topic));
            List<Future<RecordMetadata>> acks = new ArrayList<>();
            for (ProducerRecord<byte[], byte[]> r : records) {
                acks.add(producer.send(new ProducerRecord<>(topic, partition, r.key(), r.value())));
            }
            producer.flush();
            for (Future<RecordMetadata> f : acks) {
                f.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing checkpoint records of " + pipeline);
        } catch (ExecutionException | TimeoutException | org.apache.kafka.common.KafkaException e) {
            throw new IOException("pipeline " + pipeline + ": cannot write to checkpoint topic " + topic + ": " + e, e);
        }
    }

    /** The pipeline's records, from the partition's beginning to its end offset at the time of the call. */
    private KafkaCheckpointLog read() throws IOException {
        Properties p = (Properties) client.clone();
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Math.max(1 << 20, chunkBytes + (64 << 10))));
        p.remove(ConsumerConfig.GROUP_ID_CONFIG);
        KafkaCheckpointLog log = new KafkaCheckpointLog(pipeline);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, TIMEOUT);
            if (infos == null || infos.isEmpty()) {
                throw new IOException("checkpoint topic " + topic + " does not exist; create it (cleanup.policy=compact)"
                        + " or let the runtime create it (ctta.checkpoints.topic)");
            }
            TopicPartition tp = new TopicPartition(topic, partition(infos));
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp), TIMEOUT).get(tp);
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (consumer.position(tp, TIMEOUT) < end) {
                if (System.nanoTime() > deadline) {
                    throw new IOException("pipeline " + pipeline + ": timed out reading checkpoint topic " + topic
                            + " to offset " + end);
                }
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    if (r.offset() < end && r.key() != null) {
                        log.apply(new String(r.key(), StandardCharsets.UTF_8), r.value());
                    }
                }
            }
        } catch (org.apache.kafka.common.KafkaException e) {
            throw new IOException("pipeline " + pipeline + ": cannot read checkpoint topic " + topic + ": " + e, e);
        }
        return log;
    }

    private int partition(List<PartitionInfo> infos) {
        return Utils.toPositive(Utils.murmur2(pipeline.getBytes(StandardCharsets.UTF_8))) % infos.size();
    }

    private void reached(CrashPoint p) {
        if (crashHook != null) {
            crashHook.accept(p);
        }
    }
}
