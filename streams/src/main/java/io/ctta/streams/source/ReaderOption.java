package io.ctta.streams.source;

import java.util.Objects;

/**
 * One option a {@link DatasetReader} accepts, as {@code --option name=value}.
 *
 * @param name         lower-case name with dashes, e.g. {@code samples-per-domain}
 * @param defaultValue the value used when the option is absent, as text (documentation only)
 * @param description  what it does and the values it takes, one line
 */
public record ReaderOption(String name, String defaultValue, String description) {

    public ReaderOption {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(defaultValue, "defaultValue");
        Objects.requireNonNull(description, "description");
    }
}
