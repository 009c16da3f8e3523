package io.ctta.streams.source.csv;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a CSV header, looked up by name (never by position: a dataset may add or reorder
 * columns between releases).
 */
public final class Columns {

    private final Path file;
    private final List<String> names;
    private final Map<String, Integer> index = new HashMap<>();

    Columns(Path file, List<String> names) {
        this.file = file;
        this.names = List.copyOf(names);
        for (int i = 0; i < names.size(); i++) {
            index.putIfAbsent(names.get(i), i);
        }
    }

    /** The column names in header order. */
    public List<String> names() {
        return names;
    }

    /** Whether the header has {@code name}. */
    public boolean has(String name) {
        return index.containsKey(name);
    }

    /**
     * The position of {@code name}.
     *
     * @throws CsvFormatException naming the file, the column and the columns that are there
     */
    public int require(String name) throws CsvFormatException {
        Integer i = index.get(name);
        if (i == null) {
            throw new CsvFormatException(file + ": no column '" + name + "' in the header; its columns are " + names
                    + " (is this the dataset version ctta reads?)");
        }
        return i;
    }
}
