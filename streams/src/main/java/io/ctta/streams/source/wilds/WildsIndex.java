package io.ctta.streams.source.wilds;

import io.ctta.streams.source.SkipLog;
import io.ctta.streams.source.csv.CsvReader;
import io.ctta.streams.source.csv.CsvRow;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * The rows of the selected splits, grouped into domains and put in stream order: one pass over the
 * metadata file, keeping only {@link WildsItem}s (no images). Bad rows are skipped and logged with their
 * line.
 *
 * @param domains the domains in stream order, each with its items in order and capped
 * @param classes the label space
 * @param rows    data rows read
 */
record WildsIndex(List<Domain> domains, OptionalInt classes, long rows) {

    /** One domain's items in order. */
    record Domain(String name, List<WildsItem> items) {
    }

    static WildsIndex build(WildsDataset dataset, Path dataDir, WildsOptions options, SkipLog skips) throws IOException {
        Path metadata = dataDir.resolve(dataset.metadataFile());
        Map<String, List<WildsItem>> byDomain = new LinkedHashMap<>();
        RowReader reader;
        long rows = 0;
        try (CsvReader csv = new CsvReader(metadata)) {
            reader = dataset.rows(dataDir, csv, options);
            for (CsvRow row = csv.next(); row != null; row = csv.next()) {
                rows++;
                try {
                    WildsItem item = reader.read(row);
                    if (item != null) {
                        byDomain.computeIfAbsent(item.domain(), k -> new ArrayList<>()).add(item);
                    }
                } catch (BadRow e) {
                    skips.skip(e.reason(), metadata.getFileName() + " line " + row.line(), e.getMessage());
                }
            }
        }
        Comparator<WildsItem> within = dataset.hasTime()
                ? Comparator.comparingLong(WildsItem::time).thenComparingLong(WildsItem::line)
                : Comparator.comparingLong(WildsItem::line);
        List<List<WildsItem>> groups = new ArrayList<>(byDomain.values());
        for (List<WildsItem> g : groups) {
            g.sort(within);
        }
        Comparator<List<WildsItem>> across = options.order() == WildsOptions.Order.TIME
                ? Comparator.<List<WildsItem>>comparingLong(g -> g.get(0).time()).thenComparingLong(g -> g.get(0).domainRank())
                : Comparator.<List<WildsItem>>comparingLong(g -> g.get(0).domainRank()).thenComparing(g -> g.get(0).domain());
        groups.sort(across);
        List<Domain> domains = new ArrayList<>(groups.size());
        for (List<WildsItem> g : groups) {
            List<WildsItem> kept = g.size() > options.cap() ? g.subList(0, options.cap()) : g;
            domains.add(new Domain(g.get(0).domain(), List.copyOf(kept)));
        }
        return new WildsIndex(List.copyOf(domains), reader.classes(), rows);
    }
}
