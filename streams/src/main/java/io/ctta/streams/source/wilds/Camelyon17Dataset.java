package io.ctta.streams.source.wilds;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.source.SkipLog;
import io.ctta.streams.source.csv.CsvReader;
import io.ctta.streams.source.csv.CsvRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;

/**
 * Camelyon17 v1.0 as {@code wilds/datasets/camelyon17_dataset.py} reads it: {@code metadata.csv}
 * (columns {@code patient} (a zero-padded string), {@code node}, {@code x_coord}, {@code y_coord},
 * {@code tumor}, {@code slide}, {@code center}, {@code split}), patches at
 * {@code patches/patient_<patient>_node_<node>/patch_patient_<patient>_node_<node>_x_<x>_y_<y>.png},
 * converted to RGB, label {@code tumor} (2 classes). The split follows the class, not the CSV alone: the
 * CSV's 0/1 are {@code train}/{@code id_val}, then hospital 1 becomes {@code val} and hospital 2
 * {@code test}; the {@code mixed-to-test} scheme moves slide 23 to {@code train}.
 */
final class Camelyon17Dataset extends WildsDataset {

    /** The split ids of the class's split dict, in id order. */
    private static final List<String> SPLITS = List.of("train", "id_val", "test", "val");
    private static final List<String> METADATA_KEYS = List.of("hospital", "slide", "patient", "node");
    private static final int VAL_CENTER = 1;
    private static final int TEST_CENTER = 2;
    private static final int MIXED_TO_TEST_SLIDE = 23;

    @Override
    String name() {
        return "camelyon17";
    }

    @Override
    String directory() {
        return "camelyon17_v1.0";
    }

    @Override
    String title() {
        return "Camelyon17 v1.0 (WILDS)";
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
        return List.of("hospital", "slide");
    }

    @Override
    WildsOptions.Order defaultOrder() {
        return WildsOptions.Order.DOMAIN;
    }

    @Override
    boolean hasTime() {
        return false;
    }

    @Override
    List<String> splitSchemes() {
        return List.of("official", "mixed-to-test");
    }

    @Override
    ColorMode color() {
        return ColorMode.RGB;
    }

    @Override
    String colorWhy() {
        return "WILDS converts the patches to RGB";
    }

    @Override
    List<String> metadataKeys() {
        return METADATA_KEYS;
    }

    @Override
    RowReader rows(Path dataDir, CsvReader csv, WildsOptions options) throws IOException {
        int patient = csv.columns().require("patient");
        int node = csv.columns().require("node");
        int x = csv.columns().require("x_coord");
        int y = csv.columns().require("y_coord");
        int tumor = csv.columns().require("tumor");
        int slide = csv.columns().require("slide");
        int center = csv.columns().require("center");
        int split = csv.columns().require("split");
        boolean byHospital = options.domainField().equals("hospital");
        boolean mixedToTest = options.splitScheme().equals("mixed-to-test");
        return new RowReader() {
            @Override
            public WildsItem read(CsvRow row) throws BadRow {
                long csvSplit = integer(row, split, "split");
                long c = integer(row, center, "center");
                long sl = integer(row, slide, "slide");
                long id = csvSplit;
                if (c == VAL_CENTER) {
                    id = SPLITS.indexOf("val");
                } else if (c == TEST_CENTER) {
                    id = SPLITS.indexOf("test");
                }
                if (mixedToTest && sl == MIXED_TO_TEST_SLIDE) {
                    id = SPLITS.indexOf("train");
                }
                if (id < 0 || id >= SPLITS.size()) {
                    throw BadRow.field("split", Long.toString(csvSplit), "a split id 0..3");
                }
                String s = SPLITS.get((int) id);
                if (!options.splits().contains(s)) {
                    return null;
                }
                long label = integer(row, tumor, "tumor");
                if (label != 0 && label != 1) {
                    throw new BadRow(SkipLog.Reason.LABEL_OUT_OF_RANGE, "tumor is " + label + "; Camelyon17 labels are 0 and 1");
                }
                String p = field(row, patient);
                if (p.isEmpty() || !p.chars().allMatch(Character::isDigit)) {
                    throw BadRow.field("patient", p, "a zero-padded patient number such as 004");
                }
                long n = integer(row, node, "node");
                long px = integer(row, x, "x_coord");
                long py = integer(row, y, "y_coord");
                String folder = "patient_" + p + "_node_" + n;
                String file = "patches/" + folder + "/patch_" + folder + "_x_" + px + "_y_" + py + ".png";
                String domain = byHospital ? "hospital-" + c : "slide-" + sl;
                return new WildsItem(row.line(), file, (int) label, s, domain, byHospital ? c : sl, Long.MIN_VALUE,
                        new String[] {Long.toString(c), Long.toString(sl), p, Long.toString(n)});
            }

            @Override
            public OptionalInt classes() {
                return OptionalInt.of(2);
            }
        };
    }
}
