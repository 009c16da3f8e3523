package io.ctta.streams.source.csv;

import java.util.List;

/**
 * One data row of a CSV file.
 *
 * @param line   1-based line of the file where the row starts (the header is line 1), for messages
 * @param index  0-based position among the data rows (the header is not counted)
 * @param fields the fields as written, unquoted
 */
public record CsvRow(long line, long index, List<String> fields) {

    public CsvRow {
        fields = List.copyOf(fields);
    }
}
