package io.ctta.actors.config;

/**
 * A setting is missing or has a value the runtime cannot use. The message names the key, the bad
 * value and what is expected, so a user can fix the file without reading code.
 */
public final class InvalidConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final transient java.util.List<io.ctta.runtime.config.ConfigProblem> problems;

    public InvalidConfigException(String key, Object badValue, String expected) {
        this(java.util.List.of(io.ctta.runtime.config.ConfigProblem.badValue(key, badValue, expected)));
    }

    public InvalidConfigException(String key, String message, Throwable cause) {
        super("invalid setting '" + key + "': " + message, cause);
        this.key = key;
        this.problems = java.util.List.of(new io.ctta.runtime.config.ConfigProblem(key, message));
    }

    /** Every problem one validation pass found; the message lists them, one per line. */
    public InvalidConfigException(java.util.List<io.ctta.runtime.config.ConfigProblem> problems) {
        super(render(problems));
        this.key = problems.get(0).key();
        this.problems = java.util.List.copyOf(problems);
    }

    /** A file that is not valid HOCON: one line, {@code FILE:LINE: what the parser expected}. */
    public static InvalidConfigException syntax(String file, int line, String detail) {
        String where = line > 0 ? file + ":" + line : file;
        return new InvalidConfigException(where + ": syntax error: " + detail, where,
                java.util.List.of(new io.ctta.runtime.config.ConfigProblem(where, "syntax error: " + detail)));
    }

    private InvalidConfigException(String message, String key, java.util.List<io.ctta.runtime.config.ConfigProblem> problems) {
        super(message);
        this.key = key;
        this.problems = problems;
    }

    /** Every problem, in the order found (at least one). */
    public java.util.List<io.ctta.runtime.config.ConfigProblem> problems() {
        return problems;
    }

    /** The full path of the offending key. */
    public String key() {
        return key;
    }

    private static String render(java.util.List<io.ctta.runtime.config.ConfigProblem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).toString();
        }
        StringBuilder b = new StringBuilder(problems.size() + " problems in the configuration:");
        for (io.ctta.runtime.config.ConfigProblem p : problems) {
            b.append("\n  ").append(p);
        }
        return b.toString();
    }
}
