package io.ctta.streams.image;

import java.util.Locale;

/** How many channels a decoded image gets. */
public enum ColorMode {
    /**
     * Keep what the file holds: a grey image (without alpha) stays one channel; palette, grey+alpha,
     * RGB and RGBA images become three channels, alpha dropped. PIL's {@code Image.open} without a
     * conversion, as WILDS opens iWildCam.
     */
    AUTO,
    /** Always three channels R, G, B (grey replicated, alpha dropped): PIL's {@code convert('RGB')}. */
    RGB,
    /** Always one channel, for datasets that are grey by definition: PIL's {@code convert('L')} luma. */
    GREY;

    /** Parses {@code auto}, {@code rgb} or {@code grey} (also {@code gray}), case-insensitively. */
    public static ColorMode parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "auto" -> AUTO;
            case "rgb" -> RGB;
            case "grey", "gray" -> GREY;
            default -> throw new IllegalArgumentException("'" + text + "' is not a colour mode; use auto, rgb or grey");
        };
    }

    /** The lower-case name used in options. */
    public String optionValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
