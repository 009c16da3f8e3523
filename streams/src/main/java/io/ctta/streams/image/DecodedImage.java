package io.ctta.streams.image;

import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * A decoded image: unsigned bytes, channel-planar ({@code [C, H, W]}, channel after channel, each
 * row-major), C = 1 (grey) or 3 (R, G, B). The pixels are not copied; do not mutate them.
 *
 * @param channels 1 or 3
 * @param height   rows, {@code > 0}
 * @param width    columns, {@code > 0}
 * @param pixels   {@code channels * height * width} bytes, value {@code p & 0xFF}
 */
public record DecodedImage(int channels, int height, int width, byte[] pixels) {

    public DecodedImage {
        Objects.requireNonNull(pixels, "pixels");
        if (channels != 1 && channels != 3) {
            throw new IllegalArgumentException("channels must be 1 or 3, got " + channels);
        }
        if (height <= 0 || width <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + height + "x" + width);
        }
        if ((long) channels * height * width != pixels.length) {
            throw new IllegalArgumentException(channels + "x" + height + "x" + width + " needs "
                    + (long) channels * height * width + " bytes, got " + pixels.length);
        }
    }

    /** Value 0..255 of channel {@code c} at row {@code y}, column {@code x}. */
    public int value(int c, int y, int x) {
        Objects.checkIndex(c, channels);
        Objects.checkIndex(y, height);
        Objects.checkIndex(x, width);
        return pixels[(c * height + y) * width + x] & 0xFF;
    }

    /** The record tensor: {@code UINT8 [C, H, W]}, values 0..255 as floats. */
    public Tensor toTensor() {
        float[] values = new float[pixels.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = pixels[i] & 0xFF;
        }
        return new Tensor(DType.UINT8, new int[] {channels, height, width}, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DecodedImage d && channels == d.channels && height == d.height && width == d.width
                && Arrays.equals(pixels, d.pixels);
    }

    @Override
    public int hashCode() {
        return Objects.hash(channels, height, width, Arrays.hashCode(pixels));
    }

    @Override
    public String toString() {
        return "DecodedImage[" + channels + "x" + height + "x" + width + "]";
    }
}
