package io.ctta.streams.source.wilds;

import io.ctta.streams.source.csv.CsvRow;
import java.util.OptionalInt;

/** Turns the rows of one dataset's metadata file into items, with the columns bound once. */
interface RowReader {

    /**
     * The item of {@code row}, or {@code null} when the row belongs to none of the selected splits.
     *
     * @throws BadRow when a field the dataset needs is missing or malformed, or the label is out of range
     */
    WildsItem read(CsvRow row) throws BadRow;

    /** The label space, known after every row has been read. */
    OptionalInt classes();
}
