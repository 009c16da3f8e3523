package io.ctta.streams.source;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.image.DecodedImage;
import io.ctta.streams.image.Downscale;
import io.ctta.streams.image.ImageDecodeException;
import io.ctta.streams.image.ImageDecoder;
import io.ctta.streams.image.ImageTooLargeException;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;

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
        return decode(file, Long.MAX_VALUE);
    }

    /**
     * Decodes {@code file} under these options, unless its header shows that the decoded (and downscaled)
     * image alone has more than {@code maxBytes} samples: such an image can never fit a record of
     * {@code maxBytes}, so it is refused without being decoded.
     *
     * @throws ImageTooLargeException when it is refused; the message names the file and the fix
     */
    public DecodedImage decode(Path file, long maxBytes) throws IOException {
        DecodedImage image = ImageDecoder.decode(file, color, maxBytes == Long.MAX_VALUE ? ImageDecoder.SizeLimit.NONE
                : (channels, height, width) -> refusal(channels, height, width, maxBytes));
        return maxSide > 0 ? Downscale.toMaxSide(image, maxSide) : image;
    }

    /** Why a {@code channels x height x width} image cannot become a record of {@code maxBytes}, or null. */
    private String refusal(int channels, int height, int width, long maxBytes) {
        int[] out = maxSide > 0 ? Downscale.size(height, width, maxSide) : new int[] {height, width};
        long bytes = (long) channels * out[0] * out[1];
        if (bytes <= maxBytes) {
            return null;
        }
        // Leave room for the id and the metadata when suggesting a side.
        int fits = Downscale.largestSideWithin(channels, height, width, maxBytes - Math.min(4096, maxBytes / 4));
        return (maxSide > 0 ? "shrunk to max side " + maxSide + " makes" : "makes") + " a [" + channels + ", " + out[0] + ", "
                + out[1] + "] record of more than " + bytes + " bytes, above the " + maxBytes + "-byte record limit;"
                + " refused before decoding; " + fix(fits);
    }

    /**
     * The fix for an image too large for a record: the largest {@code max-side} that fits ({@code fits};
     * 0 when none does), or a larger record limit.
     */
    static String fix(int fits) {
        return fits < 1 ? "raise --max-record-bytes" : "replay with --max-side " + fits + " or less, or a larger --max-record-bytes";
    }

    /**
     * Decodes {@code file}, or records why it cannot be and returns {@code null}: a missing file and
     * an undecodable one are skipped items, never a failed stream.
     *
     * @param where the file and its metadata row, for the skip log
     */
    public DecodedImage decodeOrSkip(Path file, String where, SkipLog skips) {
        return decodeOrSkip(file, () -> where, skips, Long.MAX_VALUE);
    }

    /**
     * Decodes {@code file}, or records why it cannot be and returns {@code null}: a missing file, an
     * undecodable one and one whose decoded pixels alone exceed {@code maxBytes} (refused from its header,
     * {@link SkipLog.Reason#TOO_LARGE}) are skipped items, never a failed stream.
     *
     * @param where    the file and its metadata row, for the skip log; built only when the item is skipped
     * @param maxBytes the record limit ({@link ItemSource#maxRecordBytes()}), {@link Long#MAX_VALUE} for none
     */
    public DecodedImage decodeOrSkip(Path file, Supplier<String> where, SkipLog skips, long maxBytes) {
        try {
            return decode(file, maxBytes);
        } catch (NoSuchFileException e) {
            skips.skip(SkipLog.Reason.MISSING_FILE, where.get(), "the file does not exist");
        } catch (ImageTooLargeException e) {
            skips.skip(SkipLog.Reason.TOO_LARGE, where.get(), withoutFile(e, file));
        } catch (ImageDecodeException e) {
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where.get(), withoutFile(e, file));
        } catch (IOException e) {
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where.get(), "cannot be read: " + e);
        }
        return null;
    }

    /** The decoder's message without the file it starts with, which "where" names already. */
    private static String withoutFile(ImageDecodeException e, Path file) {
        return e.getMessage().startsWith(file + ": ") ? e.getMessage().substring(file.toString().length() + 2) : e.getMessage();
    }

    /** For descriptions: "native size, auto colour" or "max side 448, rgb". */
    public String describe() {
        return (maxSide > 0 ? "max side " + maxSide : "native size") + ", " + color.optionValue();
    }
}
