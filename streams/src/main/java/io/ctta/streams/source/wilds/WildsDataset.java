package io.ctta.streams.source.wilds;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.source.csv.CsvReader;
import io.ctta.streams.source.csv.CsvRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** One WILDS dataset: where its files are and what its metadata rows mean. */
abstract class WildsDataset {

    /** The format name, e.g. {@code iwildcam}. */
    abstract String name();

    /** The directory the wilds package creates, {@code <dataset>_v<version>}, e.g. {@code iwildcam_v2.0}. */
    abstract String directory();

    /** For messages and descriptions, e.g. "iWildCam v2.0 (WILDS)". */
    abstract String title();

    /** The metadata file in the dataset directory. */
    abstract String metadataFile();

    /** The dataset class's split names, in its split-id order. */
    abstract List<String> splits();

    /** Fields that can name the domains; the first is the dataset's own domain field. */
    abstract List<String> domainFields();

    String defaultDomainField() {
        return domainFields().get(0);
    }

    /** The order the dataset's OOD split scheme suggests. */
    abstract WildsOptions.Order defaultOrder();

    /** Whether rows carry a time. */
    abstract boolean hasTime();

    /** Accepted split schemes; the first is the default. */
    abstract List<String> splitSchemes();

    /** @throws IllegalArgumentException naming the option when {@code scheme} is not accepted */
    void checkSplitScheme(String scheme) {
        if (!splitSchemes().contains(scheme)) {
            throw new IllegalArgumentException("option split-scheme=" + scheme + " is invalid; " + directory()
                    + " accepts " + String.join(", ", splitSchemes()));
        }
    }

    /** How the dataset class opens its images. */
    abstract ColorMode color();

    /** Why that colour mode, for the option's description. */
    abstract String colorWhy();

    /** The per-row metadata keys, aligned with {@link WildsItem#values()}. */
    abstract List<String> metadataKeys();

    /**
     * Binds the columns of {@code csv} and prepares what the rows need (FMoW's country mapping).
     *
     * @throws java.io.IOException when a required column or side file is missing
     */
    abstract RowReader rows(Path dataDir, CsvReader csv, WildsOptions options) throws IOException;

    /** The value of a column of a row, or "" when the row is shorter than the header. */
    static String field(CsvRow row, int column) {
        return column < row.fields().size() ? row.fields().get(column).trim() : "";
    }

    /** An integer field as pandas writes an int64 column ({@code 17}; {@code 17.0} is tolerated). */
    static long integer(CsvRow row, int column, String name) throws BadRow {
        String v = field(row, column);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            try {
                double d = Double.parseDouble(v);
                if (d == Math.rint(d) && Math.abs(d) < 1e15) {
                    return (long) d;
                }
            } catch (NumberFormatException ignored) {
                // falls through to the error below
            }
            throw BadRow.field(name, v, "an integer");
        }
    }
}
