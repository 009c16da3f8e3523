package io.ctta.streams.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The one-pass sample iterator the image readers share: domain after domain, a domain's items are
 * fetched when the pass reaches it (so only one domain's list is in memory), and each item becomes a
 * sample when it is reached, or is skipped (the subclass has logged why). A domain whose items cannot
 * be listed (a folder that cannot be read) is skipped and reported as
 * {@link SkipLog.Reason#UNREADABLE_DOMAIN}; the pass goes on with the next domain.
 *
 * @param <T> what a reader keeps per item (a metadata row, a file)
 */
public abstract class ItemSource<T> implements DatasetSource {

    private boolean started;
    private long maxRecordBytes = Long.MAX_VALUE;

    /** The items of domain {@code domain} (an index into {@link #domains()}), in stream order, capped. */
    protected abstract List<T> items(int domain) throws IOException;

    /** The sample of {@code item} of domain {@code domain}, or {@code null} when it is skipped. */
    protected abstract Sample sample(int domain, T item);

    /**
     * Where {@code item} of domain {@code domain} is, for the skip log: its file and, where there is one,
     * its metadata row or task. Built only when an item is skipped. The default is {@code item.toString()};
     * readers whose items do not print that way override it.
     */
    protected String where(int domain, T item) {
        return String.valueOf(item);
    }

    @Override
    public void limitRecordBytes(long maxRecordBytes) {
        if (maxRecordBytes < 1) {
            throw new IllegalArgumentException("maxRecordBytes must be >= 1, got " + maxRecordBytes);
        }
        this.maxRecordBytes = maxRecordBytes;
    }

    /**
     * The record limit given to {@link #limitRecordBytes}, {@link Long#MAX_VALUE} when none was: images
     * whose pixels alone exceed it can be refused from their header
     * ({@link ImageOptions#decodeOrSkip(java.nio.file.Path, java.util.function.Supplier, SkipLog, long)}).
     */
    protected final long maxRecordBytes() {
        return maxRecordBytes;
    }

    @Override
    public final Iterator<Sample> samples() {
        if (started) {
            throw new IllegalStateException("samples() is one pass; open the source again to replay it again");
        }
        started = true;
        int domains = domains().size();
        return new Iterator<>() {
            private int domain = -1;
            private Iterator<T> items = List.<T>of().iterator();
            private Sample next;

            @Override
            public boolean hasNext() {
                while (next == null) {
                    if (items.hasNext()) {
                        T item = items.next();
                        try {
                            next = sample(domain, item);
                        } catch (IllegalArgumentException e) {
                            // A value the record cannot carry (a 2 KiB path in the metadata): that item, not the stream.
                            skips().skip(SkipLog.Reason.BAD_ROW, where(domain, item), e.getMessage());
                        }
                    } else if (domain + 1 < domains) {
                        domain++;
                        items = List.<T>of().iterator();
                        try {
                            items = items(domain).iterator();
                        } catch (IOException | UncheckedIOException e) {
                            // A folder that cannot be listed (access denied, a link loop): that domain, not the stream.
                            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
                            DomainInfo d = domains().get(domain);
                            skips().skip(SkipLog.Reason.UNREADABLE_DOMAIN, "domain " + d.name(), "its items cannot be listed ("
                                    + cause + "); its " + d.count() + " items are left out", Math.max(1, d.count()));
                        }
                    } else {
                        return false;
                    }
                }
                return true;
            }

            @Override
            public Sample next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Sample s = next;
                next = null;
                return s;
            }
        };
    }
}
