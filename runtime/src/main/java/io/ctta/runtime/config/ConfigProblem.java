package io.ctta.runtime.config;

import java.util.Objects;

/**
 * One thing wrong with a configuration: the full key, and a message that says what was found,
 * what is expected and how to fix it.
 *
 * @param key the full path of the offending key, e.g. {@code ctta.pipelines[0].batch-size}
 * @param message what is wrong after the key, e.g. {@code = 0: expected an integer in [1, 65536]}
 */
public record ConfigProblem(String key, String message) {

    public ConfigProblem {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(message, "message");
    }

    /** "= VALUE: expected WHAT". */
    public static ConfigProblem badValue(String key, Object value, String expected) {
        return new ConfigProblem(key, "= " + render(value) + ": expected " + expected);
    }

    /** One line, the key first: {@code invalid setting 'KEY' = VALUE: expected ...}. */
    @Override
    public String toString() {
        return "invalid setting '" + key + "'" + (message.startsWith("=") ? " " : ": ") + message;
    }

    /** Strings quoted, everything else as Java prints it. */
    public static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
