package io.ctta.streams.source.streamdir;

import io.ctta.streams.data.IdxFormatException;
import io.ctta.streams.data.IdxImageStream;
import io.ctta.streams.data.IdxReader;
import io.ctta.streams.data.StreamManifest;
import io.ctta.streams.record.DType;
import io.ctta.streams.record.Tensor;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalInt;

/**
 * {@code stream-dir}: a stream directory (docs/stream-directory.md), grey or RGB, any size per domain
 * (manifest version 2), read one image at a time. Samples are {@code UINT8 [C, H, W]} with ids
 * {@code <domain>/<index>} and no metadata, the records a stream directory has always replayed as.
 */
public final class StreamDirectoryReader implements DatasetReader {

    @Override
    public String name() {
        return "stream-dir";
    }

    @Override
    public String description() {
        return "a ctta stream directory: manifest.json plus one pair of IDX files per domain, grey or RGB (docs/stream-directory.md)";
    }

    @Override
    public String locationHelp() {
        return "the stream directory (the one holding manifest.json)";
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(new ReaderOption("samples-per-domain", "all", "the first N images of each domain (the file order is the stream order)"));
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        if (location == null) {
            throw new IllegalArgumentException("format stream-dir needs the stream directory: --data DIR (or --stream DIR)");
        }
        int cap = options.cap("samples-per-domain", Integer.MAX_VALUE);
        StreamManifest manifest = StreamManifest.read(location);
        List<Layout> layouts = new ArrayList<>();
        for (StreamManifest.Entry e : manifest.domains()) {
            layouts.add(layout(manifest, e, layouts.isEmpty() ? null : layouts.get(0)));
        }
        return new Source(location, manifest, layouts, cap);
    }

    /**
     * What the headers say about one domain, checked against the manifest version's rules, and its labels
     * (read once, when the stream is opened; one byte per item).
     */
    private record Layout(StreamManifest.Entry entry, int count, int rows, int cols, int channels, byte[] labels) {
        int label(int i) {
            return labels[i] & 0xFF;
        }
    }

    private static Layout layout(StreamManifest manifest, StreamManifest.Entry e, Layout first) throws IOException {
        String where = e.where(manifest.file());
        byte[] labels = IdxReader.readLabelBytes(e.labels());
        try (IdxImageStream images = new IdxImageStream(e.images())) {
            if (labels.length != images.count()) {
                throw new IdxFormatException(where + ": " + e.labels().getFileName() + " holds " + labels.length + " labels but "
                        + e.images().getFileName() + " holds " + images.count() + " images; the two files must describe the same items");
            }
            if (manifest.version() == 1) {
                if (images.dimensions() != 3) {
                    throw new IdxFormatException(where + ": a version 1 stream holds grey 3-dimensional IDX images;"
                            + " declare \"version\": 2 for RGB or 4-dimensional files");
                }
                if (first != null && (first.rows() != images.rows() || first.cols() != images.cols())) {
                    throw new IdxFormatException(where + ": images are " + images.rows() + "x" + images.cols() + " but domain '"
                            + first.entry().name() + "' has " + first.rows() + "x" + first.cols()
                            + "; all domains of a version 1 stream must have one size (version 2 allows any size per domain)");
                }
            }
            return new Layout(e, images.count(), images.rows(), images.cols(), images.channels(), labels);
        }
    }

    /** The opened stream directory. */
    private static final class Source implements DatasetSource {
        private final Path dir;
        private final StreamManifest manifest;
        private final List<Layout> layouts;
        private final int cap;
        private final SkipLog skips = new SkipLog("stream-dir");
        private IdxImageStream open;
        private boolean started;

        Source(Path dir, StreamManifest manifest, List<Layout> layouts, int cap) {
            this.dir = dir;
            this.manifest = manifest;
            this.layouts = List.copyOf(layouts);
            this.cap = cap;
        }

        @Override
        public String description() {
            return String.format(Locale.ROOT, "stream directory %s: %d domains (manifest version %d)", dir, layouts.size(),
                    manifest.version());
        }

        @Override
        public List<DomainInfo> domains() {
            List<DomainInfo> out = new ArrayList<>();
            for (Layout l : layouts) {
                out.add(new DomainInfo(l.entry().name(), Math.min(cap, l.count())));
            }
            return out;
        }

        @Override
        public OptionalInt classes() {
            return manifest.classes();
        }

        @Override
        public SkipLog skips() {
            return skips;
        }

        @Override
        public Iterator<Sample> samples() {
            if (started) {
                throw new IllegalStateException("samples() is one pass; open the source again to replay it again");
            }
            started = true;
            return new Iterator<>() {
                private int domain = -1;
                private int limit;
                private Sample next;

                @Override
                public boolean hasNext() {
                    try {
                        while (next == null) {
                            if (open != null && open.position() < limit) {
                                next = read();
                            } else if (!nextDomain()) {
                                return false;
                            }
                        }
                        return true;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
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

                private boolean nextDomain() throws IOException {
                    closeOpen();
                    if (++domain >= layouts.size()) {
                        return false;
                    }
                    Layout l = layouts.get(domain);
                    limit = Math.min(cap, l.count());
                    try {
                        open = new IdxImageStream(l.entry().images());
                    } catch (IOException e) {
                        // Read when the stream was opened, unreadable now (replaced, removed): that domain, not the stream.
                        if (limit > 0) {
                            skips.skip(SkipLog.Reason.UNREADABLE_DOMAIN, l.entry().images().toString(), "cannot be opened ("
                                    + e.getMessage() + "); the domain's " + limit + " images are lost", limit);
                        }
                    }
                    return true;
                }

                /** The next image of the open domain, or null when it is skipped. */
                private Sample read() throws IOException {
                    Layout l = layouts.get(domain);
                    int i = open.position();
                    byte[] chw;
                    try {
                        chw = open.next();
                    } catch (IOException e) {
                        // A malformed file or a corrupt gzip stream (ZipException): the rest of the domain, not the stream.
                        String why = e instanceof IdxFormatException ? e.getMessage() : "cannot be read (" + e + ")";
                        skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, l.entry().images() + " image " + i,
                                why + "; the rest of the domain is lost", limit - i);
                        closeQuietly();
                        return null;
                    }
                    int label = l.label(i);
                    if (manifest.classes().isPresent() && label >= manifest.classes().getAsInt()) {
                        skips.skip(SkipLog.Reason.LABEL_OUT_OF_RANGE, l.entry().labels() + " label " + i,
                                "label " + label + " is not below \"classes\": " + manifest.classes().getAsInt() + " of " + manifest.file());
                        return null;
                    }
                    float[] values = new float[chw.length];
                    for (int k = 0; k < chw.length; k++) {
                        values[k] = chw[k] & 0xFF;
                    }
                    Tensor t = new Tensor(DType.UINT8, new int[] {l.channels(), l.rows(), l.cols()}, values);
                    return new Sample(l.entry().name() + "/" + i, l.entry().name(), label, t, Map.of());
                }
            };
        }

        private void closeOpen() throws IOException {
            if (open != null) {
                IdxImageStream o = open;
                open = null;
                o.close();
            }
        }

        /** Closes a stream that failed; a failure to close it too is no news. */
        private void closeQuietly() {
            try {
                closeOpen();
            } catch (IOException ignored) {
                // the read failure is what was reported
            }
        }

        @Override
        public void close() {
            try {
                closeOpen();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
