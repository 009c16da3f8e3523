package io.ctta.streams.source.wilds;

import io.ctta.streams.source.ImageOptions;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;

/**
 * The options every WILDS reader takes, validated once.
 *
 * @param splits      the WILDS splits to replay, in the dataset's split order, at least one
 * @param domainField the metadata field whose value is the domain tag (location, hospital, region, year, ...)
 * @param order       how domains and the images within them are ordered
 * @param cap         most images per domain (the first ones in the domain's order)
 * @param splitScheme the dataset's split scheme ({@code official}, ...)
 * @param image       decoding
 */
public record WildsOptions(List<String> splits, String domainField, Order order, int cap, String splitScheme,
                           ImageOptions image) {

    /** How a WILDS stream is ordered. */
    public enum Order {
        /**
         * Domains by their first image in time, the images of a domain by time: a stream that moves
         * forward in time (FMoW's OOD split is by time).
         */
        TIME,
        /**
         * Domains by the domain field's value (as WILDS numbers the domains), the images of a domain by
         * time where the dataset has a time, else in file order (iWildCam's OOD split is by location,
         * Camelyon17's by hospital).
         */
        DOMAIN
    }

    public WildsOptions {
        splits = List.copyOf(splits);
        if (splits.isEmpty()) {
            throw new IllegalArgumentException("at least one split is needed");
        }
    }

    static List<ReaderOption> declarations(WildsDataset d) {
        List<ReaderOption> out = new ArrayList<>();
        out.add(new ReaderOption("split", "test", "WILDS splits to replay, comma-separated, or all: " + String.join(", ", d.splits())));
        out.add(new ReaderOption("domain", d.defaultDomainField(), "the field that names the domains: " + String.join(", ", d.domainFields())));
        out.add(new ReaderOption("order", d.defaultOrder().name().toLowerCase(Locale.ROOT),
                d.hasTime() ? "time (domains by their first image, images by time) or domain (domains by value, images by time)"
                        : "domain (domains by value, images in file order); this dataset has no time"));
        out.add(new ReaderOption("samples-per-domain", "all", "most images per domain, the first ones in the domain's order"));
        out.add(new ReaderOption("split-scheme", d.splitSchemes().get(0), "the dataset's split scheme: " + String.join(", ", d.splitSchemes())));
        out.addAll(ImageOptions.declarations(d.color(), d.colorWhy()));
        return out;
    }

    static WildsOptions parse(ReaderOptions o, WildsDataset d) {
        List<String> splits = o.list("split", List.of("test"), s -> {
            String t = s.toLowerCase(Locale.ROOT);
            if (!t.equals("all") && !d.splits().contains(t)) {
                throw new IllegalArgumentException("'" + s + "' is not a split of " + d.directory() + "; its splits are "
                        + String.join(", ", d.splits()) + " (or all)");
            }
            return t;
        });
        LinkedHashSet<String> chosen = new LinkedHashSet<>();
        for (String s : d.splits()) {
            if (splits.contains("all") || splits.contains(s)) {
                chosen.add(s);
            }
        }
        String domain = o.choice("domain", d.defaultDomainField(), d.domainFields());
        Order order = Order.valueOf(o.choice("order", d.defaultOrder().name().toLowerCase(Locale.ROOT), List.of("time", "domain"))
                .toUpperCase(Locale.ROOT));
        if (order == Order.TIME && !d.hasTime()) {
            throw new IllegalArgumentException("option order=time is invalid: " + d.directory()
                    + " has no time field; use --option order=domain");
        }
        int cap = o.cap("samples-per-domain", Integer.MAX_VALUE);
        String scheme = o.text("split-scheme", d.splitSchemes().get(0)).toLowerCase(Locale.ROOT);
        d.checkSplitScheme(scheme);
        return new WildsOptions(List.copyOf(chosen), domain, order, cap, scheme, ImageOptions.from(o, d.color()));
    }
}
