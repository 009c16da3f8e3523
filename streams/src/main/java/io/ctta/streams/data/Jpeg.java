package io.ctta.streams.data;

import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;

/**
 * Grayscale JPEG encode/decode with the JDK's built-in codec (libjpeg 6b). Java's quality
 * {@code q / 100} maps to the same IJG table scaling as PIL's {@code quality=q}.
 */
final class Jpeg {
    private Jpeg() {}

    static float[] roundTrip(float[] x, int rows, int cols, int quality) {
        BufferedImage img = new BufferedImage(cols, rows, BufferedImage.TYPE_BYTE_GRAY);
        byte[] buf = ((DataBufferByte) img.getRaster().getDataBuffer()).getData();
        for (int i = 0; i < x.length; i++) {
            buf[i] = (byte) Math.round(Math.min(1f, Math.max(0f, x[i])) * 255f);
        }
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
            try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
                writer.setOutput(out);
                ImageWriteParam p = writer.getDefaultWriteParam();
                p.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
                p.setCompressionQuality(quality / 100f);
                writer.write(null, new IIOImage(img, null, null), p);
            } finally {
                writer.dispose();
            }
            ImageReader reader = ImageIO.getImageReadersByFormatName("jpeg").next();
            BufferedImage back;
            try (ImageInputStream in = ImageIO.createImageInputStream(
                    new ByteArrayInputStream(bytes.toByteArray()))) {
                reader.setInput(in);
                back = reader.read(0);
            } finally {
                reader.dispose();
            }
            float[] out = new float[x.length];
            var raster = back.getRaster();
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    out[r * cols + c] = raster.getSample(c, r, 0) / 255f;
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory JPEG round trip failed", e);
        }
    }
}
