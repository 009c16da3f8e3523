package io.ctta.streams.source.wilds;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.source.SkipLog;
import io.ctta.streams.source.csv.CsvReader;
import io.ctta.streams.source.csv.CsvRow;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * iWildCam v2.0 as {@code wilds/datasets/iwildcam_dataset.py} reads it: {@code metadata.csv} (columns
 * {@code split}, {@code location_remapped}, {@code sequence_remapped}, {@code y}, {@code datetime},
 * {@code filename}; others ignored), images at {@code train/<filename>} for every split, labels {@code y}
 * with {@code max(y) + 1} classes, split names {@code train, val, test, id_val, id_test}.
 */
final class IWildCamDataset extends WildsDataset {

    /** Python's {@code '%Y-%m-%d %H:%M:%S.%f'}: 1-2 digit fields, a mandatory 1-6 digit fraction, no zone. */
    private static final Pattern DATETIME =
            Pattern.compile("(\\d{4})-(\\d{1,2})-(\\d{1,2}) (\\d{1,2}):(\\d{1,2}):(\\d{1,2})\\.(\\d{1,6})");
    private static final List<String> SPLITS = List.of("train", "val", "test", "id_val", "id_test");
    private static final List<String> METADATA_KEYS = List.of("location", "sequence", "time", "year");

    @Override
    String name() {
        return "iwildcam";
    }

    @Override
    String directory() {
        return "iwildcam_v2.0";
    }

    @Override
    String title() {
        return "iWildCam v2.0 (WILDS)";
    }

    @Override
    String metadataFile() {
        return "metadata.csv";
    }

    @Override
    List<String> splits() {
        return SPLITS;
    }

    @Override
    List<String> domainFields() {
        return List.of("location", "year");
    }

    @Override
    WildsOptions.Order defaultOrder() {
        return WildsOptions.Order.DOMAIN;
    }

    @Override
    boolean hasTime() {
        return true;
    }

    @Override
    List<String> splitSchemes() {
        return List.of("official");
    }

    @Override
    ColorMode color() {
        return ColorMode.AUTO;
    }

    @Override
    String colorWhy() {
        return "WILDS opens iWildCam's JPEGs without converting them (night images are grey)";
    }

    @Override
    List<String> metadataKeys() {
        return METADATA_KEYS;
    }

    /**
     * Parses iWildCam's {@code datetime} as Python's {@code strptime(x, '%Y-%m-%d %H:%M:%S.%f')} does.
     *
     * @throws IllegalArgumentException when it does not match or is not a valid date
     */
    static LocalDateTime parseDatetime(String text) {
        Matcher m = DATETIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("not of the form 2013-06-09 16:55:52.000");
        }
        String fraction = (m.group(7) + "00000").substring(0, 6);
        try {
            return LocalDateTime.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)),
                    Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6)),
                    Integer.parseInt(fraction) * 1000);
        } catch (java.time.DateTimeException e) {
            throw new IllegalArgumentException("not a valid date and time (" + e.getMessage() + ")");
        }
    }

    @Override
    RowReader rows(Path dataDir, CsvReader csv, WildsOptions options) throws IOException {
        int split = csv.columns().require("split");
        int location = csv.columns().require("location_remapped");
        int sequence = csv.columns().require("sequence_remapped");
        int y = csv.columns().require("y");
        int datetime = csv.columns().require("datetime");
        int filename = csv.columns().require("filename");
        boolean byLocation = options.domainField().equals("location");
        return new RowReader() {
            private long maxLabel = -1;

            @Override
            public WildsItem read(CsvRow row) throws BadRow {
                String s = field(row, split);
                if (!SPLITS.contains(s)) {
                    throw BadRow.field("split", s, "one of " + String.join(", ", SPLITS));
                }
                long label = -2;
                try {
                    label = integer(row, y, "y");
                } catch (BadRow e) {
                    if (options.splits().contains(s)) {
                        throw e;
                    }
                }
                if (label >= 0) {
                    // WILDS counts the classes over every split: n_classes = max(y) + 1.
                    maxLabel = Math.max(maxLabel, label);
                }
                if (!options.splits().contains(s)) {
                    return null;
                }
                if (label < 0 || label > Integer.MAX_VALUE) {
                    throw new BadRow(SkipLog.Reason.LABEL_OUT_OF_RANGE, "y is " + label + "; labels are class indices >= 0");
                }
                long loc = integer(row, location, "location_remapped");
                if (loc < 0) {
                    throw BadRow.field("location_remapped", Long.toString(loc), "a location index >= 0");
                }
                long seq = integer(row, sequence, "sequence_remapped");
                String dt = field(row, datetime);
                LocalDateTime time;
                try {
                    time = parseDatetime(dt);
                } catch (IllegalArgumentException e) {
                    throw BadRow.field("datetime", dt, "'%Y-%m-%d %H:%M:%S.%f' (" + e.getMessage() + ")");
                }
                String file = WildsPaths.inside("train", field(row, filename), "filename");
                String domain = byLocation ? "location-" + loc : "year-" + time.getYear();
                long rank = byLocation ? loc : time.getYear();
                return new WildsItem(row.line(), file, (int) label, s, domain, rank, time.toInstant(ZoneOffset.UTC).toEpochMilli(),
                        new String[] {Long.toString(loc), Long.toString(seq), time.toString(), Integer.toString(time.getYear())});
            }

            @Override
            public OptionalInt classes() {
                return maxLabel < 0 ? OptionalInt.empty() : OptionalInt.of((int) (maxLabel + 1));
            }
        };
    }
}
