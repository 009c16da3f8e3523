package io.ctta.streams.source.nevis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code nevis-datasets.json}: which folder holds which benchmark dataset, e.g.
 * {@code {"MNIST": "mnist/train", "Caltech 101": "caltech101"}}. Keys are the benchmark's dataset names
 * exactly as the stream definition writes them; a key that is not one is refused (a dataset is never
 * matched by a look-alike name). Folders are relative to the root and stay inside it.
 */
final class NevisMapping {

    /** The mapping file's default name, in the root. */
    static final String FILE = "nevis-datasets.json";

    private NevisMapping() {
    }

    /**
     * Reads {@code file}.
     *
     * @return benchmark name to folder, in file order
     * @throws NoSuchFileException when the file is missing
     * @throws IllegalArgumentException naming the file and the entry that is wrong
     */
    static Map<String, Path> read(Path root, Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "NEVIS'22 needs a mapping from the benchmark's dataset names to"
                    + " folders, e.g. {\"MNIST\": \"mnist/train\", \"Caltech 101\": \"caltech101\"} (docs/datasets.md)");
        }
        JsonNode json;
        try {
            json = new ObjectMapper().readTree(file.toFile());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(file + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (json == null || !json.isObject()) {
            throw new IllegalArgumentException(file + ": must hold one JSON object of dataset name -> folder");
        }
        List<String> known = NevisStream.allDatasets();
        Path realRoot = root.toAbsolutePath().normalize();
        Map<String, Path> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!known.contains(e.getKey())) {
                throw new IllegalArgumentException(file + ": '" + e.getKey() + "' is not a NEVIS'22 dataset name; use the names of"
                        + " dm_nevis/streams/nevis_stream.py exactly, e.g. " + suggestion(e.getKey(), known));
            }
            if (!e.getValue().isTextual() || e.getValue().asText().isBlank()) {
                throw new IllegalArgumentException(file + ": the folder of '" + e.getKey() + "' must be a non-empty string");
            }
            Path folder = realRoot.resolve(e.getValue().asText()).normalize();
            if (Path.of(e.getValue().asText()).isAbsolute() || !folder.startsWith(realRoot)) {
                throw new IllegalArgumentException(file + ": the folder of '" + e.getKey() + "', '" + e.getValue().asText()
                        + "', is not inside " + root + "; give a path relative to it");
            }
            out.put(e.getKey(), folder);
        }
        return out;
    }

    /** A known name close to {@code name} (same letters and digits), or the first few names. */
    private static String suggestion(String name, List<String> known) {
        String key = name.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT);
        for (String k : known) {
            if (k.replaceAll("[^A-Za-z0-9]", "").toLowerCase(java.util.Locale.ROOT).equals(key)) {
                return "'" + k + "'";
            }
        }
        return "'" + known.get(0) + "', '" + known.get(1) + "'";
    }
}
