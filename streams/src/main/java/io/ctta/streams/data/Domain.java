package io.ctta.streams.data;

import java.util.Objects;

/**
 * One segment of a continual stream: a name (e.g. {@code gaussian_noise-5}) and its images in
 * stream order.
 *
 * @param name non-blank domain name; it is also the domain tag of the records produced from it
 * @param images the domain's images and labels
 */
public record Domain(String name, LabeledImages images) {
    /** Validates the components. */
    public Domain {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(images, "images");
        if (name.isBlank()) {
            throw new IllegalArgumentException("domain name must not be blank");
        }
    }
}
