package io.ctta.benchmarks.docs;

import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One measured figure as a page of docs/benchmarks declares it, on a line of its own:
 * {@code <!-- bench: name | figure | command | date -->} (docs/benchmarks/README.md). The page
 * keeps the figure's full table and conditions; the marker is what README's benchmark table shows.
 *
 * @param name what was measured
 * @param figure the figure itself, as a reader should quote it
 * @param command the command that produced it
 * @param date the day it was measured
 * @param page the page's file name in docs/benchmarks
 */
public record BenchFigure(String name, String figure, String command, LocalDate date, String page) {

    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*bench:(.*)-->\\s*$");

    /**
     * The figure declared on {@code line}, or empty when the line is no marker.
     *
     * @throws IllegalArgumentException for a marker that does not follow the convention, naming the page, line and fix
     */
    static Optional<BenchFigure> parse(String line, String page, int lineNumber) {
        Matcher m = MARKER.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        String[] fields = m.group(1).split("\\|", -1);
        String where = page + ":" + lineNumber;
        if (fields.length != 4) {
            throw new IllegalArgumentException(where + ": a bench marker has 4 fields separated by '|' (name | figure | command | date),"
                    + " found " + fields.length + "; a field may not contain '|'");
        }
        for (int i = 0; i < 4; i++) {
            fields[i] = fields[i].strip();
            if (fields[i].isEmpty()) {
                throw new IllegalArgumentException(where + ": field " + (i + 1) + " of the bench marker is empty");
            }
        }
        LocalDate date;
        try {
            date = LocalDate.parse(fields[3]);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(where + ": the bench marker's date must be YYYY-MM-DD, found '" + fields[3] + "'");
        }
        if (fields[2].contains("`")) {
            throw new IllegalArgumentException(where + ": write the bench marker's command without backquotes (the table adds them)");
        }
        return Optional.of(new BenchFigure(fields[0], fields[1], fields[2], date, page));
    }
}
