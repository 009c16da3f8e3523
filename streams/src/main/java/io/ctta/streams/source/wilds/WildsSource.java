package io.ctta.streams.source.wilds;

import io.ctta.streams.image.DecodedImage;
import io.ctta.streams.record.MetadataKeys;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ItemSource;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/** An opened WILDS dataset: the index, and one pass that decodes each image when it is reached. */
final class WildsSource extends ItemSource<WildsItem> {

    private final WildsDataset dataset;
    private final Path dataDir;
    private final WildsOptions options;
    private final WildsIndex index;
    private final SkipLog skips;
    private final List<DomainInfo> domains;
    private final List<String> metadataKeys;

    WildsSource(WildsDataset dataset, Path dataDir, WildsOptions options, WildsIndex index, SkipLog skips) {
        this.dataset = dataset;
        this.dataDir = dataDir;
        this.options = options;
        this.index = index;
        this.skips = skips;
        List<DomainInfo> d = new ArrayList<>(index.domains().size());
        for (WildsIndex.Domain domain : index.domains()) {
            d.add(new DomainInfo(domain.name(), domain.items().size()));
        }
        this.domains = List.copyOf(d);
        this.metadataKeys = dataset.metadataKeys();
    }

    @Override
    public String description() {
        return String.format(Locale.ROOT, "%s at %s: split %s, %d domains by %s ordered by %s, %d images, %s",
                dataset.title(), dataDir, String.join("+", options.splits()), domains.size(), options.domainField(),
                options.order().name().toLowerCase(Locale.ROOT), DomainInfo.total(domains), options.image().describe());
    }

    @Override
    public List<DomainInfo> domains() {
        return domains;
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
    protected List<WildsItem> items(int domain) {
        return index.domains().get(domain).items();
    }

    /** The image file and its metadata row, e.g. {@code /data/iwildcam_v2.0/train/x.jpg (metadata.csv line 17)}. */
    @Override
    protected String where(int domain, WildsItem item) {
        return dataDir.resolve(item.file()) + " (" + dataset.metadataFile() + " line " + item.line() + ")";
    }

    /**
     * The sample of {@code item}, or {@code null} when its image is missing, undecodable or too large for
     * a record (skipped).
     */
    @Override
    protected Sample sample(int domain, WildsItem item) {
        Path file = dataDir.resolve(item.file());
        DecodedImage image = options.image().decodeOrSkip(file, () -> where(domain, item), skips, maxRecordBytes());
        if (image == null) {
            return null;
        }
        Map<String, String> metadata = new TreeMap<>();
        metadata.put(MetadataKeys.DATASET, dataset.directory());
        metadata.put(MetadataKeys.SOURCE, item.file());
        metadata.put(MetadataKeys.SOURCE_LINE, Long.toString(item.line()));
        metadata.put(MetadataKeys.SPLIT, item.split());
        for (int i = 0; i < metadataKeys.size(); i++) {
            metadata.put(metadataKeys.get(i), item.values()[i]);
        }
        return new Sample(dataset.directory() + "/" + item.file(), item.domain(), item.label(), image.toTensor(), metadata);
    }
}
