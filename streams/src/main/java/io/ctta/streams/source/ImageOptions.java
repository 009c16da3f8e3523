package io.ctta.streams.source;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.image.DecodedImage;
import io.ctta.streams.image.Downscale;
import io.ctta.streams.image.ImageDecodeException;
import io.ctta.streams.image.ImageDecoder;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * How an image reader decodes its files: the colour mode and an optional downscale. Images keep their
 * native size by default (the model resizes and crops to its input); {@code max-side} shrinks large
 * photographs on the reader's side so that a record fits in Kafka.
 *
 * @param maxSide longest side after decoding, or 0 to keep the native size
 * @param color   channel rule
 */
public record ImageOptions(int maxSide, ColorMode color) {

    /** Option name: longest side in pixels (area-averaged downscale), 0 = native size. */
    public static final String MAX_SIDE = "max-side";
    /** Option name: {@code auto}, {@code rgb} or {@code grey}. */
    public static final String COLOR = "color";

    public ImageOptions {
        if (maxSide < 0) {
            throw new IllegalArgumentException("max-side must be >= 0 (0 keeps the native size), got " + maxSide);
        }
    }

    /** The two option declarations, with {@code defaultColor} documented. */
    public static List<ReaderOption> declarations(ColorMode defaultColor, String colorWhy) {
        return List.of(
                new ReaderOption(MAX_SIDE, "0", "shrink images whose longer side exceeds N pixels (area average, aspect kept);"
                        + " 0 keeps the native size"),
                new ReaderOption(COLOR, defaultColor.optionValue(), "auto (grey stays 1 channel, the rest RGB), rgb or grey; "
                        + colorWhy));
    }

    /** Parses {@code max-side} and {@code color} from {@code options}. */
    public static ImageOptions from(ReaderOptions options, ColorMode defaultColor) {
        int maxSide = options.integer(MAX_SIDE, 0, 0, 1 << 16);
        ColorMode color = defaultColor;
        String c = options.text(COLOR, null);
        if (c != null) {
            try {
                color = ColorMode.parse(c);
            } catch (IllegalArgumentException e) {
                throw ReaderOptions.bad(COLOR, c, "auto, rgb or grey");
            }
        }
        return new ImageOptions(maxSide, color);
    }

    /** Decodes {@code file} under these options. */
    public DecodedImage decode(Path file) throws IOException {
        DecodedImage image = ImageDecoder.decode(file, color);
        return maxSide > 0 ? Downscale.toMaxSide(image, maxSide) : image;
    }

    /**
     * Decodes {@code file}, or records why it cannot be and returns {@code null}: a missing file and
     * an undecodable one are skipped items, never a failed stream.
     *
     * @param where the file and its metadata row, for the skip log
     */
    public DecodedImage decodeOrSkip(Path file, String where, SkipLog skips) {
        try {
            return decode(file);
        } catch (NoSuchFileException e) {
            skips.skip(SkipLog.Reason.MISSING_FILE, where, "the file does not exist");
        } catch (ImageDecodeException e) {
            // The decoder's message starts with the file, which "where" names already.
            String why = e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.toString().length() + 2) : e.getMessage();
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where, why);
        } catch (IOException e) {
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where, "cannot be read: " + e);
        }
        return null;
    }

    /** For descriptions: "native size, auto colour" or "max side 448, rgb". */
    public String describe() {
        return (maxSide > 0 ? "max side " + maxSide : "native size") + ", " + color.optionValue();
    }
}
