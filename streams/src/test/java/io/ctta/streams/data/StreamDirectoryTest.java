package io.ctta.streams.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StreamDirectoryTest {
    @TempDir
    Path tmp;

    private List<Domain> stream() {
        LabeledImages test = TestImages.random(12, 28, 28, 3);
        return CorruptionStream.continual(test, List.of(Corruption.SHOT_NOISE,
                Corruption.PIXELATE), 3, 1, 10);
    }

    @Test
    void roundTripKeepsOrderNamesAndBytes() throws IOException {
        List<Domain> domains = stream();
        Path dir = tmp.resolve("s");
        StreamDirectory.write(dir, domains);
        assertEquals(domains, StreamDirectory.read(dir));
        String manifest = Files.readString(dir.resolve("manifest.json"));
        assertTrue(manifest.contains("\"format\" : \"ctta-stream\""), manifest);
        assertTrue(manifest.contains("000-shot_noise-3-images-idx3-ubyte.gz"), manifest);
        assertThrows(FileAlreadyExistsException.class, () -> StreamDirectory.write(dir, domains));
    }

    @Test
    void readsAHandWrittenManifestWithPlainFiles() throws IOException {
        LabeledImages a = TestImages.random(3, 5, 5, 1);
        IdxWriter.write(a, tmp.resolve("sub/a-img"), tmp.resolve("sub/a-lab"));
        manifest("{\"format\":\"ctta-stream\",\"version\":1,\"extra\":true,\"domains\":["
                + "{\"name\":\"clean\",\"images\":\"sub/a-img\",\"labels\":\"sub/a-lab\"}]}");
        List<Domain> read = StreamDirectory.read(tmp);
        assertEquals(List.of(new Domain("clean", a)), read);
    }

    @Test
    void rejectsBadManifests() throws IOException {
        LabeledImages a = TestImages.random(3, 5, 5, 1);
        LabeledImages b = TestImages.random(3, 6, 5, 1);
        IdxWriter.write(a, tmp.resolve("a-img"), tmp.resolve("a-lab"));
        IdxWriter.write(b, tmp.resolve("b-img"), tmp.resolve("b-lab"));
        String one = "{\"name\":\"a\",\"images\":\"a-img\",\"labels\":\"a-lab\"}";
        assertRejected(NoSuchFileException.class, null, "manifest.json is missing");
        assertRejected(IdxFormatException.class, "{not json", "not valid JSON");
        assertRejected(IdxFormatException.class,
                "{\"format\":\"other\",\"version\":1,\"domains\":[" + one + "]}", "format");
        assertRejected(IdxFormatException.class,
                "{\"format\":\"ctta-stream\",\"version\":3,\"domains\":[" + one + "]}",
                "unsupported \"version\" 3");
        assertRejected(IdxFormatException.class,
                "{\"format\":\"ctta-stream\",\"version\":1,\"domains\":[]}", "non-empty");
        assertRejected(NoSuchFileException.class, v1("{\"name\":\"a\",\"images\":\"nope\","
                + "\"labels\":\"a-lab\"}"), "does not exist");
        assertRejected(IdxFormatException.class, v1("{\"name\":\"a\",\"images\":\"../x\","
                + "\"labels\":\"a-lab\"}"), "leaves the stream directory");
        assertRejected(IdxFormatException.class, v1("{\"name\":\"a\",\"images\":\"sub/../../x\","
                + "\"labels\":\"a-lab\"}"), "leaves the stream directory");
        assertRejected(IdxFormatException.class, v1("{\"name\":\"a\",\"images\":\""
                + tmp.resolve("a-img").toAbsolutePath() + "\",\"labels\":\"a-lab\"}"),
                "absolute");
        assertRejected(IdxFormatException.class, v1("{\"name\":\"a\",\"images\":\"a-img\"}"),
                "\"labels\" must be a non-empty string");
        assertRejected(IdxFormatException.class, v1(one + "," + one), "duplicate");
        assertRejected(IdxFormatException.class, v1(one
                + ",{\"name\":\"b\",\"images\":\"b-img\",\"labels\":\"b-lab\"}"),
                "all domains of a stream must have one size");
    }

    @Test
    void rejectsLinksThatLeaveTheDirectory() throws IOException {
        Path outside = tmp.resolve("outside");
        Path dir = tmp.resolve("dir");
        Files.createDirectories(dir);
        IdxWriter.write(TestImages.random(1, 2, 2, 1), outside.resolve("i"), outside.resolve("l"));
        try {
            Files.createSymbolicLink(dir.resolve("i"), outside.resolve("i"));
            Files.createSymbolicLink(dir.resolve("l"), outside.resolve("l"));
        } catch (UnsupportedOperationException | IOException e) {
            Assumptions.abort("no symbolic links on this file system: " + e);
        }
        Files.writeString(dir.resolve("manifest.json"),
                v1("{\"name\":\"a\",\"images\":\"i\",\"labels\":\"l\"}"));
        String msg = assertThrows(IdxFormatException.class, () -> StreamDirectory.read(dir))
                .getMessage();
        assertTrue(msg.contains("link"), msg);
    }

    private static String v1(String domains) {
        return "{\"format\":\"ctta-stream\",\"version\":1,\"domains\":[" + domains + "]}";
    }

    private void manifest(String json) throws IOException {
        Files.write(tmp.resolve("manifest.json"), json.getBytes(StandardCharsets.UTF_8));
    }

    private void assertRejected(Class<? extends IOException> type, String json, String text)
            throws IOException {
        if (json == null) {
            Files.deleteIfExists(tmp.resolve("manifest.json"));
        } else {
            manifest(json);
        }
        String msg = assertThrows(type, () -> StreamDirectory.read(tmp)).getMessage();
        assertTrue(msg.contains(text), "expected '" + text + "' in: " + msg);
    }
}
