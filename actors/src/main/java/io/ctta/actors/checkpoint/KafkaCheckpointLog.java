package io.ctta.actors.checkpoint;

import io.ctta.runtime.checkpoint.Checkpoint;
import io.ctta.runtime.checkpoint.CheckpointEntry;
import io.ctta.runtime.checkpoint.CheckpointFormat;
import io.ctta.runtime.checkpoint.CheckpointLoad;
import io.ctta.runtime.checkpoint.CorruptCheckpointException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One pipeline's checkpoint records folded in offset order: the newest claim, the manifest in
 * force, and the latest value of every chunk key (a null value, a tombstone, removes it).
 *
 * <p>The fold is where fencing happens: a manifest appended while a newer epoch than its writer's
 * was already claimed came from a stale owner, and is void. The previous manifest stays in force;
 * when compaction has already removed it, the void manifest without its head (the only entry
 * its refused write added) is what was committed before.
 */
final class KafkaCheckpointLog {

    /** A committed checkpoint and how many chunks hold it. */
    record Entry(CheckpointEntry entry, int chunks) {}

    /** A chunk key's parts. */
    record ChunkKey(String id, long epoch, int index) {}

    private static final String EPOCH_HEAD = "ctta-kafka-checkpoint-epoch 1";
    private static final String MANIFEST_HEAD = "ctta-kafka-checkpoint-manifest 1";
    private static final Pattern ID = Pattern.compile("e(\\d{19})-s(\\d{19})-([0-9a-f]{12})");

    private final String pipeline;
    private long claimEpoch;
    private String claimant;
    private List<Entry> manifest = List.of();
    private final List<CheckpointLoad.Rejection> manifestProblems = new ArrayList<>();
    private final Map<String, byte[]> chunks = new LinkedHashMap<>();

    KafkaCheckpointLog(String pipeline) {
        this.pipeline = pipeline;
    }

    static String epochKey(String pipeline) {
        return pipeline + "/epoch";
    }

    static String manifestKey(String pipeline) {
        return pipeline + "/manifest";
    }

    static String chunkKey(String pipeline, String id, int index) {
        return pipeline + "/" + id + "/" + index;
    }

    /** The parts of a chunk key of {@code pipeline}, or {@code null} when it is not one. */
    static ChunkKey parseChunkKey(String pipeline, String key) {
        String prefix = pipeline + "/";
        if (!key.startsWith(prefix)) {
            return null;
        }
        String[] f = key.substring(prefix.length()).split("/");
        if (f.length != 2) {
            return null;
        }
        Matcher m = ID.matcher(f[0]);
        if (!m.matches() || !f[1].matches("\\d{1,9}")) {
            return null;
        }
        return new ChunkKey(f[0], Long.parseLong(m.group(1)), Integer.parseInt(f[1]));
    }

    static byte[] epochValue(long epoch, String claimant) {
        return (EPOCH_HEAD + "\nepoch " + epoch + "\nclaimant " + claimant + "\n").getBytes(StandardCharsets.UTF_8);
    }

