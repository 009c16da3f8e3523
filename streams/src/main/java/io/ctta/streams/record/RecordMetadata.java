package io.ctta.streams.record;

import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The rules for a record's metadata map (time, location, task, split, source file, ...): what both wire
 * formats accept, so a producer fails where a consumer would reject (docs/record-format.md).
 *
 * <p>Keys are 1..{@value #MAX_KEY_BYTES} characters from {@code [A-Za-z0-9._-]}, so they can double as
 * metric tag names; values are any UTF-8 text of at most {@value #MAX_VALUE_BYTES} bytes; a record has
 * at most {@value #MAX_ENTRIES} entries. The limits are part of the format (not of a consumer's
 * configuration) because the metadata travels with every record and must stay small next to the
 * tensor.
 */
public final class RecordMetadata {

    /** Most entries one record may carry. */
    public static final int MAX_ENTRIES = 64;
    /** Longest key, in bytes (keys are ASCII). */
    public static final int MAX_KEY_BYTES = 128;
    /** Longest value, in UTF-8 bytes. */
    public static final int MAX_VALUE_BYTES = 1024;

    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._-]+");

    private RecordMetadata() {
    }

    /**
     * A validated, unmodifiable copy sorted by key (so encodings are deterministic).
     *
     * @param metadata the entries, or {@code null} for none
     * @throws IllegalArgumentException naming the first entry that breaks a rule
     */
    public static SortedMap<String, String> copyOf(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return Collections.emptySortedMap();
        }
        String tooMany = countProblem(metadata.size());
        if (tooMany != null) {
            throw new IllegalArgumentException(tooMany);
        }
        TreeMap<String, String> copy = new TreeMap<>();
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            String problem = keyProblem(e.getKey());
            if (problem == null) {
                problem = valueProblem(e.getKey(), e.getValue());
            }
            if (problem != null) {
                throw new IllegalArgumentException(problem);
            }
            copy.put(e.getKey(), e.getValue());
        }
        return Collections.unmodifiableSortedMap(copy);
    }

    /** Why {@code count} entries are too many, or {@code null} when they are not. */
    public static String countProblem(long count) {
        return count > MAX_ENTRIES ? "metadata has " + count + " entries; at most " + MAX_ENTRIES + " are allowed" : null;
    }

    /** Why {@code key} is not a valid metadata key, or {@code null} when it is. */
    public static String keyProblem(String key) {
        if (key == null || key.isEmpty()) {
            return "metadata key is empty";
        }
        if (key.length() > MAX_KEY_BYTES) {
            return "metadata key '" + key.substring(0, 32) + "...' is " + key.length() + " characters; at most "
                    + MAX_KEY_BYTES + " are allowed";
        }
        if (!KEY.matcher(key).matches()) {
            return "metadata key '" + key + "' has characters outside [A-Za-z0-9._-]";
        }
        return null;
    }

    /** Why {@code value} is not a valid value for {@code key}, or {@code null} when it is. */
    public static String valueProblem(String key, String value) {
        if (value == null) {
            return "metadata value of '" + key + "' is null; leave the key out instead";
        }
        int bytes = value.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_VALUE_BYTES) {
            return "metadata value of '" + key + "' is " + bytes + " UTF-8 bytes; at most " + MAX_VALUE_BYTES
                    + " are allowed";
        }
        return null;
    }

    /** {@code metadata} with {@code key} set to {@code value} (a new validated copy). */
    public static SortedMap<String, String> with(Map<String, String> metadata, String key, String value) {
        TreeMap<String, String> copy = new TreeMap<>(Objects.requireNonNull(metadata, "metadata"));
        copy.put(key, value);
        return copyOf(copy);
    }
}
