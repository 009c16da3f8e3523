package io.ctta.runtime.checkpoint;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of one pipeline in a directory {@code <root>/<pipeline>/}:
 *
 * <pre>
 * MANIFEST                                  the committed checkpoints, newest first (the commit point)
 * EPOCH                                     the newest claimed owner epoch
 * .lock                                     locked around every claim and commit
 * ckpt-e&lt;epoch&gt;-s&lt;sequence&gt;-&lt;id&gt;.ckpt     checkpoint files ({@link CheckpointFormat})
 * *.tmp                                     files being written (or left by a crash)
 * </pre>
 *
 * <p>{@link #write} protocol: (1) write the checkpoint to a new temporary file in the same
 * directory, (2) {@code force(true)}, (3) rename it atomically to its final, never-reused name, (4)
 * fsync the directory, (5) under the lock: re-read the claimed epoch and refuse a stale writer,
 * then switch the manifest (itself written as temp file + fsync + atomic rename + directory
 * fsync), (6) still under the lock, delete what retention and crashed writers left. A crash at any
 * point leaves either the old manifest (the new file is ignored, and removed later) or the new one.
 * docs/checkpoints.md walks through every step.
 *
 * <p>The lock is an OS file lock ({@link FileChannel#lock}) on {@code .lock}, so it serialises
 * owners in different processes; owners in the same JVM (which the OS does not tell apart) retry
 * until the holder releases it. The lock is advisory: only this class honours it.
 *
 * <p>Instances hold no open files and no mutable state; all state is on disk.
 */
public final class FileCheckpointStore implements CheckpointStore {

    /** Checkpoints kept by default (the newest and two fallbacks). */
    public static final int DEFAULT_KEEP = 3;
    /**
     * <b>Test hook.</b> A system property naming a {@link CrashPoint}; a store built without an
     * explicit crash point halts the JVM with status 137 at that step of every write. Outside the
     * {@code ctta.} namespace: system properties overlay the configuration, and the {@code ctta}
     * block refuses keys it does not declare.
     */
    public static final String CRASH_AT_PROPERTY = "io.ctta.test.checkpoint-crash-at";
    /** The manifest's file name. */
    public static final String MANIFEST = "MANIFEST";
    /** The claimed-epoch file's name. */
    public static final String EPOCH = "EPOCH";
    /** The lock file's name. */
    public static final String LOCK = ".lock";

    private static final Logger LOG = LoggerFactory.getLogger(FileCheckpointStore.class);
    private static final Pattern FILE = Pattern.compile("ckpt-e(\\d{19})-s(\\d{19})-([0-9a-f]{12})\\.ckpt");
    private static final String TMP = ".tmp";
    private static final String MANIFEST_HEAD = "ctta-checkpoint-manifest 1";
    private static final String EPOCH_HEAD = "ctta-checkpoint-epoch 1";
    private static final long LOCK_TIMEOUT_NANOS = 30_000_000_000L;
    private static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase(Locale.ROOT)
            .startsWith("windows");

    private final String pipeline;
    private final Path dir;
    private final int keep;
    private final Consumer<CrashPoint> crashHook;

    /**
     * A store for {@code pipeline} under {@code root}, keeping {@value #DEFAULT_KEEP} checkpoints.
     * The crash test hook is taken from the system property {@value #CRASH_AT_PROPERTY} (unset in
     * production).
     *
     * @throws IOException when the directory cannot be created
     * @throws IllegalArgumentException when the pipeline name is not a plain name
     */
    public FileCheckpointStore(Path root, String pipeline) throws IOException {
        this(root, pipeline, DEFAULT_KEEP);
    }

    /**
     * A store keeping {@code keep} committed checkpoints, with the crash hook from the system
     * property {@value #CRASH_AT_PROPERTY}.
     *
     * @throws IOException when the directory cannot be created
     * @throws IllegalArgumentException when the pipeline name is not a plain name or keep &lt; 1
     */
    public FileCheckpointStore(Path root, String pipeline, int keep) throws IOException {
        this(root, pipeline, keep, crashPointFromProperty());
    }

    /**
     * A store keeping {@code keep} committed checkpoints.
     *
     * @param crashAt <b>test hook</b>: halt the JVM ({@code Runtime.halt(137)}) when a write reaches
     *     this step; {@code null} (production) never does
     * @throws IOException when the directory cannot be created
     * @throws IllegalArgumentException when the pipeline name is not a plain name or keep &lt; 1
     */
    public FileCheckpointStore(Path root, String pipeline, int keep, CrashPoint crashAt) throws IOException {
        this(root, pipeline, keep, crashAt == null ? null : p -> {
            if (p == crashAt) {
                Runtime.getRuntime().halt(137);
            }
        });
    }

    /** For in-process tests: {@code crashHook} sees every step and may throw to stop there. */
    FileCheckpointStore(Path root, String pipeline, int keep, Consumer<CrashPoint> crashHook) throws IOException {
        Objects.requireNonNull(root, "root");
        Checkpoint.requireName(Objects.requireNonNull(pipeline, "pipeline"));
        if (keep < 1) {
            throw new IllegalArgumentException("keep must be >= 1, got " + keep);
        }
        Files.createDirectories(root);
        Path d = ConfinedPaths.resolve(root, pipeline);
        Files.createDirectories(d);
        this.pipeline = pipeline;
        this.dir = d.toRealPath();
        this.keep = keep;
        this.crashHook = crashHook;
    }

    private static CrashPoint crashPointFromProperty() {
        String v = System.getProperty(CRASH_AT_PROPERTY);
        if (v == null || v.isBlank()) {
            return null;
        }
        try {
            return CrashPoint.valueOf(v.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(CRASH_AT_PROPERTY + " must be one of "
                    + java.util.Arrays.toString(CrashPoint.values()) + ", got '" + v + "'", e);
        }
    }

    @Override
    public String pipeline() {
        return pipeline;
    }

    /** The pipeline's directory (its real path). */
    public Path directory() {
        return dir;
    }

    @Override
    public String toString() {
        return "directory " + dir;
    }

    /** How many committed checkpoints are kept. */
    public int keep() {
        return keep;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The maximum of the claimed epoch in {@code EPOCH}, the newest manifest entry's epoch and
     * the epoch in the name of any checkpoint file: higher is the safe direction for fencing, so
     * every piece of evidence of a claim counts, and a corrupt {@code EPOCH} or manifest does not
     * lower it below what the files show.
     */
    @Override
    public long currentEpoch() throws IOException {
        long e = 0;
        try {
            e = Math.max(e, readEpochFile());
        } catch (CorruptCheckpointException ex) {
            LOG.warn("pipeline {}: ignoring {}", pipeline, ex.getMessage());
        }
        try {
            List<CheckpointEntry> m = readManifest();
            if (m != null && !m.isEmpty()) {
                e = Math.max(e, m.get(0).epoch());
            }
        } catch (CorruptCheckpointException ex) {
            LOG.warn("pipeline {}: ignoring {}", pipeline, ex.getMessage());
        }
        for (Named f : checkpointFiles()) {
            e = Math.max(e, f.epoch);
        }
        return e;
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the block's extent, not used in it
    public long claimEpoch() throws IOException {
        try (DirLock l = lock()) {
            long next = Math.addExact(currentEpoch(), 1);
            writeSealed(EPOCH, List.of(EPOCH_HEAD, "pipeline " + pipeline, "epoch " + next));
            List<CheckpointEntry> entries = manifestOrRebuild(next - 1, null);
            if (!Files.exists(dir.resolve(MANIFEST)) || manifestCorrupt()) {
                // Repair now, so that from here on "missing manifest" can only mean "lost".
                writeManifest(entries);
            }
            cleanUp(entries, next);
            LOG.info("pipeline {}: claimed owner epoch {}", pipeline, next);
            return next;
        }
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the block's extent, not used in it
    public CheckpointEntry write(Checkpoint c) throws IOException, StaleOwnerException {
        CheckpointStore.requireWritable(pipeline, c);
        // Fail before writing a large file when the outcome is already known.
        checkFence(c, currentEpoch(), readManifestQuietly());

        String name = String.format(Locale.ROOT, "ckpt-e%019d-s%019d-%s.ckpt", c.ownerEpoch(), c.sequence(),
                UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        Path target = dir.resolve(name);
        Path tmp = dir.resolve(name + TMP);
        String sha;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                OutputStream out = Channels.newOutputStream(ch);
                sha = CheckpointFormat.write(c, out);
                reached(CrashPoint.AFTER_TEMP_WRITE);
                ch.force(true);
                reached(CrashPoint.AFTER_FSYNC);
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            reached(CrashPoint.AFTER_RENAME);
            fsyncDirectory();
            reached(CrashPoint.AFTER_DIR_FSYNC);
        } catch (IOException | RuntimeException e) {
            // Not a finally block: a simulated crash (an Error from the test hook) must leave the
            // files exactly as a real crash would.
            deleteQuietly(tmp);
            deleteQuietly(target);
            if (e instanceof IOException && currentEpoch() > c.ownerEpoch()) {
                // A newer owner's claim removed our temporary file: report the real cause.
                StaleOwnerException s = new StaleOwnerException(pipeline, c.ownerEpoch(), currentEpoch());
                s.initCause(e);
                throw s;
            }
            throw e;
        }

        CheckpointEntry entry = new CheckpointEntry(name, c.ownerEpoch(), c.sequence(), sha);
        try (DirLock l = lock()) {
            long current = currentEpoch();
            List<CheckpointEntry> old = manifestOrRebuild(current, name);
            try {
                checkFence(c, current, old);
            } catch (StaleOwnerException | RuntimeException e) {
                deleteQuietly(target);
                throw e;
            }
            List<CheckpointEntry> entries = new ArrayList<>();
            entries.add(entry);
            for (CheckpointEntry e : old) {
                if (entries.size() < keep && !e.file().equals(name)) {
                    entries.add(e);
                }
            }
            writeManifest(entries);
            reached(CrashPoint.AFTER_MANIFEST_SWITCH);
            cleanUp(entries, current);
        }
        LOG.debug("pipeline {}: committed {}", pipeline, name);
        return entry;
    }

    /**
     * {@inheritDoc}
     *
     * <p>With a readable manifest only its entries are candidates, newest first, each checked
     * against the SHA-256 the manifest recorded: an uncommitted file (a crash before the switch, a
     * refused stale owner) is never loaded, and the fallback only moves back in time. Without one
     * (lost or corrupt manifest) the newest intact file is taken, but never one whose epoch is
     * newer than the claim recorded in {@code EPOCH}, and the result says {@code degraded}.
     *
     * <p>Reading takes no lock. If a committed file vanishes while it is read (another owner's
     * retention deleted it after switching the manifest), the load starts over from the new
     * manifest.
     */
    @Override
    public CheckpointLoad load() throws IOException {
        for (int attempt = 1; ; attempt++) {
            List<CheckpointLoad.Rejection> rejected = new ArrayList<>();
            List<CheckpointEntry> manifest;
            try {
                manifest = readManifest();
            } catch (CorruptCheckpointException e) {
                rejected.add(new CheckpointLoad.Rejection(MANIFEST, e.reason()));
                manifest = null;
            }
            if (manifest == null) {
                return scan(rejected);
            }
            boolean vanished = false;
            for (CheckpointEntry e : manifest) {
                try {
                    Checkpoint c = readEntry(e);
                    report(rejected, e.file(), false);
                    return new CheckpointLoad(c, e, false, rejected);
                } catch (NoSuchFileException ex) {
                    vanished = true;
                    rejected.add(new CheckpointLoad.Rejection(e.file(), "the file is missing"));
                } catch (CorruptCheckpointException ex) {
                    rejected.add(new CheckpointLoad.Rejection(e.file(), ex.reason()));
                }
            }
            if (vanished && attempt < 3 && !manifest.equals(readManifestQuietly())) {
                continue;
            }
            report(rejected, null, false);
            return new CheckpointLoad(null, null, false, rejected);
        }
    }

    /** The load without a usable manifest: the newest intact file within the recorded claim. */
    private CheckpointLoad scan(List<CheckpointLoad.Rejection> rejected) throws IOException {
        List<Named> files = checkpointFiles();
        if (files.isEmpty() && rejected.isEmpty()) {
            return new CheckpointLoad(null, null, false, rejected);
        }
        // Never a file whose epoch is newer than any recorded claim: it was not written by an owner
        // of this store (copied in, or from another deployment).
        long bound = claimedBound();
        for (Named f : files) {
            if (f.epoch > bound) {
                rejected.add(new CheckpointLoad.Rejection(f.name, "its epoch " + f.epoch
                        + " is newer than the newest recorded claim " + bound));
                continue;
            }
            try {
                CheckpointFormat.Verified v = CheckpointFormat.readVerified(dir.resolve(f.name));
                CheckpointEntry e = new CheckpointEntry(f.name, f.epoch, f.sequence, v.sha256());
                Checkpoint c = matching(dir.resolve(f.name), v.checkpoint(), e);
                report(rejected, f.name, true);
                return new CheckpointLoad(c, e, true, rejected);
            } catch (NoSuchFileException ex) {
                rejected.add(new CheckpointLoad.Rejection(f.name, "the file vanished while scanning"));
            } catch (CorruptCheckpointException ex) {
                rejected.add(new CheckpointLoad.Rejection(f.name, ex.reason()));
            }
        }
        report(rejected, null, true);
        return new CheckpointLoad(null, null, true, rejected);
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the block's extent, not used in it
    public Optional<Checkpoint> rollbackTo(long ownerEpoch, Optional<CheckpointId> target) throws IOException, StaleOwnerException {
        try (DirLock l = lock()) {
            long current = currentEpoch();
            if (ownerEpoch < current) {
                throw new StaleOwnerException(pipeline, ownerEpoch, current);
            }
            List<CheckpointEntry> manifest = readManifestQuietly();
            List<CheckpointEntry> entries = manifest == null ? List.of() : manifest;
            if (target.isEmpty()) {
                if (!entries.isEmpty()) {
                    writeManifest(List.of());
                    LOG.info("pipeline {}: discarded {} committed checkpoint(s)", pipeline, entries.size());
                }
                return Optional.empty();
            }
            long epoch = target.get().epoch();
            long sequence = target.get().sequence();
            for (int i = 0; i < entries.size(); i++) {
                CheckpointEntry e = entries.get(i);
                if (e.epoch() == epoch && e.sequence() == sequence) {
                    Checkpoint c = readEntry(e);
                    if (i > 0) {
                        writeManifest(new ArrayList<>(entries.subList(i, entries.size())));
                        LOG.info("pipeline {}: rolled back to checkpoint e{}/s{}, discarding {} newer", pipeline, epoch, sequence, i);
                    }
                    return Optional.of(c);
                }
            }
            throw new java.util.NoSuchElementException("pipeline " + pipeline + ": checkpoint e" + epoch + "/s" + sequence
                    + " is not among the committed checkpoints in " + dir + " " + entries);
        }
    }

    @Override
    public List<CheckpointEntry> committed() throws IOException {
        List<CheckpointEntry> m = readManifestQuietly();
        return m == null ? List.of() : m;
    }

    // ---- fencing ----

    private void checkFence(Checkpoint c, long current, List<CheckpointEntry> manifest) throws StaleOwnerException {
        if (c.ownerEpoch() < current) {
            throw new StaleOwnerException(pipeline, c.ownerEpoch(), current);
        }
        if (c.ownerEpoch() > current) {
            throw new IllegalStateException("checkpoint of pipeline '" + pipeline + "' carries owner epoch "
                    + c.ownerEpoch() + ", which was never claimed (the newest claim is " + current
                    + "); call claimEpoch() and use the epoch it returns");
        }
        if (manifest != null && !manifest.isEmpty()) {
            CheckpointEntry head = manifest.get(0);
            if (head.epoch() == c.ownerEpoch() && c.sequence() <= head.sequence()) {
                throw new IllegalArgumentException("checkpoint sequence must increase within an epoch: pipeline '"
                        + pipeline + "' epoch " + c.ownerEpoch() + " already committed sequence " + head.sequence()
                        + ", got " + c.sequence());
            }
        }
    }

    /** The upper bound for epochs a scanning load accepts: the recorded claim (EPOCH), else none. */
    private long claimedBound() throws IOException {
        try {
            long e = readEpochFile();
            if (e > 0) {
                return e;
            }
        } catch (CorruptCheckpointException ex) {
            LOG.warn("pipeline {}: {}", pipeline, ex.getMessage());
        }
        // No readable claim record either: nothing to bound by but the files themselves.
        return Long.MAX_VALUE;
    }

    // ---- reading ----

    private Checkpoint readEntry(CheckpointEntry e) throws IOException {
        Path p = dir.resolve(e.file());
        CheckpointFormat.Verified v = CheckpointFormat.readVerified(p);
        if (!v.sha256().equals(e.sha256())) {
            throw new CorruptCheckpointException(p, "its SHA-256 " + v.sha256() + " is not the committed "
                    + e.sha256() + " (the file was replaced)");
        }
        return matching(p, v.checkpoint(), e);
    }

    /** {@code c} when it is what its entry (or file name) says, else corrupt. */
    private Checkpoint matching(Path p, Checkpoint c, CheckpointEntry e) throws CorruptCheckpointException {
        if (!c.pipeline().equals(pipeline) || c.ownerEpoch() != e.epoch() || c.sequence() != e.sequence()) {
            throw new CorruptCheckpointException(p, "it holds pipeline '" + c.pipeline() + "' epoch " + c.ownerEpoch()
                    + " sequence " + c.sequence() + ", but its entry says pipeline '" + pipeline + "' epoch "
                    + e.epoch() + " sequence " + e.sequence());
        }
        return c;
    }

    private void report(List<CheckpointLoad.Rejection> rejected, String loaded, boolean degraded) {
        for (CheckpointLoad.Rejection r : rejected) {
            LOG.warn("pipeline {}: skipped {}: {}", pipeline, r.file(), r.reason());
        }
        if (loaded == null && !rejected.isEmpty()) {
            LOG.error("pipeline {}: no intact checkpoint is left in {}; the adapted state is lost", pipeline, dir);
        } else if (degraded) {
            LOG.warn("pipeline {}: the manifest is lost; resuming from the newest intact file {}, which may never"
                    + " have been committed", pipeline, loaded);
        } else if (loaded != null && !rejected.isEmpty()) {
            LOG.warn("pipeline {}: fell back to the older checkpoint {}", pipeline, loaded);
        }
    }

    /** The manifest's entries, {@code null} when there is no manifest. */
    private List<CheckpointEntry> readManifest() throws IOException {
        List<String> lines = readSealed(MANIFEST, MANIFEST_HEAD);
        if (lines == null) {
            return null;
        }
        Path file = dir.resolve(MANIFEST);
        if (lines.size() < 2 || !lines.get(1).equals("pipeline " + pipeline)) {
            throw new CorruptCheckpointException(file, "it does not belong to pipeline '" + pipeline + "'");
        }
        List<CheckpointEntry> out = new ArrayList<>();
        for (String line : lines.subList(2, lines.size())) {
            String[] f = line.split(" ");
            if (f.length != 5 || !f[0].equals("checkpoint")) {
                throw new CorruptCheckpointException(file, "unexpected line '" + line + "'");
            }
            try {
                Matcher m = FILE.matcher(f[4]);
                if (!m.matches()) {
                    throw new CorruptCheckpointException(file, "'" + f[4] + "' is not a checkpoint file name");
                }
                out.add(new CheckpointEntry(f[4], Long.parseLong(f[1]), Long.parseLong(f[2]), f[3]));
            } catch (IllegalArgumentException e) {
                throw new CorruptCheckpointException(file, "bad line '" + line + "': " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private List<CheckpointEntry> readManifestQuietly() throws IOException {
        try {
            return readManifest();
        } catch (CorruptCheckpointException e) {
            return null;
        }
    }

    private boolean manifestCorrupt() throws IOException {
        try {
            readManifest();
            return false;
        } catch (CorruptCheckpointException e) {
            return true;
        }
    }

    /**
     * The manifest's entries; when it is missing or corrupt, the intact files up to epoch
     * {@code bound} except {@code exclude} (the file being committed), newest first, as many as
     * are kept (logged: this is a repair).
     */
    private List<CheckpointEntry> manifestOrRebuild(long bound, String exclude) throws IOException {
        try {
            List<CheckpointEntry> m = readManifest();
            if (m != null) {
                return m;
            }
        } catch (CorruptCheckpointException e) {
            LOG.warn("pipeline {}: {}; rebuilding it from the intact checkpoint files", pipeline, e.getMessage());
        }
        List<CheckpointEntry> out = new ArrayList<>();
        for (Named f : checkpointFiles()) {
            if (out.size() >= keep) {
                break;
            }
            if (f.epoch > bound || f.name.equals(exclude)) {
                continue;
            }
            try {
                out.add(new CheckpointEntry(f.name, f.epoch, f.sequence, CheckpointFormat.verify(dir.resolve(f.name))));
            } catch (CorruptCheckpointException | NoSuchFileException e) {
                LOG.warn("pipeline {}: not keeping {}: {}", pipeline, f.name, e.getMessage());
            }
        }
        return out;
    }

    /** The claimed epoch in {@code EPOCH}, 0 when absent. */
    private long readEpochFile() throws IOException {
        List<String> lines = readSealed(EPOCH, EPOCH_HEAD);
        if (lines == null) {
            return 0;
        }
        Path file = dir.resolve(EPOCH);
        if (lines.size() != 3 || !lines.get(1).equals("pipeline " + pipeline) || !lines.get(2).startsWith("epoch ")) {
            throw new CorruptCheckpointException(file, "unexpected content " + lines);
        }
        try {
            long e = Long.parseLong(lines.get(2).substring("epoch ".length()));
            if (e < 0) {
                throw new NumberFormatException("negative");
            }
            return e;
        } catch (NumberFormatException e) {
            throw new CorruptCheckpointException(file, "bad epoch line '" + lines.get(2) + "'");
        }
    }

    /** Checkpoint files by name, newest (epoch, sequence) first. */
    private List<Named> checkpointFiles() throws IOException {
        List<Named> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                Matcher m = FILE.matcher(p.getFileName().toString());
                if (m.matches()) {
                    out.add(new Named(p.getFileName().toString(), Long.parseLong(m.group(1)), Long.parseLong(m.group(2))));
                }
            }
        }
        out.sort(Comparator.comparingLong((Named n) -> n.epoch).thenComparingLong(n -> n.sequence)
                .thenComparing(n -> n.name).reversed());
        return out;
    }

    private record Named(String name, long epoch, long sequence) {}

    // ---- writing the small files ----

    private void writeManifest(List<CheckpointEntry> entries) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(MANIFEST_HEAD);
        lines.add("pipeline " + pipeline);
        for (CheckpointEntry e : entries) {
            lines.add("checkpoint " + e.epoch() + " " + e.sequence() + " " + e.sha256() + " " + e.file());
        }
        writeSealed(MANIFEST, lines);
    }

    /**
     * Writes {@code lines} plus a {@code sha256 <hex>} line over them to {@code name}: temp file,
     * fsync, atomic rename, directory fsync. Called under the lock only.
     */
    private void writeSealed(String name, List<String> lines) throws IOException {
        StringBuilder b = new StringBuilder();
        for (String l : lines) {
            b.append(l).append('\n');
        }
        byte[] body = b.toString().getBytes(StandardCharsets.UTF_8);
        String sha = HexFormat.of().formatHex(CheckpointFormat.sha256().digest(body));
        byte[] seal = ("sha256 " + sha + "\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = dir.resolve(name + TMP);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            OutputStream out = Channels.newOutputStream(ch);
            out.write(body);
            out.write(seal);
            out.flush();
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        fsyncDirectory();
    }

    /** The lines of a sealed file without the seal; {@code null} when the file does not exist. */
    private List<String> readSealed(String name, String head) throws IOException {
        Path file = dir.resolve(name);
        byte[] bytes;
        try {
            long size = Files.size(file);
            if (size > (1 << 20)) {
                throw new CorruptCheckpointException(file, "it has " + size + " bytes; it is at most a few kB");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        int cut = text.lastIndexOf("sha256 ");
        if (cut < 0 || !text.endsWith("\n") || (cut > 0 && text.charAt(cut - 1) != '\n')) {
            throw new CorruptCheckpointException(file, "it has no SHA-256 line at its end (truncated?)");
        }
        String stored = text.substring(cut + "sha256 ".length(), text.length() - 1);
        String computed = HexFormat.of().formatHex(CheckpointFormat.sha256().digest(
                text.substring(0, cut).getBytes(StandardCharsets.UTF_8)));
        if (!stored.equals(computed)) {
            throw new CorruptCheckpointException(file, "SHA-256 mismatch: stored " + stored + ", computed " + computed);
        }
        List<String> lines = List.of(text.substring(0, cut).split("\n"));
        if (lines.isEmpty() || !lines.get(0).equals(head)) {
            throw new CorruptCheckpointException(file, "it does not start with '" + head + "'");
        }
        return lines;
    }

    // ---- housekeeping ----

    /**
     * Deletes temporary files and checkpoint files the manifest does not list, up to epoch
     * {@code bound}. Called under the lock by the current owner, so no newer owner can be writing:
     * any temporary file belongs to a crashed or stale writer.
     */
    private void cleanUp(List<CheckpointEntry> listed, long bound) throws IOException {
        List<String> keepNames = listed.stream().map(CheckpointEntry::file).toList();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                String n = p.getFileName().toString();
                Matcher m = FILE.matcher(n);
                boolean tmp = n.endsWith(TMP) && (n.startsWith("ckpt-") || n.equals(MANIFEST + TMP)
                        || n.equals(EPOCH + TMP));
                boolean orphan = m.matches() && !keepNames.contains(n) && Long.parseLong(m.group(1)) <= bound;
                if (tmp || orphan) {
                    deleteQuietly(p);
                    LOG.debug("pipeline {}: removed {}", pipeline, n);
                }
            }
        }
    }

    private void fsyncDirectory() throws IOException {
        if (WINDOWS) {
            return; // Windows cannot open a directory as a channel; NTFS journals renames.
        }
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    private void reached(CrashPoint p) {
        if (crashHook != null) {
            crashHook.accept(p);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            LOG.warn("could not delete {}: {}", p, e.toString());
        }
    }

    private DirLock lock() throws IOException {
        FileChannel ch = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + LOCK_TIMEOUT_NANOS;
        try {
            while (true) {
                try {
                    FileLock l = ch.tryLock();
                    if (l != null) {
                        return new DirLock(ch, l);
                    }
                } catch (OverlappingFileLockException e) {
                    // Held by another store instance in this JVM; wait for it like for another process.
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("timed out after 30 s waiting for the checkpoint lock " + dir.resolve(LOCK)
                            + "; another owner holds it");
                }
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the checkpoint lock");
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    private record DirLock(FileChannel channel, FileLock lock) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            try {
                lock.release();
            } finally {
                channel.close();
            }
        }
    }
}
