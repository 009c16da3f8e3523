package io.ctta.streams.source.wilds;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.source.SkipLog;
import io.ctta.streams.source.csv.CsvReader;
import io.ctta.streams.source.csv.CsvRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * FMoW v1.1 as {@code wilds/datasets/fmow_dataset.py} reads it: {@code rgb_metadata.csv} (columns
 * {@code split}, {@code category}, {@code country_code}, {@code timestamp}, looked up by name; a stored
 * {@code region} column is ignored, as WILDS recomputes it), {@code country_code_mapping.csv}
 * ({@code alpha-3} to {@code region}; a code it lacks is {@code Other}), images at
 * {@code images/rgb_img_<row>.png} where {@code <row>} counts every data row including the {@code seq}
 * ones, converted to RGB, label = the category's position in WILDS' 62-name list.
 *
 * <p>Splits follow the {@code time_after_<Y>} scheme ({@code official} is {@code time_after_2016}): OOD
 * {@code test} is the CSV's test rows from Y on, OOD {@code val} the val rows from Y-3 to Y, and
 * {@code train}, {@code id_val}, {@code id_test} the train, val and test rows before Y-3; every other row
 * (and every {@code seq} row) is in no split. The {@code region} domain order is WILDS' region index: the
 * order of first appearance over all rows.
 */
final class FmowDataset extends WildsDataset {

    /** WILDS' {@code categories}, in order: the label is the position. */
    static final List<String> CATEGORIES = List.of("airport", "airport_hangar", "airport_terminal", "amusement_park",
            "aquaculture", "archaeological_site", "barn", "border_checkpoint", "burial_site", "car_dealership",
            "construction_site", "crop_field", "dam", "debris_or_rubble", "educational_institution", "electric_substation",
            "factory_or_powerplant", "fire_station", "flooded_road", "fountain", "gas_station", "golf_course",
            "ground_transportation_station", "helipad", "hospital", "impoverished_settlement", "interchange", "lake_or_pond",
            "lighthouse", "military_facility", "multi-unit_residential", "nuclear_powerplant", "office_building",
            "oil_or_gas_facility", "park", "parking_lot_or_garage", "place_of_worship", "police_station", "port", "prison",
            "race_track", "railway_bridge", "recreational_facility", "road_bridge", "runway", "shipyard", "shopping_mall",
            "single-unit_residential", "smokestack", "solar_farm", "space_facility", "stadium", "storage_tank", "surface_mine",
            "swimming_pool", "toll_booth", "tower", "tunnel_opening", "waste_disposal", "water_treatment_facility", "wind_farm",
            "zoo");

    static final String COUNTRY_MAPPING = "country_code_mapping.csv";
    private static final Pattern TIME_AFTER = Pattern.compile("time_after_(\\d{4})");
    private static final List<String> SPLITS = List.of("train", "id_val", "id_test", "val", "test");
    private static final List<String> METADATA_KEYS = List.of("region", "country", "time", "year", "class");
    private static final Map<String, Integer> LABELS = new HashMap<>();

    static {
        for (int i = 0; i < CATEGORIES.size(); i++) {
            LABELS.put(CATEGORIES.get(i), i);
        }
    }

    @Override
    String name() {
        return "fmow";
    }

    @Override
    String directory() {
        return "fmow_v1.1";
    }

    @Override
    String title() {
        return "FMoW v1.1 (WILDS)";
    }

    @Override
    String metadataFile() {
        return "rgb_metadata.csv";
    }

    @Override
    List<String> splits() {
        return SPLITS;
    }

    @Override
    List<String> domainFields() {
        return List.of("year", "region");
    }

    @Override
    WildsOptions.Order defaultOrder() {
        return WildsOptions.Order.TIME;
    }

    @Override
    boolean hasTime() {
        return true;
    }

    @Override
    List<String> splitSchemes() {
        return List.of("official", "time_after_<YEAR> (2002..2018)");
    }

    @Override
    void checkSplitScheme(String scheme) {
        if (cutoffYear(scheme) < 0) {
            throw new IllegalArgumentException("option split-scheme=" + scheme + " is invalid; fmow_v1.1 accepts official"
                    + " (time_after_2016) or time_after_<YEAR> for YEAR 2002..2018 (mixed-to-test draws a random"
                    + " training set with NumPy that ctta does not reproduce)");
        }
    }

    /** Y of {@code time_after_Y}, 2016 for {@code official}, -1 when the scheme is not one of them. */
    static int cutoffYear(String scheme) {
        if (scheme.equals("official")) {
            return 2016;
        }
        Matcher m = TIME_AFTER.matcher(scheme);
        if (m.matches()) {
            int y = Integer.parseInt(m.group(1));
            return y >= 2002 && y <= 2018 ? y : -1;
        }
        return -1;
    }

    @Override
    ColorMode color() {
        return ColorMode.RGB;
    }

