package io.ctta.streams.image;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.ComponentSampleModel;
import java.awt.image.DataBufferByte;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Decodes PNG and JPEG files (anything the JDK's {@code javax.imageio} reads) into
 * {@link DecodedImage}s under a {@link ColorMode}.
 *
 * <p>Pixel values are the file's own samples, as PIL reads them: an embedded colour profile is not
 * applied, 16-bit samples are scaled to 8 bits ({@code round(v * 255 / 65535)}), alpha is dropped
 * without compositing. Only palette images and colour spaces other than grey and RGB go through
 * Java2D's sRGB conversion. A truncated file is an error, as it is for PIL, not a half-grey image.
 *
 * <p>Thread-safe: every call uses its own reader.
 */
public final class ImageDecoder {

    /**
     * Largest image accepted, in pixels (64 Mi, e.g. 8192x8192), checked from the header before decoding
     * (a decompression-bomb guard): decoding one takes a few hundred MB of heap (the decoder's own image,
     * the planes, the downscale), well under what an image with a larger header could demand.
     */
    public static final long MAX_PIXELS = 1L << 26;

    /**
     * A size rule checked from an image's header, before it is decoded: an image too large for its use
     * (a record that Kafka would refuse) costs a header read, not a decode.
     */
    @FunctionalInterface
    public interface SizeLimit {
        /** No limit beyond {@link #MAX_PIXELS}. */
        SizeLimit NONE = (channels, height, width) -> null;

        /**
         * Why an image of this size is refused, or {@code null} to decode it; the reason follows "a
         * 2048x1536 JPEG" in the message.
         *
         * @param channels the channels it will have after decoding under the decoder's {@link ColorMode}, as
         *                 far as the header tells; where it does not, the fewest it can have (1 under
         *                 {@link ColorMode#AUTO})
         */
        String refuse(int channels, int height, int width);
    }

    static {
        // Decode from memory: ImageIO's default file cache writes a temp file per image.
        ImageIO.setUseCache(false);
    }

    private ImageDecoder() {
    }

    /**
     * Reads and decodes one image file.
     *
     * @throws NoSuchFileException   if the file does not exist
     * @throws ImageDecodeException  if it is not a readable image; the message names the file
     * @throws IOException           on other read errors
     */
    public static DecodedImage decode(Path file, ColorMode mode) throws IOException {
        return decode(file, mode, SizeLimit.NONE);
    }

    /**
     * Reads and decodes one image file, unless {@code limit} refuses its size.
     *
     * @throws NoSuchFileException    if the file does not exist
     * @throws ImageTooLargeException if {@code limit} refuses it (it was not decoded); the message names the file
     * @throws ImageDecodeException   if it is not a readable image; the message names the file
     * @throws IOException            on other read errors
     */
    public static DecodedImage decode(Path file, ColorMode mode, SizeLimit limit) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(file.toString(), null, "image file is missing");
        }
        return decode(bytes, file.toString(), mode, limit);
    }

    /**
     * Decodes an image held in memory.
     *
     * @param where names the image in error messages (a path, an archive entry)
     * @throws ImageDecodeException if the bytes are not a readable image
     */
    public static DecodedImage decode(byte[] bytes, String where, ColorMode mode) throws ImageDecodeException {
        return decode(bytes, where, mode, SizeLimit.NONE);
    }

    /**
     * Decodes an image held in memory, unless {@code limit} refuses its size (read from the header).
     *
     * @param where names the image in error messages (a path, an archive entry)
     * @throws ImageTooLargeException if {@code limit} refuses it; it was not decoded
     * @throws ImageDecodeException   if the bytes are not a readable image
     */
    public static DecodedImage decode(byte[] bytes, String where, ColorMode mode, SizeLimit limit) throws ImageDecodeException {
        if (bytes.length == 0) {
            throw new ImageDecodeException(where + ": empty file, not an image");
        }
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new ImageDecodeException(where + ": not an image format the JDK reads (PNG or JPEG expected)");
            }
            ImageReader reader = readers.next();
            String format = reader.getFormatName().toUpperCase(Locale.ROOT);
            List<String> warnings = new ArrayList<>();
            try {
                reader.setInput(in, true, true);
                reader.addIIOReadWarningListener((source, warning) -> warnings.add(warning));
                int width = reader.getWidth(0);
                int height = reader.getHeight(0);
                if ((long) width * height > MAX_PIXELS) {
                    throw new ImageDecodeException(where + ": " + width + "x" + height + " " + format + " has more than "
                            + MAX_PIXELS + " pixels; refused before decoding");
                }
                String refused = limit.refuse(channels(reader, mode), height, width);
                if (refused != null) {
                    throw new ImageTooLargeException(where + ": a " + width + "x" + height + " " + format + " " + refused);
                }
                BufferedImage image = reader.read(0);
                for (String w : warnings) {
                    // The JDK decodes a truncated file with a warning and grey filler; PIL refuses it.
                    String lower = w.toLowerCase(Locale.ROOT);
                    if (lower.contains("truncated") || lower.contains("premature end")) {
                        throw new ImageDecodeException(where + ": truncated " + format + " (" + w + ")");
                    }
                }
                return convert(image, mode);
            } finally {
                reader.dispose();
            }
        } catch (ImageDecodeException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new ImageDecodeException(where + ": undecodable image (" + e.getMessage() + ")", e);
        }
    }

    /**
     * The channels {@link #convert} will give the image {@code reader} is positioned on, from its header:
     * the rule of {@link #convert}, applied to the reader's raw image type; 1 under {@link ColorMode#AUTO}
     * when the reader cannot tell the type without decoding.
     */
    private static int channels(ImageReader reader, ColorMode mode) {
        if (mode != ColorMode.AUTO) {
            return mode == ColorMode.GREY ? 1 : 3;
        }
        ImageTypeSpecifier type;
        try {
            type = reader.getRawImageType(0);
        } catch (IOException | RuntimeException e) {
            type = null;
        }
        if (type == null) {
            return 1;
        }
        ColorModel cm = type.getColorModel();
        boolean grey = !(cm instanceof IndexColorModel) && cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY;
        return grey && !cm.hasAlpha() ? 1 : 3;
    }

    /** The pixels of {@code image} under {@code mode}. */
    public static DecodedImage convert(BufferedImage image, ColorMode mode) {
        int h = image.getHeight();
        int w = image.getWidth();
        ColorModel cm = image.getColorModel();
        Raster raster = image.getRaster();
        int space = cm.getColorSpace().getType();
        boolean indexed = cm instanceof IndexColorModel;
        if (!indexed && space == ColorSpace.TYPE_GRAY) {
            byte[] grey = band(raster, 0, cm.getComponentSize(0), w, h);
            boolean three = mode == ColorMode.RGB || (mode == ColorMode.AUTO && cm.hasAlpha());
            return three ? new DecodedImage(3, h, w, replicate(grey)) : new DecodedImage(1, h, w, grey);
        }
        byte[] rgb = new byte[3 * h * w];
        if (!indexed && space == ColorSpace.TYPE_RGB && cm.getNumColorComponents() == 3) {
            for (int b = 0; b < 3; b++) {
                System.arraycopy(band(raster, b, cm.getComponentSize(b), w, h), 0, rgb, b * h * w, h * w);
            }
        } else {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            int plane = h * w;
            for (int i = 0; i < plane; i++) {
                int p = argb[i];
                rgb[i] = (byte) (p >> 16);
                rgb[plane + i] = (byte) (p >> 8);
                rgb[2 * plane + i] = (byte) p;
            }
        }
        return mode == ColorMode.GREY ? new DecodedImage(1, h, w, luma(rgb, h * w)) : new DecodedImage(3, h, w, rgb);
    }

    /** One band as 8-bit values, scaled from {@code bits} bits per sample. */
    private static byte[] band(Raster raster, int band, int bits, int w, int h) {
        byte[] direct = interleavedBand(raster, band, w, h);
        if (direct != null) {
            return direct;
        }
        int[] samples = raster.getSamples(raster.getMinX(), raster.getMinY(), w, h, band, (int[]) null);
        byte[] out = new byte[samples.length];
        if (bits == 8) {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) samples[i];
            }
        } else {
            long max = (1L << bits) - 1;
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) ((samples[i] * 255L + max / 2) / max);
            }
        }
        return out;
    }

    /**
     * The band straight from the raster's bytes when it is the plain layout ImageIO decodes JPEG and
     * 8-bit PNG into (one byte bank, pixel-interleaved, not a sub-raster); {@code null} otherwise. Several
     * times faster than {@link Raster#getSamples}, which goes through an int per sample.
     */
    private static byte[] interleavedBand(Raster raster, int band, int w, int h) {
        if (!(raster.getDataBuffer() instanceof DataBufferByte buffer) || buffer.getNumBanks() != 1
                || !(raster.getSampleModel() instanceof ComponentSampleModel sm) || raster.getParent() != null
                || raster.getSampleModelTranslateX() != 0 || raster.getSampleModelTranslateY() != 0
                || sm.getSampleSize(band) != 8) {
            return null;
        }
        byte[] data = buffer.getData();
        int stride = sm.getPixelStride();
        int scan = sm.getScanlineStride();
        int start = buffer.getOffset() + sm.getBandOffsets()[band];
        byte[] out = new byte[w * h];
        for (int y = 0, o = 0; y < h; y++) {
            int i = start + y * scan;
            for (int x = 0; x < w; x++, i += stride) {
                out[o++] = data[i];
            }
        }
        return out;
    }

    private static byte[] replicate(byte[] grey) {
        byte[] out = new byte[3 * grey.length];
        System.arraycopy(grey, 0, out, 0, grey.length);
        System.arraycopy(grey, 0, out, grey.length, grey.length);
        System.arraycopy(grey, 0, out, 2 * grey.length, grey.length);
        return out;
    }

    /** ITU-R 601-2 luma in PIL's fixed-point form: {@code (19595 R + 38470 G + 7471 B + 0x8000) >> 16}. */
    static byte[] luma(byte[] rgb, int plane) {
        byte[] out = new byte[plane];
        for (int i = 0; i < plane; i++) {
            int r = rgb[i] & 0xFF;
            int g = rgb[plane + i] & 0xFF;
            int b = rgb[2 * plane + i] & 0xFF;
            out[i] = (byte) ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        }
        return out;
    }
}
