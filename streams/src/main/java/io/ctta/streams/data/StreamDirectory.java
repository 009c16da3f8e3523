package io.ctta.streams.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A continual stream on disk, so that a stream made by any tool can be replayed: one pair of IDX
 * files per domain plus {@code manifest.json} listing the domains in stream order.
 *
 * <pre>{@code
 * {"format": "ctta-stream", "version": 1,
 *  "domains": [{"name": "gaussian_noise-5",
 *               "images": "000-gaussian_noise-5-images-idx3-ubyte.gz",
 *               "labels": "000-gaussian_noise-5-labels-idx1-ubyte.gz"}, ...]}
 * }</pre>
 *
 * <p>File names are relative to the directory and must stay inside it. All domains must have the
 * same image size. See {@code docs/stream-directory.md}.
 */
public final class StreamDirectory {
    /** Name of the manifest file. */
    public static final String MANIFEST = "manifest.json";
    /** Value of the manifest's {@code format} field. */
    public static final String FORMAT = "ctta-stream";
    /**
     * The manifest version {@link #write} writes (grey images of one size); {@link StreamManifest}
     * also reads version 2 (grey or RGB, any size per domain).
     */
    public static final int VERSION = 1;

    private StreamDirectory() {}

    /**
     * Writes {@code domains} into {@code dir}, which must not exist or be empty. The manifest is
     * written last and atomically, so a directory with a manifest is complete.
     *
     * @throws FileAlreadyExistsException if {@code dir} is not empty
     * @throws IllegalArgumentException if the list is empty, names repeat, or sizes differ
     */
    public static void write(Path dir, List<Domain> domains) throws IOException {
        checkDomains(domains);
        if (Files.exists(dir)) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new FileAlreadyExistsException(dir.toString(), null,
                            "stream directory must be new or empty; remove it or pick another");
                }
            }
        }
        Files.createDirectories(dir);
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        ArrayNode list = root.putArray("domains");
        for (int i = 0; i < domains.size(); i++) {
            Domain d = domains.get(i);
            String base = String.format(Locale.ROOT, "%03d-%s", i, safe(d.name()));
            String images = base + "-images-idx3-ubyte.gz";
            String labels = base + "-labels-idx1-ubyte.gz";
            IdxWriter.write(d.images(), dir.resolve(images), dir.resolve(labels));
            list.addObject().put("name", d.name()).put("images", images).put("labels", labels);
        }
        byte[] bytes = json.enable(SerializationFeature.INDENT_OUTPUT)
                .writeValueAsString(root).concat("\n").getBytes(StandardCharsets.UTF_8);
        Path tmp = Files.createTempFile(dir, ".manifest", ".tmp");
        try {
            Files.write(tmp, bytes);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, dir.resolve(MANIFEST));
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads a grey stream directory whole, domains in manifest order: the form the Fashion-MNIST
     * tooling works with. Streams of RGB images or of several image sizes (manifest version 2) are
     * read image by image with the {@code stream-dir} dataset reader instead.
     *
     * @throws NoSuchFileException if the manifest or a listed file is missing
     * @throws IdxFormatException if the manifest is invalid (not JSON, wrong format or version,
     *     missing fields, duplicate names, a path that leaves the directory) or an IDX file is
     *     malformed or not grey, or image sizes differ between domains
     */
    public static List<Domain> read(Path dir) throws IOException {
        StreamManifest manifest = StreamManifest.read(dir);
        List<Domain> domains = new ArrayList<>(manifest.domains().size());
        for (StreamManifest.Entry e : manifest.domains()) {
            String where = manifest.file() + ": domains[" + e.index() + "]";
            LabeledImages data = IdxReader.read(e.images(), e.labels());
            if (!domains.isEmpty()) {
                LabeledImages first = domains.get(0).images();
                if (first.rows() != data.rows() || first.cols() != data.cols()) {
                    throw new IdxFormatException(where + " ('" + e.name() + "'): images are "
                            + data.rows() + "x" + data.cols() + " but domain '"
                            + domains.get(0).name() + "' has " + first.rows() + "x"
                            + first.cols() + "; all domains of a stream must have one size"
                            + (manifest.version() >= 2 ? " to be read whole; read it with the stream-dir reader" : ""));
                }
            }
            domains.add(new Domain(e.name(), data));
        }
        return List.copyOf(domains);
    }

    private static void checkDomains(List<Domain> domains) {
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("a stream needs at least one domain");
        }
        Set<String> names = new HashSet<>();
        LabeledImages first = domains.get(0).images();
        for (Domain d : domains) {
            if (!names.add(d.name())) {
                throw new IllegalArgumentException("duplicate domain name '" + d.name() + "'");
            }
            if (d.images().rows() != first.rows() || d.images().cols() != first.cols()) {
                throw new IllegalArgumentException("domain '" + d.name() + "' has "
                        + d.images().rows() + "x" + d.images().cols() + " images but '"
                        + domains.get(0).name() + "' has " + first.rows() + "x" + first.cols());
            }
        }
    }

    /** A file-name-safe form of a domain name (the manifest keeps the real name). */
    private static String safe(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.length() > 64 ? s.substring(0, 64) : s;
    }
}