    @Override
    String colorWhy() {
        return "WILDS converts the images to RGB";
    }

    @Override
    List<String> metadataKeys() {
        return METADATA_KEYS;
    }

    /**
     * Parses an fMoW timestamp as pandas' {@code to_datetime} reads ISO-8601: {@code 2016-02-04T15:49:09Z},
     * with optional fractional seconds, {@code Z} or an offset, a space or {@code T}; without a zone it
     * is taken as UTC.
     */
    static Instant parseTimestamp(String text) {
        String t = text.length() > 10 && text.charAt(10) == ' ' ? text.substring(0, 10) + 'T' + text.substring(11) : text;
        try {
            return OffsetDateTime.parse(t).toInstant();
        } catch (DateTimeParseException e) {
            try {
                return LocalDateTime.parse(t).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException e2) {
                throw new IllegalArgumentException("not an ISO-8601 time such as 2016-02-04T15:49:09Z");
            }
        }
    }

    /** {@code alpha-3 -> region} from {@code country_code_mapping.csv}. */
    static Map<String, String> regions(Path dataDir) throws IOException {
        Path file = dataDir.resolve(COUNTRY_MAPPING);
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString(), null, "FMoW needs " + COUNTRY_MAPPING
                    + " beside rgb_metadata.csv to compute regions (the wilds package downloads both)");
        }
        Map<String, String> out = new HashMap<>();
        try (CsvReader csv = new CsvReader(file)) {
            int code = csv.columns().require("alpha-3");
            int region = csv.columns().require("region");
            for (CsvRow row = csv.next(); row != null; row = csv.next()) {
                out.put(field(row, code), field(row, region));
            }
        }
        return out;
    }

    @Override
    RowReader rows(Path dataDir, CsvReader csv, WildsOptions options) throws IOException {
        Map<String, String> regions = regions(dataDir);
        int split = csv.columns().require("split");
        int category = csv.columns().require("category");
        int country = csv.columns().require("country_code");
        int timestamp = csv.columns().require("timestamp");
        int y = cutoffYear(options.splitScheme());
        Instant testFrom = LocalDateTime.of(y, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
        Instant valFrom = LocalDateTime.of(y - 3, 1, 1, 0, 0).toInstant(ZoneOffset.UTC);
        boolean byYear = options.domainField().equals("year");
        Map<String, Integer> regionRank = new HashMap<>();
        return new RowReader() {
            @Override
            public WildsItem read(CsvRow row) throws BadRow {
                String code = field(row, country);
                String mapped = regions.get(code);
                // WILDS: countrycode_to_region.get(code, 'Other'); an empty mapping entry is taken as Other too.
                String region = mapped == null || mapped.isEmpty() ? "Other" : mapped;
                regionRank.putIfAbsent(region, regionRank.size());
                String s = field(row, split);
                if (s.equals("seq")) {
                    return null;
                }
                if (!s.equals("train") && !s.equals("val") && !s.equals("test")) {
                    throw BadRow.field("split", s, "train, val, test or seq");
                }
                String ts = field(row, timestamp);
                Instant time;
                try {
                    time = parseTimestamp(ts);
                } catch (IllegalArgumentException e) {
                    throw BadRow.field("timestamp", ts, "an ISO-8601 time such as 2016-02-04T15:49:09Z");
                }
                String wilds = wildsSplit(s, time, testFrom, valFrom);
                if (wilds == null || !options.splits().contains(wilds)) {
                    return null;
                }
                String cat = field(row, category);
                Integer label = LABELS.get(cat);
                if (label == null) {
                    throw new BadRow(SkipLog.Reason.LABEL_OUT_OF_RANGE, "category '" + cat + "' is not one of WILDS' 62 FMoW categories");
                }
                int year = time.atOffset(ZoneOffset.UTC).getYear();
                String file = "images/rgb_img_" + row.index() + ".png";
                String domain = byYear ? "year-" + year : "region-" + region;
                return new WildsItem(row.line(), file, label, wilds, domain, byYear ? year : regionRank.get(region),
                        time.toEpochMilli(), new String[] {region, code, time.toString(), Integer.toString(year), cat});
            }

            @Override
            public OptionalInt classes() {
                return OptionalInt.of(CATEGORIES.size());
            }
        };
    }

    /** The WILDS split of a row with CSV split {@code s} at {@code time}, or null when it is in none. */
    static String wildsSplit(String s, Instant time, Instant testFrom, Instant valFrom) {
        boolean testOod = !time.isBefore(testFrom);
        boolean valOod = !time.isBefore(valFrom) && !testOod;
        boolean ood = testOod || valOod;
        return switch (s) {
            case "test" -> testOod ? "test" : ood ? null : "id_test";
            case "val" -> valOod ? "val" : ood ? null : "id_val";
            case "train" -> ood ? null : "train";
            default -> null;
        };
    }
}
