package io.ctta.streams.source.folder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.streams.fixtures.ImageFiles;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    @TempDir
    Path tmp;

    private final DatasetReaders readers = DatasetReaders.load();

    private List<Sample> read(Path root, Map<String, String> options) throws IOException {
        try (DatasetSource s = readers.open("image-folder", root, ReaderOptions.of(options))) {
            List<Sample> out = new ArrayList<>();
            s.samples().forEachRemaining(out::add);
            return out;
        }
    }

    @Test
    void classFoldersAreSortedLabelsAndOnlyImagesAreRead() throws IOException {
        Path pets = tmp.resolve("pets");
        ImageFiles.png(pets.resolve("dog/c.png"), ImageFiles.greyPattern(3, 2, 5));
        ImageFiles.png(pets.resolve("cat/b.png"), ImageFiles.pattern(4, 3, 2));
        ImageFiles.jpeg(pets.resolve("cat/nested/a.JPG"), ImageFiles.solid(8, 8, 10, 200, 30), 95);
        ImageFiles.png(pets.resolve(".cache/x.png"), ImageFiles.pattern(2, 2, 0));
        Files.writeString(pets.resolve("cat/notes.txt"), "not an image");
        try (DatasetSource s = readers.open("image-folder", pets, ReaderOptions.of(Map.of("order", "sorted")))) {
            assertEquals(List.of(new DomainInfo("pets", 3)), s.domains());
            assertEquals(2, s.classes().getAsInt());
            List<Sample> samples = new ArrayList<>();
            s.samples().forEachRemaining(samples::add);
            assertEquals(List.of("pets/cat/b.png", "pets/cat/nested/a.JPG", "pets/dog/c.png"), samples.stream().map(Sample::id).toList());
            assertEquals(List.of(0, 0, 1), samples.stream().map(Sample::label).toList());
            Sample b = samples.get(0);
            assertArrayEquals(new int[] {3, 3, 4}, b.features().shape());
            assertEquals(ImageFiles.blue(2, 3, 1), (int) b.features().values()[2 * 12 + 4 + 3]);
            assertEquals(Map.of("source", "cat/b.png", "class", "cat"), b.metadata());
            assertArrayEquals(new int[] {1, 2, 3}, samples.get(2).features().shape(), "a grey PNG stays one channel");
        }
    }

    @Test
    void shuffledOrderIsSeededAndTheCapDrawsASample() throws IOException {
        Path root = tmp.resolve("digits");
        for (int c = 0; c < 4; c++) {
            for (int i = 0; i < 5; i++) {
                ImageFiles.png(root.resolve("d" + c + "/" + i + ".png"), ImageFiles.greyPattern(2, 2, c * 5 + i));
            }
        }
        List<String> a = read(root, Map.of()).stream().map(Sample::id).toList();
        assertEquals(a, read(root, Map.of("seed", "0")).stream().map(Sample::id).toList());
        assertNotEquals(a, read(root, Map.of("seed", "1")).stream().map(Sample::id).toList());
        assertEquals(20, new HashSet<>(a).size());
        assertTrue(new HashSet<>(a.subList(0, 8)).stream().map(id -> id.split("/")[1]).distinct().count() > 1,
                "shuffled: the first images are not all of one class");
        List<Sample> capped = read(root, Map.of("samples-per-domain", "6"));
        assertEquals(a.subList(0, 6), capped.stream().map(Sample::id).toList());
    }

    @Test
    void domainFoldersShareOneLabelSpace() throws IOException {
        Path root = tmp.resolve("sites");
        ImageFiles.png(root.resolve("day/cat/1.png"), ImageFiles.pattern(2, 2, 1));
        ImageFiles.png(root.resolve("day/dog/2.png"), ImageFiles.pattern(2, 2, 2));
        ImageFiles.png(root.resolve("night/cat/3.png"), ImageFiles.pattern(2, 2, 3));
        ImageFiles.png(root.resolve("night/owl/4.png"), ImageFiles.pattern(2, 2, 4));
        Files.writeString(root.resolve("night/owl/5.png"), "broken");
        try (DatasetSource s = readers.open("image-folder", root, ReaderOptions.of(Map.of("layout", "domains",
                "domains", "night,day", "order", "sorted")))) {
            assertEquals(List.of(new DomainInfo("night", 3), new DomainInfo("day", 2)), s.domains());
            assertEquals(3, s.classes().getAsInt());
            List<Sample> samples = new ArrayList<>();
            s.samples().forEachRemaining(samples::add);
            assertEquals(List.of("sites/night/cat/3.png", "sites/night/owl/4.png", "sites/day/cat/1.png", "sites/day/dog/2.png"),
                    samples.stream().map(Sample::id).toList());
            assertEquals(List.of(0, 2, 0, 1), samples.stream().map(Sample::label).toList(), "cat, dog, owl in one sorted list");
            assertEquals(List.of("night", "night", "day", "day"), samples.stream().map(Sample::domain).toList());
            assertEquals(1, s.skips().count(SkipLog.Reason.UNDECODABLE_IMAGE));
            assertTrue(s.skips().messages().get(0).contains(root.resolve("night/owl/5.png").toString()));
        }
        String msg = assertThrows(IllegalArgumentException.class, () -> read(root, Map.of("layout", "domains", "domains", "dusk")))
                .getMessage();
        assertTrue(msg.contains("'dusk' is not a folder of " + root + "; its folders are [day, night]"), msg);
        msg = assertThrows(IllegalArgumentException.class, () -> read(root, Map.of("domains", "day"))).getMessage();
        assertTrue(msg.contains("add --option layout=domains"), msg);
    }
    @Test
    void aDomainFolderThatCannotBeListedDuringThePassIsReportedAndTheStreamGoesOn() throws IOException {
        Path root = tmp.resolve("sites");
        ImageFiles.png(root.resolve("a/cat/1.png"), ImageFiles.pattern(2, 2, 1));
        ImageFiles.png(root.resolve("a/cat/2.png"), ImageFiles.pattern(2, 2, 2));
        ImageFiles.png(root.resolve("b/cat/3.png"), ImageFiles.pattern(2, 2, 3));
        ImageFiles.png(root.resolve("c/cat/4.png"), ImageFiles.pattern(2, 2, 4));
        try (DatasetSource s = readers.open("image-folder", root, ReaderOptions.of(Map.of("layout", "domains", "order", "sorted")))) {
            // After opening: a's folder is gone (an IOException listing it), b's class folder gains a link to
            // itself (Files.walk's UncheckedIOException, a FileSystemLoopException).
            Files.move(root.resolve("a"), tmp.resolve("a-elsewhere"));
            Files.createSymbolicLink(root.resolve("b/cat/loop"), root.resolve("b/cat"));
            List<Sample> samples = new ArrayList<>();
            s.samples().forEachRemaining(samples::add);
            assertEquals(List.of("sites/c/cat/4.png"), samples.stream().map(Sample::id).toList());
            assertEquals(3, s.skips().count(SkipLog.Reason.UNREADABLE_DOMAIN), s.skips().summary());
            List<String> m = s.skips().messages();
            assertTrue(m.get(0).startsWith("unreadable domain: domain a: its items cannot be listed (java.nio.file.NoSuchFileException: ")
                    && m.get(0).endsWith("); its 2 items are left out"), m.get(0));
            assertTrue(m.get(1).startsWith("unreadable domain: domain b: its items cannot be listed (java.nio.file.FileSystemLoopException: "),
                    m.get(1));
        }
    }
}
