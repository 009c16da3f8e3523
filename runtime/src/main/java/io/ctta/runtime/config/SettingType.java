package io.ctta.runtime.config;

/** What kind of value a {@link Setting} holds; the reader converts and checks by it. */
public enum SettingType {
    STRING("a string"),
    BOOLEAN("true or false"),
    INT("an integer"),
    LONG("an integer"),
    DOUBLE("a number"),
    DURATION("a duration such as 50ms or 2s"),
    /** A string out of a fixed set. */
    ENUM("one of a fixed set"),
    /** An object whose keys are free (Kafka client properties, per-pipeline overrides). */
    BLOCK("an object { ... }"),
    /** A list of objects, each checked by its owner (pipelines, drift detectors). */
    LIST("a list of objects");

    private final String noun;

    SettingType(String noun) {
        this.noun = noun;
    }

    /** How messages name a value of this type: "a number". */
    public String noun() {
        return noun;
    }
}
