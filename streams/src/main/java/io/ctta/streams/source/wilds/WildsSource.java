package io.ctta.streams.source.wilds;

import io.ctta.streams.image.DecodedImage;
import io.ctta.streams.image.ImageDecodeException;
import io.ctta.streams.record.MetadataKeys;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.OptionalInt;
import java.util.TreeMap;

/** An opened WILDS dataset: the index, and one pass that decodes each image when it is reached. */
final class WildsSource implements DatasetSource {

    private final WildsDataset dataset;
    private final Path dataDir;
    private final WildsOptions options;
    private final WildsIndex index;
    private final SkipLog skips;
    private boolean started;

    WildsSource(WildsDataset dataset, Path dataDir, WildsOptions options, WildsIndex index, SkipLog skips) {
        this.dataset = dataset;
        this.dataDir = dataDir;
        this.options = options;
        this.index = index;
        this.skips = skips;
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "%s at %s: split %s, %d domains by %s ordered by %s, %d images, %s",
                dataset.title(), dataDir, String.join("+", options.splits()), index.domains().size(), options.domainField(),
                options.order().name().toLowerCase(Locale.ROOT), DomainInfo.total(domains()), options.image().describe());
    }

    @Override
    public List<DomainInfo> domains() {
        List<DomainInfo> out = new ArrayList<>(index.domains().size());
        for (WildsIndex.Domain d : index.domains()) {
            out.add(new DomainInfo(d.name(), d.items().size()));
        }
        return out;
    }

    @Override
    public OptionalInt classes() {
        return index.classes();
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
            private int domain;
            private int item;
            private Sample next;

            @Override
            public boolean hasNext() {
                while (next == null && domain < index.domains().size()) {
                    WildsIndex.Domain d = index.domains().get(domain);
                    if (item >= d.items().size()) {
                        domain++;
                        item = 0;
                        continue;
                    }
                    next = sample(d.items().get(item++));
                }
                return next != null;
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

    /** The sample of {@code item}, or {@code null} when its image is missing or undecodable (skipped). */
    private Sample sample(WildsItem item) {
        Path file = dataDir.resolve(item.file());
        String where = file + " (" + dataset.metadataFile() + " line " + item.line() + ")";
        DecodedImage image;
        try {
            image = options.image().decode(file);
        } catch (NoSuchFileException e) {
            skips.skip(SkipLog.Reason.MISSING_FILE, where, "the file does not exist");
            return null;
        } catch (ImageDecodeException e) {
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where, e.getMessage());
            return null;
        } catch (IOException e) {
            skips.skip(SkipLog.Reason.UNDECODABLE_IMAGE, where, "cannot be read: " + e);
            return null;
        }
        Map<String, String> metadata = new TreeMap<>();
        metadata.put(MetadataKeys.DATASET, dataset.directory());
        metadata.put(MetadataKeys.SOURCE, item.file());
        metadata.put(MetadataKeys.SOURCE_LINE, Long.toString(item.line()));
        metadata.put(MetadataKeys.SPLIT, item.split());
        List<String> keys = dataset.metadataKeys();
        for (int i = 0; i < keys.size(); i++) {
            metadata.put(keys.get(i), item.values()[i]);
        }
        return new Sample(dataset.directory() + "/" + item.file(), item.domain(), item.label(), image.toTensor(), metadata);
    }
}
