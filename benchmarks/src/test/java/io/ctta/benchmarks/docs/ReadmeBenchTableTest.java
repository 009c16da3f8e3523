package io.ctta.benchmarks.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadmeBenchTableTest {

    /** The repository root: surefire runs in the module's directory. */
    private static Path root() {
        Path dir = Path.of("").toAbsolutePath();
        return Files.isRegularFile(dir.resolve("README.md")) && Files.isDirectory(dir.resolve("docs/benchmarks")) ? dir : dir.getParent();
    }

    @Test
    void readmesTableIsWhatDocsBenchmarksGive() throws Exception {
        Path root = root();
        assertEquals(ReadmeBenchTable.regenerated(root), Files.readString(root.resolve("README.md")),
                "README.md's benchmark table differs from docs/benchmarks: run ./ctta bench readme-table (docs/benchmarks/README.md)");
    }

    @Test
    void everyBenchmarkPageDeclaresAFigure() throws Exception {
        Path dir = root().resolve("docs/benchmarks");
        List<String> declaring = ReadmeBenchTable.figures(dir).stream().map(BenchFigure::page).distinct().toList();
        try (var pages = Files.list(dir)) {
            pages.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".md") && !n.equals("README.md"))
                    .forEach(n -> assertTrue(declaring.contains(n), n + " declares no figure (<!-- bench: name | figure | command | date -->)"));
        }
    }

    @Test
    void figuresComeInPageThenLineOrderAndTheTableLinksTheirPage(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("b.md"), "# B\n<!-- bench: second | 2 x | ./ctta bench b | 2026-12-01 -->\ntext\n"
                + "  <!--bench: third|3 y|./ctta bench b --more|2026-12-02-->\n");
        Files.writeString(dir.resolve("a.md"), "# A\n<!-- bench: first | 1,000 samples/s | ./ctta bench a | 2026-11-30 -->\n");
        Files.writeString(dir.resolve("README.md"), "<!-- bench: not a figure | x | y | 2026-01-01 -->\n");
        Files.writeString(dir.resolve("notes.txt"), "<!-- bench: not a page | x | y | 2026-01-01 -->\n");

        List<BenchFigure> figures = ReadmeBenchTable.figures(dir);

        assertEquals(List.of("first", "second", "third"), figures.stream().map(BenchFigure::name).toList());
        assertEquals(new BenchFigure("third", "3 y", "./ctta bench b --more", LocalDate.of(2026, 12, 2), "b.md"), figures.get(2));
        String table = ReadmeBenchTable.render(figures);
        assertTrue(table.contains("| first | 1,000 samples/s | `./ctta bench a` | 2026-11-30 | [a.md](docs/benchmarks/a.md) |\n"), table);
    }

    @Test
    void aMalformedMarkerFailsNamingPageLineAndFix(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("x.md"), "# X\n\n<!-- bench: name | a | b | c | 2026-12-01 -->\n");
        var e = assertThrows(IllegalArgumentException.class, () -> ReadmeBenchTable.figures(dir));
        assertTrue(e.getMessage().startsWith("x.md:3: a bench marker has 4 fields"), e.getMessage());

        Files.writeString(dir.resolve("x.md"), "<!-- bench: name | a | b | 1 Dec 2026 -->\n");
        e = assertThrows(IllegalArgumentException.class, () -> ReadmeBenchTable.figures(dir));
        assertTrue(e.getMessage().contains("YYYY-MM-DD"), e.getMessage());
    }

    @Test
    void onlyTheTextBetweenTheMarkersIsReplaced() {
        String readme = "# R\nbefore\n" + ReadmeBenchTable.BEGIN + "\nold table\n" + ReadmeBenchTable.END + "\nafter\n";
        String out = ReadmeBenchTable.replaceTable(readme, "| new |\n");
        assertEquals("# R\nbefore\n" + ReadmeBenchTable.BEGIN + "\n| new |\n" + ReadmeBenchTable.END + "\nafter\n", out);
        assertEquals(out, ReadmeBenchTable.replaceTable(out, "| new |\n"));
        var e = assertThrows(IllegalArgumentException.class, () -> ReadmeBenchTable.replaceTable("# R\n", "| t |\n"));
        assertFalse(e.getMessage().isEmpty());
    }
}
