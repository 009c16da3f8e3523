package io.ctta.streams.source;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The one-pass sample iterator the image readers share: domain after domain, a domain's items are
 * fetched when the pass reaches it (so only one domain's list is in memory), and each item becomes a
 * sample when it is reached, or is skipped (the subclass has logged why).
 *
 * @param <T> what a reader keeps per item (a metadata row, a file)
 */
public abstract class ItemSource<T> implements DatasetSource {

    private boolean started;

    /** The items of domain {@code domain} (an index into {@link #domains()}), in stream order, capped. */
    protected abstract List<T> items(int domain) throws IOException;

    /** The sample of {@code item} of domain {@code domain}, or {@code null} when it is skipped. */
    protected abstract Sample sample(int domain, T item);

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
                            skips().skip(SkipLog.Reason.BAD_ROW, item.toString(), e.getMessage());
                        }
                    } else if (domain + 1 < domains) {
                        domain++;
                        try {
                            items = items(domain).iterator();
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
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
