package io.ctta.streams.source.csv;

import java.io.IOException;

/** A CSV file that cannot be read on: no header, a required column missing, an unterminated quote. */
public final class CsvFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    /** A message naming the file, the line and the problem. */
    public CsvFormatException(String message) {
        super(message);
    }
}
