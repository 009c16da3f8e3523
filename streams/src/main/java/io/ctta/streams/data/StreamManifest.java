package io.ctta.streams.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;

/**
 * The parsed and checked {@code manifest.json} of a stream directory (docs/stream-directory.md): the
 * domains in stream order with their files resolved inside the directory. Reading the IDX files is the
 * caller's job ({@link StreamDirectory#read} loads grey streams whole; the {@code stream-dir} reader
 * streams any stream image by image).
 *
 * @param file    the manifest
 * @param version 1 (grey images, one size for all domains) or 2 (grey or RGB, any size per domain)
 * @param domains the domains in stream order
 * @param classes the label space size when the manifest declares it ({@code "classes"}), labels must be below it
 */
public record StreamManifest(Path file, int version, List<Entry> domains, OptionalInt classes) {

    /** The oldest manifest version this code reads. */
    public static final int MIN_VERSION = 1;
    /** The newest manifest version this code reads. */
    public static final int MAX_VERSION = 2;

    /**
     * One domain: its name and its two files, resolved and checked to exist inside the directory.
     *
     * @param index  position in the manifest
     * @param name   unique domain name
     * @param images the IDX image file
     * @param labels the IDX label file
     */
    public record Entry(int index, String name, Path images, Path labels) {
        /** "manifest.json: domains[3] ('fog-3')" for messages. */
        public String where(Path manifest) {
            return manifest + ": domains[" + index + "] ('" + name + "')";
        }
    }

    public StreamManifest {
        domains = List.copyOf(domains);
    }

    /**
     * Reads and checks {@code dir/manifest.json}.
     *
     * @throws NoSuchFileException if the manifest or a listed file is missing
     * @throws IdxFormatException  if the manifest is invalid: not JSON, wrong format or version, missing
     *                             fields, duplicate names, a path that leaves the directory, a bad "classes"
     */
    public static StreamManifest read(Path dir) throws IOException {
        Path manifest = dir.resolve(StreamDirectory.MANIFEST);
        if (!Files.isRegularFile(manifest)) {
            throw new NoSuchFileException(manifest.toString(), null, "not a stream directory:"
                    + " " + StreamDirectory.MANIFEST + " is missing (write one with StreamDirectory.write)");
        }
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(manifest.toFile());
        } catch (JsonProcessingException e) {
            throw new IdxFormatException(manifest + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new IdxFormatException(manifest + ": must hold a JSON object");
        }
        String format = root.path("format").asText(null);
        if (!StreamDirectory.FORMAT.equals(format)) {
            throw new IdxFormatException(manifest + ": \"format\" must be \"" + StreamDirectory.FORMAT
                    + "\", got " + root.get("format"));
        }
        JsonNode version = root.get("version");
        if (version == null || !version.canConvertToExactIntegral() || version.asInt() < MIN_VERSION
                || version.asInt() > MAX_VERSION) {
            throw new IdxFormatException(manifest + ": unsupported \"version\" " + version
                    + "; this reader supports versions " + MIN_VERSION + " and " + MAX_VERSION
                    + " (a newer ctta wrote it? upgrade ctta)");
        }
        OptionalInt classes = OptionalInt.empty();
        JsonNode c = root.get("classes");
        if (c != null && !c.isNull()) {
            if (!c.canConvertToExactIntegral() || !c.canConvertToInt() || c.asInt() < 1) {
                throw new IdxFormatException(manifest + ": \"classes\" must be a positive integer (the label space size), got " + c);
            }
            classes = OptionalInt.of(c.asInt());
        }
        JsonNode list = root.get("domains");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new IdxFormatException(manifest + ": \"domains\" must be a non-empty array");
        }
        Path realDir = dir.toRealPath();
        List<Entry> entries = new ArrayList<>(list.size());
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
            entries.add(new Entry(i, name, images, labels));
        }
        return new StreamManifest(manifest, version.asInt(), entries, classes);
    }

    private static String text(JsonNode d, String field, String where) throws IdxFormatException {
        JsonNode v = d == null ? null : d.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new IdxFormatException(where + ": \"" + field + "\" must be a non-empty string");
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
}
