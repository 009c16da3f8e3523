package io.ctta.streams.source.folder;

import io.ctta.streams.image.ColorMode;
import io.ctta.streams.image.DecodedImage;
import io.ctta.streams.record.MetadataKeys;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.ImageOptions;
import io.ctta.streams.source.ItemSource;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import io.ctta.streams.source.SkipLog;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code image-folder}: a labelled image folder, ImageNet-style. {@code layout=classes}:
 * {@code <root>/<class>/<image>}, one domain named after the root. {@code layout=domains}:
 * {@code <root>/<domain>/<class>/<image>}, one domain per sub-folder. The classes are the union of the
 * class folder names, sorted, and a label is a class's position in that list, the same in every domain.
 */
public final class ImageFolderReader implements DatasetReader {

    @Override
    public String name() {
        return "image-folder";
    }

    @Override
    public String description() {
        return "a labelled image folder (torchvision ImageFolder layout: class sub-folders, optionally one folder level of domains above)";
    }

    @Override
    public String locationHelp() {
        return "the folder holding the class folders (layout=classes) or the domain folders (layout=domains)";
    }

    @Override
    public List<ReaderOption> options() {
        List<ReaderOption> out = new ArrayList<>();
        out.add(new ReaderOption("layout", "classes", "classes (<root>/<class>/<image>) or domains (<root>/<domain>/<class>/<image>)"));
        out.add(new ReaderOption("domains", "all, sorted", "layout=domains: the domain folders to replay, in this order, comma-separated"));
        out.addAll(FolderOrder.declarations());
        out.addAll(ImageOptions.declarations(ColorMode.AUTO, "grey images stay grey"));
        return out;
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        if (location == null) {
            throw new IllegalArgumentException("format image-folder needs --data DIR: " + locationHelp());
        }
        if (!Files.isDirectory(location)) {
            throw new NoSuchFileException(location.toString(), null, "image-folder: the folder does not exist");
        }
        boolean byDomain = options.choice("layout", "classes", List.of("classes", "domains")).equals("domains");
        FolderOrder order = FolderOrder.from(options);
        ImageOptions image = ImageOptions.from(options, ColorMode.AUTO);
        List<String> names;
        List<Path> dirs = new ArrayList<>();
        if (byDomain) {
            List<String> present = ClassFolders.classes(location);
            names = options.list("domains", present, d -> {
                if (!present.contains(d)) {
                    throw new IllegalArgumentException("'" + d + "' is not a folder of " + location + "; its folders are " + present);
                }
                return d;
            });
            for (String n : names) {
                dirs.add(location.resolve(n));
            }
        } else {
            if (options.has("domains")) {
                throw new IllegalArgumentException("option domains is for layout=domains; add --option layout=domains");
            }
            Path name = location.toAbsolutePath().normalize().getFileName();
            names = List.of(name == null ? "images" : name.toString());
            dirs.add(location);
        }
        TreeSet<String> classes = new TreeSet<>();
        for (Path d : dirs) {
            classes.addAll(ClassFolders.classes(d));
        }
        if (classes.isEmpty()) {
            throw new NoSuchFileException(location.toString(), null, "image-folder: no class folders"
                    + (byDomain ? " inside the domain folders" : "") + "; expected " + locationHelp());
        }
        List<DomainInfo> domains = new ArrayList<>();
        for (int i = 0; i < names.size(); i++) {
            long n = 0;
            for (String c : ClassFolders.classes(dirs.get(i))) {
                n += ClassFolders.count(dirs.get(i).resolve(c));
            }
            domains.add(new DomainInfo(names.get(i), Math.min(order.cap(), n)));
        }
        return new Source(location, dirs, domains, List.copyOf(classes), order, image);
    }

    /** The opened folder. */
    private static final class Source extends ItemSource<FolderItem> {
        private final Path root;
        private final List<Path> dirs;
        private final List<DomainInfo> domains;
        private final List<String> classes;
        private final FolderOrder order;
        private final ImageOptions image;
        private final SkipLog skips = new SkipLog("image-folder");
        private final String rootName;

        Source(Path root, List<Path> dirs, List<DomainInfo> domains, List<String> classes, FolderOrder order, ImageOptions image) {
            this.root = root;
            this.dirs = List.copyOf(dirs);
            this.domains = List.copyOf(domains);
            this.classes = classes;
            this.order = order;
            this.image = image;
            Path name = root.toAbsolutePath().normalize().getFileName();
            this.rootName = name == null ? "images" : name.toString();
        }

        @Override
        public String description() {
            return String.format(Locale.ROOT, "image folder %s: %d domains, %d classes, %d images, %s, %s", root, domains.size(),
                    classes.size(), DomainInfo.total(domains), order.describe(), image.describe());
        }

        @Override
        public List<DomainInfo> domains() {
            return domains;
        }

        @Override
        public OptionalInt classes() {
            return OptionalInt.of(classes.size());
        }

        @Override
        public SkipLog skips() {
            return skips;
        }

        @Override
        protected List<FolderItem> items(int domain) throws IOException {
            return order.items(root, dirs.get(domain), classes, domain);
        }

        @Override
        protected String where(int domain, FolderItem item) {
            return item.file().toString();
        }

        @Override
        protected Sample sample(int domain, FolderItem item) {
            DecodedImage decoded = image.decodeOrSkip(item.file(), () -> where(domain, item), skips, maxRecordBytes());
            if (decoded == null) {
                return null;
            }
            Map<String, String> metadata = new TreeMap<>();
            metadata.put(MetadataKeys.SOURCE, item.relative());
            metadata.put(MetadataKeys.CLASS, item.className());
            return new Sample(rootName + "/" + item.relative(), domains.get(domain).name(), item.label(), decoded.toTensor(), metadata);
        }
    }
}
