package io.ctta.streams.image;

import static io.ctta.streams.fixtures.ImageFiles.blue;
import static io.ctta.streams.fixtures.ImageFiles.green;
import static io.ctta.streams.fixtures.ImageFiles.grey;
import static io.ctta.streams.fixtures.ImageFiles.red;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageDecoderTest {

    @TempDir
    Path dir;

    @Test
    void rgbPngDecodesToExactChannelPlanarValues() throws IOException {
        Path f = ImageFiles.png(dir.resolve("rgb.png"), ImageFiles.pattern(5, 3, 2));
        DecodedImage img = ImageDecoder.decode(f, ColorMode.AUTO);
        assertEquals(3, img.channels());
        assertEquals(3, img.height());
        assertEquals(5, img.width());
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(red(2, x, y), img.value(0, y, x));
                assertEquals(green(2, x, y), img.value(1, y, x));
                assertEquals(blue(2, x, y), img.value(2, y, x));
            }
        }
        Tensor t = img.toTensor();
        assertEquals(DType.UINT8, t.dtype());
        assertArrayEquals(new int[] {3, 3, 5}, t.shape());
        // CHW: the second plane starts with green of (0, 0).
        assertEquals(green(2, 0, 0), (int) t.values()[15]);
    }

    @Test
    void greyStaysOneChannelUnlessRgbIsAsked() throws IOException {
        Path f = ImageFiles.png(dir.resolve("g.png"), ImageFiles.greyPattern(4, 6, 1));
        DecodedImage auto = ImageDecoder.decode(f, ColorMode.AUTO);
        assertEquals(1, auto.channels());
        assertEquals(grey(1, 3, 5), auto.value(0, 5, 3));
        DecodedImage rgb = ImageDecoder.decode(f, ColorMode.RGB);
        assertEquals(3, rgb.channels());
        for (int c = 0; c < 3; c++) {
            assertEquals(grey(1, 3, 5), rgb.value(c, 5, 3));
        }
        Path g16 = ImageFiles.png(dir.resolve("g16.png"), ImageFiles.grey16(4, 6, 3));
        DecodedImage sixteen = ImageDecoder.decode(g16, ColorMode.AUTO);
        assertEquals(1, sixteen.channels());
        assertEquals(grey(3, 2, 4), sixteen.value(0, 4, 2), "v * 257 scales back to v");
    }

    @Test
    void rgbaPaletteAndGreyAlphaBecomeRgbWithAlphaDropped() throws IOException {
        DecodedImage rgba = ImageDecoder.decode(ImageFiles.png(dir.resolve("a.png"), ImageFiles.rgbaPattern(6, 2, 4)),
                ColorMode.AUTO);
        assertEquals(3, rgba.channels());
        // Not composited: a pixel with alpha 0 keeps its colour.
        assertEquals(red(4, 0, 1), rgba.value(0, 1, 0));
        assertEquals(blue(4, 5, 1), rgba.value(2, 1, 5));

        int[] entries = {0xFF0000, 0x00FF00, 0x0000FF, 0x808080};
        DecodedImage pal = ImageDecoder.decode(ImageFiles.png(dir.resolve("p.png"), ImageFiles.palette(4, 4, entries)),
                ColorMode.AUTO);
        assertEquals(3, pal.channels());
        assertEquals(255, pal.value(0, 0, 0));
        assertEquals(0, pal.value(1, 0, 0));
        assertEquals(255, pal.value(1, 0, 1), "(1, 0) is entry 1, green");
        assertEquals(255, pal.value(2, 1, 1), "(1, 1) is entry 2, blue");
        assertEquals(0x80, pal.value(0, 0, 3));

        DecodedImage ga = ImageDecoder.decode(ImageFiles.png(dir.resolve("ga.png"), ImageFiles.greyAlpha(3, 3, 5)),
                ColorMode.AUTO);
        assertEquals(3, ga.channels());
        assertEquals(grey(5, 2, 1), ga.value(1, 1, 2));
        assertEquals(1, ImageDecoder.decode(dir.resolve("ga.png"), ColorMode.GREY).channels());
    }

    @Test
    void greyModeUsesPilLuma() throws IOException {
        Path f = ImageFiles.png(dir.resolve("c.png"), ImageFiles.solid(2, 2, 200, 100, 50));
        DecodedImage g = ImageDecoder.decode(f, ColorMode.GREY);
        assertEquals(1, g.channels());
        // PIL: (200*19595 + 100*38470 + 50*7471 + 32768) >> 16 = 124 (299/587/114 weights give 124.2).
        assertEquals(124, g.value(0, 1, 1));
    }

    @Test
    void jpegDecodesCloseToTheWrittenColourAndGreyJpegStaysGrey() throws IOException {
        DecodedImage rgb = ImageDecoder.decode(
                ImageFiles.jpeg(dir.resolve("s.jpg"), ImageFiles.solid(16, 16, 180, 40, 90), 95), ColorMode.AUTO);
        assertEquals(3, rgb.channels());
        assertEquals(180, rgb.value(0, 8, 8), 3);
        assertEquals(40, rgb.value(1, 8, 8), 3);
        assertEquals(90, rgb.value(2, 8, 8), 3);
        DecodedImage g = ImageDecoder.decode(
                ImageFiles.jpeg(dir.resolve("g.jpg"), ImageFiles.greyPattern(16, 8, 0), 100), ColorMode.AUTO);
        assertEquals(1, g.channels());
        assertEquals(grey(0, 5, 5), g.value(0, 5, 5), 3);
    }

    @Test
    void badFilesFailWithTheFileNamed() throws IOException {
        Path missing = dir.resolve("nope.png");
        assertThrows(NoSuchFileException.class, () -> ImageDecoder.decode(missing, ColorMode.AUTO));

        Path text = Files.writeString(dir.resolve("x.png"), "this is not a PNG");
        String msg = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(text, ColorMode.AUTO)).getMessage();
        assertTrue(msg.startsWith(text.toString()) && msg.contains("not an image format"), msg);

        Path empty = Files.write(dir.resolve("e.jpg"), new byte[0]);
        assertTrue(assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(empty, ColorMode.AUTO))
                .getMessage().contains("empty file"));

        byte[] jpeg = Files.readAllBytes(ImageFiles.jpeg(dir.resolve("t.jpg"), ImageFiles.pattern(64, 64, 1), 90));
        Path truncated = Files.write(dir.resolve("truncated.jpg"), Arrays.copyOf(jpeg, jpeg.length / 2));
        msg = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(truncated, ColorMode.AUTO)).getMessage();
        assertTrue(msg.startsWith(truncated.toString()), msg);

        byte[] png = Files.readAllBytes(ImageFiles.png(dir.resolve("t.png"), ImageFiles.pattern(64, 64, 1)));
        Path cut = Files.write(dir.resolve("cut.png"), Arrays.copyOf(png, png.length / 2));
        msg = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(cut, ColorMode.AUTO)).getMessage();
        assertTrue(msg.startsWith(cut.toString()) && msg.contains("undecodable"), msg);
    }
    @Test
    void anImageWhoseHeaderIsTooLargeIsRefusedBeforeDecoding() throws IOException {
        // 10000 x 10000 declared (above MAX_PIXELS), a few bytes of data: refused from the header.
        Path bomb = ImageFiles.pngHeaderOnly(dir.resolve("bomb.png"), 10_000, 10_000, 2);
        assertTrue(Files.size(bomb) < 100);
        String msg = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(bomb, ColorMode.AUTO)).getMessage();
        assertTrue(msg.startsWith(bomb + ": 10000x10000 PNG has more than " + ImageDecoder.MAX_PIXELS + " pixels;"
                + " refused before decoding"), msg);

        // Under MAX_PIXELS, a size limit sees the header's size and the channels the mode will give, and its
        // refusal comes before any decoding (the data here would not decode).
        Path big = ImageFiles.pngHeaderOnly(dir.resolve("big.png"), 4000, 3000, 2);
        List<String> seen = new ArrayList<>();
        ImageDecoder.SizeLimit refuseAll = (c, h, w) -> {
            seen.add(c + "x" + h + "x" + w);
            return "is refused by the test";
        };
        ImageTooLargeException e = assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(big, ColorMode.AUTO, refuseAll));
        assertEquals(big + ": a 4000x3000 PNG is refused by the test", e.getMessage());
        assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(big, ColorMode.GREY, refuseAll));
        Path greyBig = ImageFiles.pngHeaderOnly(dir.resolve("grey-big.png"), 300, 200, 0);
        assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(greyBig, ColorMode.AUTO, refuseAll));
        assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(greyBig, ColorMode.RGB, refuseAll));
        Path greyJpeg = ImageFiles.jpeg(dir.resolve("g.jpg"), ImageFiles.greyPattern(16, 8, 0), 90);
        Path rgbJpeg = ImageFiles.jpeg(dir.resolve("c.jpg"), ImageFiles.pattern(16, 8, 0), 90);
        assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(greyJpeg, ColorMode.AUTO, refuseAll));
        assertThrows(ImageTooLargeException.class, () -> ImageDecoder.decode(rgbJpeg, ColorMode.AUTO, refuseAll));
        assertEquals(List.of("3x3000x4000", "1x3000x4000", "1x200x300", "3x200x300", "1x8x16", "3x8x16"), seen);

        // A limit that accepts leaves the decoding as it was.
        assertEquals(ImageDecoder.decode(rgbJpeg, ColorMode.AUTO), ImageDecoder.decode(rgbJpeg, ColorMode.AUTO, (c, h, w) -> null));
        msg = assertThrows(ImageDecodeException.class, () -> ImageDecoder.decode(big, ColorMode.AUTO, (c, h, w) -> null)).getMessage();
        assertTrue(msg.contains("undecodable"), msg);
    }
}
