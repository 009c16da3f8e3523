package io.ctta.streams.source;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a source skipped and why: one bad image or row costs that item, never the stream. Each skip
 * names the file and, where there is one, the metadata row. The first {@value #LOGGED} skips are
 * logged and kept in full; after that only the counts grow, so a dataset with thousands of bad rows
 * neither floods the log nor the heap. Thread-safe.
 */
public final class SkipLog {

    /** How many skips are logged and kept as messages. */
    public static final int LOGGED = 20;

    private static final Logger LOG = LoggerFactory.getLogger(SkipLog.class);

    /** Why an item was skipped. */
    public enum Reason {
        /** A metadata row names a file that does not exist. */
        MISSING_FILE("missing file"),
        /** A file exists but is not a readable PNG/JPEG. */
        UNDECODABLE_IMAGE("undecodable image"),
        /** A metadata row lacks a field or has a value of the wrong form. */
        BAD_ROW("bad metadata row"),
        /** A label outside the dataset's label space. */
        LABEL_OUT_OF_RANGE("label out of range"),
        /** An image too large for a Kafka record even after any downscale. */
        TOO_LARGE("record too large"),
        /** A task of a benchmark stream that is not on disk (NEVIS'22). */
        MISSING_TASK("task missing on disk"),
        /** A domain whose folder or file cannot be listed or opened during the pass: its items are lost. */
        UNREADABLE_DOMAIN("unreadable domain");

        private final String text;

        Reason(String text) {
            this.text = text;
        }

        /** Human-readable, e.g. "undecodable image". */
        public String text() {
            return text;
        }
    }

    private final String source;
    private final Map<Reason, Long> counts = new EnumMap<>(Reason.class);
    private final List<String> messages = new ArrayList<>();
    private long total;

    /** @param source names the source in log lines, e.g. the format name */
    public SkipLog(String source) {
        this.source = source;
    }

    /**
     * Records one skipped item.
     *
     * @param where the file and, where there is one, the metadata row, e.g.
     *              {@code /data/iwildcam_v2.0/train/x.jpg (metadata.csv line 17)}
     * @param why   what is wrong, e.g. "file is missing"
     */
    public void skip(Reason reason, String where, String why) {
        skip(reason, where, why, 1);
    }

    /**
     * Records {@code items} items skipped for one cause (a truncated file loses the rest of its images).
     */
    public synchronized void skip(Reason reason, String where, String why, long items) {
        if (items < 1) {
            throw new IllegalArgumentException("items must be >= 1, got " + items);
        }
        counts.merge(reason, items, Long::sum);
        total += items;
        if (messages.size() < LOGGED) {
            String message = reason.text() + ": " + where + ": " + why;
            messages.add(message);
            LOG.warn("{}: skipped {}{}", source, message, messages.size() == LOGGED ? " (further skips are only counted)" : "");
        }
    }

    /** All skips. */
    public synchronized long total() {
        return total;
    }

    /** Skips for one reason. */
    public synchronized long count(Reason reason) {
        return counts.getOrDefault(reason, 0L);
    }

    /** The first {@value #LOGGED} skips, in order, each "reason: where: why". */
    public synchronized List<String> messages() {
        return List.copyOf(messages);
    }

    /**
     * One paragraph for the end of a replay: "no items skipped", or the counts per reason followed by
     * the first messages.
     */
    public synchronized String summary() {
        if (total == 0) {
            return source + ": no items skipped";
        }
        StringBuilder sb = new StringBuilder(source).append(": skipped ").append(total).append(total == 1 ? " item (" : " items (");
        String sep = "";
        for (Map.Entry<Reason, Long> e : counts.entrySet()) {
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey().text());
            sep = ", ";
        }
        sb.append(')');
        int shown = Math.min(messages.size(), 5);
        for (int i = 0; i < shown; i++) {
            sb.append(String.format(Locale.ROOT, "%n  %s", messages.get(i)));
        }
        if (total > shown) {
            sb.append(String.format(Locale.ROOT, "%n  ... %d more (the log has the first %d)", total - shown, LOGGED));
        }
        return sb.toString();
    }
}
