package io.ctta.actors.config;

/**
 * A setting is missing or has a value the runtime cannot use. The message names the key, the bad
 * value and what is expected, so a user can fix the file without reading code.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;

    public InvalidConfigException(String key, Object badValue, String expected) {
        super("invalid setting '" + key + "' = " + render(badValue) + ": expected " + expected);
        this.key = key;
    }

    public InvalidConfigException(String key, String message, Throwable cause) {
        super("invalid setting '" + key + "': " + message, cause);
        this.key = key;
    }

    /** The full path of the offending key. */
    public String key() {
        return key;
    }

    private static String render(Object v) {
        return v instanceof String s ? "\"" + s + "\"" : String.valueOf(v);
    }
}
