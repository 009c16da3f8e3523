package io.ctta.streams.record;

import java.util.regex.Pattern;

/**
 * Topic names derived from a pipeline name. The input topic is configured per pipeline and is not
 * derived; every output topic is {@code <pipeline>.<suffix>}.
 */
public final class Topics {

    /** Kafka's own limit (Topic.MAX_NAME_LENGTH). */
    public static final int MAX_LENGTH = 249;
    private static final Pattern LEGAL = Pattern.compile("[a-zA-Z0-9._-]+");

    private Topics() {
    }

    /** {@code <pipeline>.predictions}. */
    public static String predictions(String pipeline) {
        return validate(pipeline + ".predictions");
    }

    /** {@code <pipeline>.dead-letters}. */
    public static String deadLetters(String pipeline) {
        return validate(pipeline + ".dead-letters");
    }

    /** {@code <pipeline>.drift}. */
    public static String drift(String pipeline) {
        return validate(pipeline + ".drift");
    }

    /**
     * {@code <pipeline>.checkpoints}: in exactly-once output mode, the pointer to the checkpoint each
     * committed transaction covers (compacted, one partition, keyed by pipeline).
     */
    public static String checkpoints(String pipeline) {
        return validate(pipeline + ".checkpoints");
    }

    /**
     * {@code <pipeline>.lease}: hot standby (scope = pipeline, standby = true); one partition, never
     * written to: the member of the lease group that is assigned it is the active process.
     */
    public static String lease(String pipeline) {
        return validate(pipeline + ".lease");
    }

    /** {@code <pipeline>.feedback}. */
    public static String feedback(String pipeline) {
        return validate(pipeline + ".feedback");
    }

    /**
     * Checks a topic name against Kafka's rules.
     *
     * @return the name, unchanged
     * @throws IllegalArgumentException with the rule that was broken
     */
    public static String validate(String topic) {
        if (topic == null || topic.isEmpty()) {
            throw new IllegalArgumentException("topic name is empty");
        }
        if (topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("topic name cannot be '.' or '..'");
        }
        if (topic.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("topic name '" + topic.substring(0, 40) + "...' is "
                    + topic.length() + " characters; Kafka allows at most " + MAX_LENGTH
                    + " (shorten the pipeline name)");
        }
        if (!LEGAL.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic name '" + topic + "' has characters Kafka rejects;"
                    + " use only ASCII letters, digits, '.', '_' and '-'");
        }
        return topic;
    }
}