    static byte[] manifestValue(String pipeline, long writerEpoch, List<Entry> entries) {
        StringBuilder b = new StringBuilder(MANIFEST_HEAD).append('\n');
        b.append("pipeline ").append(pipeline).append('\n');
        b.append("writer ").append(writerEpoch).append('\n');
        for (Entry e : entries) {
            CheckpointEntry c = e.entry();
            b.append("checkpoint ").append(c.epoch()).append(' ').append(c.sequence()).append(' ').append(c.sha256())
                    .append(' ').append(c.file()).append(' ').append(e.chunks()).append('\n');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Applies the record at the next offset. */
    void apply(String key, byte[] value) {
        if (key.equals(epochKey(pipeline))) {
            applyEpoch(value);
        } else if (key.equals(manifestKey(pipeline))) {
            applyManifest(value);
        } else if (parseChunkKey(pipeline, key) != null) {
            if (value == null) {
                chunks.remove(key);
            } else {
                chunks.put(key, value);
            }
        }
    }

    private void applyEpoch(byte[] value) {
        if (value == null) {
            return;
        }
        String[] l = new String(value, StandardCharsets.UTF_8).split("\n");
        try {
            if (l.length == 3 && l[0].equals(EPOCH_HEAD) && l[1].startsWith("epoch ") && l[2].startsWith("claimant ")) {
                long e = Long.parseLong(l[1].substring("epoch ".length()));
                // A claim of an epoch already claimed lost a race: the first one in the log owns it.
                if (e > claimEpoch) {
                    claimEpoch = e;
                    claimant = l[2].substring("claimant ".length());
                }
                return;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        manifestProblems.add(new CheckpointLoad.Rejection(epochKey(pipeline), "unreadable epoch record"));
    }

    private void applyManifest(byte[] value) {
        if (value == null) {
            manifest = List.of();
            return;
        }
        long writer;
        List<Entry> parsed = new ArrayList<>();
        try {
            String[] l = new String(value, StandardCharsets.UTF_8).split("\n");
            if (l.length < 3 || !l[0].equals(MANIFEST_HEAD) || !l[1].equals("pipeline " + pipeline)
                    || !l[2].startsWith("writer ")) {
                throw new IllegalArgumentException("unexpected header");
            }
            writer = Long.parseLong(l[2].substring("writer ".length()));
            for (int i = 3; i < l.length; i++) {
                String[] f = l[i].split(" ");
                if (f.length != 6 || !f[0].equals("checkpoint") || !ID.matcher(f[4]).matches()) {
                    throw new IllegalArgumentException("unexpected line '" + l[i] + "'");
                }
                parsed.add(new Entry(new CheckpointEntry(f[4], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]),
                        Integer.parseInt(f[5])));
            }
        } catch (IllegalArgumentException e) {
            // The previous manifest stays in force, as a file store keeps the old one on a torn rename.
            manifestProblems.add(new CheckpointLoad.Rejection(manifestKey(pipeline), "unreadable manifest: " + e.getMessage()));
            return;
        }
        if (writer < claimEpoch) {
            // Appended by an owner fenced before it got here (it passed its check, then lost the pipeline).
            if (manifest.isEmpty() && !parsed.isEmpty()) {
                manifest = List.copyOf(parsed.subList(1, parsed.size()));
            }
            return;
        }
        manifest = List.copyOf(parsed);
        manifestProblems.clear();
    }

    long claimEpoch() {
        return claimEpoch;
    }

    String claimant() {
        return claimant;
    }

    List<Entry> manifest() {
        return manifest;
    }

    /** Why the manifest in force is not the newest manifest record, if it is not. */
    List<CheckpointLoad.Rejection> manifestProblems() {
        return List.copyOf(manifestProblems);
    }

    /** Chunk keys whose latest value is not a tombstone. */
    List<String> liveChunkKeys() {
        return List.copyOf(chunks.keySet());
    }

    /**
     * Reassembles and verifies a committed checkpoint.
     *
     * @throws CorruptCheckpointException when a chunk is missing, the bytes fail {@link CheckpointFormat}'s
     *     checks, their SHA-256 is not the committed one, or they hold another checkpoint
     */
    Checkpoint assemble(Entry e) throws CorruptCheckpointException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int i = 0; i < e.chunks(); i++) {
            byte[] v = chunks.get(chunkKey(pipeline, e.entry().file(), i));
            if (v == null) {
                throw new CorruptCheckpointException(null, "chunk " + i + " of " + e.chunks() + " is missing");
            }
            b.writeBytes(v);
        }
        byte[] bytes = b.toByteArray();
        Checkpoint c = CheckpointFormat.decode(bytes);
        String sha = HexFormat.of().formatHex(bytes, bytes.length - CheckpointFormat.TRAILER_BYTES, bytes.length);
        if (!sha.equals(e.entry().sha256())) {
            throw new CorruptCheckpointException(null, "its SHA-256 " + sha + " is not the committed " + e.entry().sha256());
        }
        if (!c.pipeline().equals(pipeline) || c.ownerEpoch() != e.entry().epoch() || c.sequence() != e.entry().sequence()) {
            throw new CorruptCheckpointException(null, "it holds pipeline '" + c.pipeline() + "' epoch " + c.ownerEpoch()
                    + " sequence " + c.sequence() + ", not what its entry says");
        }
        return c;
    }
}
