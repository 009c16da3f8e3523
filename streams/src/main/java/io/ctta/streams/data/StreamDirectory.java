package io.ctta.streams.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
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
    /** The manifest version this code writes and reads. */
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
     * Reads a stream directory, domains in manifest order.
     *
     * @throws NoSuchFileException if the manifest or a listed file is missing
     * @throws IdxFormatException if the manifest is invalid (not JSON, wrong format or version,
     *     missing fields, duplicate names, a path that leaves the directory) or an IDX file is
     *     malformed, or image sizes differ between domains
     */
    public static List<Domain> read(Path dir) throws IOException {
        Path manifest = dir.resolve(MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new NoSuchFileException(manifest.toString(), null, "not a stream directory:"
                    + " " + MANIFEST + " is missing (write one with StreamDirectory.write)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.toFile());
        } catch (JsonProcessingException e) {
            throw new IdxFormatException(manifest + ": not valid JSON: "
                    + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IdxFormatException(manifest + ": must hold a JSON object");
        }
        String format = root.path("format").asText(null);
        if (!FORMAT.equals(format)) {
            throw new IdxFormatException(manifest + ": \"format\" must be \"" + FORMAT
                    + "\", got " + root.get("format"));
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToExactIntegral() || version.asInt() != VERSION) {
            throw new IdxFormatException(manifest + ": unsupported \"version\" " + version
                    + "; this reader supports version " + VERSION
                    + " (a newer ctta wrote it? upgrade ctta)");
        }
        JsonNode list = root.get("domains");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IdxFormatException(manifest + ": \"domains\" must be a non-empty array");
        }
        Path realDir = dir.toRealPath();
        List<Domain> domains = new ArrayList<>(list.size());
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            JsonNode d = list.get(i);
            String where = manifest + ": domains[" + i + "]";
            String name = text(d, "name", where);
            if (!names.add(name)) {
                throw new IdxFormatException(where + ": duplicate domain name '" + name + "'");
            }
            Path images = inside(realDir, text(d, "images", where), where + ".images");
            Path labels = inside(realDir, text(d, "labels", where), where + ".labels");
            LabeledImages data = IdxReader.read(images, labels);
            if (!domains.isEmpty()) {
                LabeledImages first = domains.get(0).images();
                if (first.rows() != data.rows() || first.cols() != data.cols()) {
                    throw new IdxFormatException(where + " ('" + name + "'): images are "
                            + data.rows() + "x" + data.cols() + " but domain '"
                            + domains.get(0).name() + "' has " + first.rows() + "x"
                            + first.cols() + "; all domains of a stream must have one size");
                }
            }
            domains.add(new Domain(name, data));
        }
        return List.copyOf(domains);
    }

    private static String text(JsonNode d, String field, String where)
            throws IdxFormatException {
        JsonNode v = d == null ? null : d.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IdxFormatException(where + ": \"" + field
                    + "\" must be a non-empty string");
        }
        return v.asText();
    }

    /** Resolves a manifest path, refusing absolute paths and anything outside {@code dir}. */
    private static Path inside(Path realDir, String rel, String where) throws IOException {
        Path p = Path.of(rel);
        if (p.isAbsolute() || rel.startsWith("/") || rel.startsWith("\\")) {
            throw new IdxFormatException(where + ": '" + rel + "' is absolute; paths must be"
                    + " relative to the stream directory");
        }
        Path resolved = realDir.resolve(p).normalize();
        if (!resolved.startsWith(realDir)) {
            throw new IdxFormatException(where + ": '" + rel + "' leaves the stream directory");
        }
        if (!Files.isRegularFile(resolved)) {
            throw new NoSuchFileException(resolved.toString(), null, where
                    + " names a file that does not exist");
        }
        // A symbolic link inside the directory may still point outside it.
        if (!resolved.toRealPath().startsWith(realDir)) {
            throw new IdxFormatException(where + ": '" + rel + "' is a link that leaves the"
                    + " stream directory");
        }
        return resolved;
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
