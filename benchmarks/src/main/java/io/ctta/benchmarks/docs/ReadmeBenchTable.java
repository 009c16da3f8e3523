package io.ctta.benchmarks.docs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * README's benchmark table, generated from the figures the pages of docs/benchmarks declare
 * ({@link BenchFigure}): every page in file-name order, its figures in page order. The table sits
 * in README between {@value #BEGIN} and {@value #END}; {@code ctta bench readme-table} rewrites
 * it, and a test fails when README's table is not what the pages give, so a figure is changed in
 * its page and nowhere else.
 */
public final class ReadmeBenchTable {

    public static final String BEGIN = "<!-- bench-table:begin (generated from docs/benchmarks by ctta bench readme-table; do not edit) -->";
    public static final String END = "<!-- bench-table:end -->";

    private ReadmeBenchTable() {}

    /** Every figure declared by the Markdown pages of {@code benchmarksDir}. */
    public static List<BenchFigure> figures(Path benchmarksDir) throws IOException {
        List<Path> pages;
        try (Stream<Path> s = Files.list(benchmarksDir)) {
            pages = s.filter(p -> p.getFileName().toString().endsWith(".md") && !p.getFileName().toString().equals("README.md"))
                    .sorted().toList();
        }
        List<BenchFigure> out = new ArrayList<>();
        for (Path page : pages) {
            List<String> lines = Files.readAllLines(page, StandardCharsets.UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                BenchFigure.parse(lines.get(i), page.getFileName().toString(), i + 1).ifPresent(out::add);
            }
        }
        return out;
    }

    /** The table of {@code figures}, links relative to the repository root. */
    public static String render(List<BenchFigure> figures) {
        StringBuilder b = new StringBuilder("| benchmark | figure | command | date | page |\n|---|---|---|---|---|\n");
        for (BenchFigure f : figures) {
            b.append("| ").append(f.name()).append(" | ").append(f.figure()).append(" | `").append(f.command()).append("` | ")
                    .append(f.date()).append(" | [").append(f.page()).append("](docs/benchmarks/").append(f.page()).append(") |\n");
        }
        return b.toString();
    }

    /**
     * {@code readme} with the text between its markers replaced by {@code table}.
     *
     * @throws IllegalArgumentException when README lacks the markers (the message says what to add)
     */
    public static String replaceTable(String readme, String table) {
        int begin = readme.indexOf(BEGIN);
        int end = readme.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("README.md has no benchmark table markers: add a line '" + BEGIN + "' and, below it, a line '"
                    + END + "' where the table goes");
        }
        return readme.substring(0, begin + BEGIN.length()) + "\n" + table + readme.substring(end);
    }

    /** README's text with its table regenerated from {@code root}/docs/benchmarks. */
    public static String regenerated(Path root) throws IOException {
        String readme = Files.readString(root.resolve("README.md"), StandardCharsets.UTF_8);
        return replaceTable(readme, render(figures(root.resolve("docs/benchmarks"))));
    }
}
