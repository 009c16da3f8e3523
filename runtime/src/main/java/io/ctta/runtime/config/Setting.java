package io.ctta.runtime.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * One declared setting: its key inside its block, its type, its default, the values it accepts and
 * what it does. Declared once by the component that reads it; the reader, {@code ctta config
 * defaults} and the reference.conf check all read the declaration.
 *
 * @param key the key inside its block, e.g. {@code batch-size}
 * @param type how the value is read
 * @param defaultValue the value when the key is absent; {@code null} for a required setting
 * @param allowed for {@link SettingType#ENUM}: the accepted values; else empty
 * @param rule the range check on a read value (always true when there is none)
 * @param range what {@code rule} accepts, in words ("an integer in [1, 65536]"); empty when any value of the type goes
 * @param doc one sentence on what the setting does
 * @param defaultDependsOn empty, or how the default changes with another setting (then a fallback
 *     file such as reference.conf must not fix it, and {@code defaultValue} is the usual one)
 * @param <T> the Java type of the value
 */
public record Setting<T>(String key, SettingType type, T defaultValue, List<String> allowed, Predicate<T> rule,
        String range, String doc, String defaultDependsOn) {

    public Setting {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(type, "type");
        allowed = List.copyOf(allowed);
        Objects.requireNonNull(rule, "rule");
        Objects.requireNonNull(range, "range");
        Objects.requireNonNull(doc, "doc");
        Objects.requireNonNull(defaultDependsOn, "defaultDependsOn");
        if (defaultValue != null && !rule.test(defaultValue)) {
            throw new IllegalArgumentException("the default of " + key + " (" + defaultValue + ") breaks its own rule: " + range);
        }
    }

    /** A string. */
    public static Setting<String> string(String key, String def, String doc) {
        return new Setting<>(key, SettingType.STRING, def, List.of(), v -> true, "", doc, "");
    }

    /** A string that must be given (no default). */
    public static Setting<String> required(String key, String doc) {
        return new Setting<>(key, SettingType.STRING, null, List.of(), v -> true, "", doc, "");
    }

    /** true or false. */
    public static Setting<Boolean> bool(String key, boolean def, String doc) {
        return new Setting<>(key, SettingType.BOOLEAN, def, List.of(), v -> true, "", doc, "");
    }

    /** An integer in {@code [min, max]}. */
    public static Setting<Integer> integer(String key, int def, int min, int max, String doc) {
        String range = max == Integer.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]";
        return new Setting<>(key, SettingType.INT, def, List.of(), v -> v >= min && v <= max, range, doc, "");
    }

    /** A long integer in {@code [min, max]}. */
    public static Setting<Long> longInteger(String key, long def, long min, long max, String doc) {
        String range = min == Long.MIN_VALUE && max == Long.MAX_VALUE ? ""
                : max == Long.MAX_VALUE ? "an integer >= " + min : "an integer in [" + min + ", " + max + "]";
        return new Setting<>(key, SettingType.LONG, def, List.of(), v -> v >= min && v <= max, range, doc, "");
    }

    /** A finite number; narrow it with {@link #where}. */
    public static Setting<Double> number(String key, double def, String doc) {
        return new Setting<>(key, SettingType.DOUBLE, def, List.of(), Double::isFinite, "a finite number", doc, "");
    }

    /** A duration greater than zero. */
    public static Setting<Duration> positiveDuration(String key, Duration def, String doc) {
        return new Setting<>(key, SettingType.DURATION, def, List.of(), d -> !d.isNegative() && !d.isZero(),
                "a positive duration such as 50ms", doc, "");
    }

    /** A duration of zero or more (zero usually switches something off; the doc says what). */
    public static Setting<Duration> duration(String key, Duration def, String doc) {
        return new Setting<>(key, SettingType.DURATION, def, List.of(), d -> !d.isNegative(), "a duration >= 0", doc, "");
    }

    /** One of {@code allowed}; the default must be one of them. */
    public static Setting<String> oneOf(String key, String def, String doc, String... allowed) {
        List<String> values = List.of(allowed);
        return new Setting<>(key, SettingType.ENUM, def, values, values::contains, "one of " + String.join(", ", values), doc, "");
    }

    /** An object with free keys, empty by default. */
    public static Setting<Map<String, Object>> block(String key, String doc) {
        return new Setting<>(key, SettingType.BLOCK, Map.of(), List.of(), v -> true, "", doc, "");
    }

    /** A list of objects (each element checked by its owner), with its default elements. */
    public static Setting<List<Object>> list(String key, List<Object> def, String doc) {
        return new Setting<>(key, SettingType.LIST, def, List.of(), v -> true, "", doc, "");
    }

    /** This setting with a narrower rule, worded as {@code range} ("in (0, 1)"). */
    public Setting<T> where(Predicate<T> narrower, String range) {
        Predicate<T> base = rule;
        return new Setting<>(key, type, defaultValue, allowed, v -> base.test(v) && narrower.test(v), range, doc, defaultDependsOn);
    }

    /**
     * This setting with its range worded for documentation and messages, while the owning
     * component checks it (together with the rules that span several settings).
     */
    public Setting<T> checkedBy(String componentRange) {
        return new Setting<>(key, type, defaultValue, allowed, rule, componentRange, doc, defaultDependsOn);
    }

    /**
     * This setting with a default that another setting changes ({@code note} says how, e.g. "0 when
     * source-replay = false"): reference.conf then documents it in a comment instead of setting it,
     * since a value there would override the component's own choice.
     */
    public Setting<T> defaultDependsOn(String note) {
        return new Setting<>(key, type, defaultValue, allowed, rule, range, doc, note);
    }

    /** Whether the default depends on another setting. */
    public boolean hasDependentDefault() {
        return !defaultDependsOn.isEmpty();
    }

    /** This setting with no default: the user must write it. */
    public Setting<T> requiredCopy() {
        return new Setting<>(key, type, null, allowed, rule, range, doc, defaultDependsOn);
    }

    /** Whether the user must write it. */
    public boolean isRequired() {
        return defaultValue == null;
    }

    /** What a valid value looks like, for messages: the range when there is one, else the type. */
    public String expected() {
        return range.isEmpty() ? type.noun() : range;
    }
}
