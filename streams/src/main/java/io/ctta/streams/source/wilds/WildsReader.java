package io.ctta.streams.source.wilds;

import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * A WILDS dataset as a dataset reader. The location is the {@code root_dir} given to the wilds package
 * (the directory that holds {@code <dataset>_v<version>/}) or that dataset directory itself.
 */
public abstract class WildsReader implements DatasetReader {

    private final WildsDataset dataset;

    WildsReader(WildsDataset dataset) {
        this.dataset = dataset;
    }

    /** {@code iwildcam}: iWildCam v2.0, camera traps, domains are locations. */
    public static final class IWildCam extends WildsReader {
        /** For ServiceLoader. */
        public IWildCam() {
            super(new IWildCamDataset());
        }
    }

    /** {@code camelyon17}: Camelyon17 v1.0, tissue patches, domains are hospitals. */
    public static final class Camelyon17 extends WildsReader {
        /** For ServiceLoader. */
        public Camelyon17() {
            super(new Camelyon17Dataset());
        }
    }

    /** {@code fmow}: FMoW v1.1, satellite images, domains are years or regions. */
    public static final class Fmow extends WildsReader {
        /** For ServiceLoader. */
        public Fmow() {
            super(new FmowDataset());
        }
    }

    @Override
    public String name() {
        return dataset.name();
    }

    @Override
    public String description() {
        return dataset.title() + " from the directory the wilds package downloads (" + dataset.directory() + "/"
                + dataset.metadataFile() + " and its images)";
    }

    @Override
    public String locationHelp() {
        return "the wilds root_dir holding " + dataset.directory() + "/ (or " + dataset.directory() + "/ itself)";
    }

    @Override
    public List<ReaderOption> options() {
        return WildsOptions.declarations(dataset);
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        WildsOptions parsed = WildsOptions.parse(options, dataset);
        Path dataDir = dataDir(location);
        SkipLog skips = new SkipLog(dataset.name());
        WildsIndex index = WildsIndex.build(dataset, dataDir, parsed, skips);
        return new WildsSource(dataset, dataDir, parsed, index, skips);
    }

    /** {@code location/<dataset>_v<version>} when it exists, else {@code location} when it holds the metadata file. */
    private Path dataDir(Path location) throws NoSuchFileException {
        if (location == null) {
            throw new IllegalArgumentException("format " + name() + " needs --data DIR: " + locationHelp());
        }
        Path nested = location.resolve(dataset.directory());
        if (Files.isRegularFile(nested.resolve(dataset.metadataFile()))) {
            return nested;
        }
        if (Files.isRegularFile(location.resolve(dataset.metadataFile()))) {
            return location;
        }
        throw new NoSuchFileException(nested.resolve(dataset.metadataFile()).toString(), null,
                "not a " + dataset.title() + " download: expected " + dataset.directory() + "/" + dataset.metadataFile()
                        + " under " + location + " (the root_dir the wilds package downloaded to)");
    }
}
