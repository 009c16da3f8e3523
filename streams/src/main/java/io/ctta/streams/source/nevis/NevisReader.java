package io.ctta.streams.source.nevis;

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
import io.ctta.streams.source.folder.ClassFolders;
import io.ctta.streams.source.folder.FolderItem;
import io.ctta.streams.source.folder.FolderOrder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * {@code nevis}: a NEVIS'22 stream variant, task after task in the published order, over the datasets
 * on disk (one class-folder dataset per benchmark name, mapped by {@code nevis-datasets.json}).
 *
 * <p>Labels: one global label space. Each distinct dataset gets the next block of labels when it first
 * appears in the stream: global label = the task's offset + the class's position among the dataset's
 * sorted class folders. A dataset the stream repeats (MNIST in 2004 and 2018) keeps its block, so the
 * learner meets the same classes again. Every record carries {@code task.id}, {@code task.name},
 * {@code task.year}, {@code task.label-offset} and {@code task.classes}. A task whose dataset is not on
 * disk is reported in the skip log and left out; no other dataset stands in for it.
 */
public final class NevisReader implements DatasetReader {

    @Override
    public String name() {
        return "nevis";
    }

    @Override
    public String description() {
        return "NEVIS'22 task stream (google-deepmind/dm_nevis nevis_stream.py order) over class-folder datasets on disk";
    }

    @Override
    public String locationHelp() {
        return "the folder holding " + NevisMapping.FILE + " and the dataset folders it names";
    }

    @Override
    public List<ReaderOption> options() {
        List<ReaderOption> out = new ArrayList<>();
        out.add(new ReaderOption("variant", "full", "full, short, tiny, debug, imagenet_only, major_domain_only or large_dataset_only"));
        out.add(new ReaderOption("stop-year", Integer.toString(NevisStream.DEFAULT_STOP_YEAR),
                "leave out tasks of this year and later (the benchmark's default 2020; 2022 replays every task)"));
        out.add(new ReaderOption("mapping", NevisMapping.FILE, "the dataset-name-to-folder file, relative to the root"));
        out.addAll(FolderOrder.declarations());
        out.addAll(ImageOptions.declarations(ColorMode.AUTO, "the datasets mix grey and colour images"));
        return out;
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        if (location == null) {
            throw new IllegalArgumentException("format nevis needs --data DIR: " + locationHelp());
        }
        NevisStream.Variant variant;
        try {
            variant = NevisStream.variant(options.text("variant", "full"));
        } catch (IllegalArgumentException e) {
            throw ReaderOptions.bad("variant", options.text("variant", ""), "one of full, short, tiny, debug, imagenet_only,"
                    + " major_domain_only, large_dataset_only");
        }
        int stopYear = options.integer("stop-year", NevisStream.DEFAULT_STOP_YEAR, 1900, 3000);
        FolderOrder order = FolderOrder.from(options);
        ImageOptions image = ImageOptions.from(options, ColorMode.AUTO);
        Map<String, Path> mapping = NevisMapping.read(location, location.resolve(options.text("mapping", NevisMapping.FILE)));

        SkipLog skips = new SkipLog("nevis");
        List<NevisStream.Task> all = NevisStream.tasks(variant, stopYear);
        List<TaskOnDisk> present = new ArrayList<>();
        Map<String, int[]> blocks = new HashMap<>();
        int nextOffset = 0;
        for (NevisStream.Task t : all) {
            Path folder = mapping.get(t.name());
            String missing = null;
            List<String> classes = List.of();
            long count = 0;
            if (folder == null) {
                missing = "'" + t.name() + "' is not in " + NevisMapping.FILE;
            } else if (!Files.isDirectory(folder)) {
                missing = "its folder " + folder + " does not exist";
            } else {
                classes = ClassFolders.classes(folder);
                for (String c : classes) {
                    count += ClassFolders.count(folder.resolve(c));
                }
                if (count == 0) {
                    missing = "its folder " + folder + " holds no class folders with images";
                }
            }
            if (missing != null) {
                skips.skip(SkipLog.Reason.MISSING_TASK, "task " + t.index() + " " + t.label(), missing + "; the task is left out");
                continue;
            }
            int[] block = blocks.get(t.name());
            if (block == null) {
                block = new int[] {nextOffset, classes.size()};
                blocks.put(t.name(), block);
                nextOffset += classes.size();
            }
            present.add(new TaskOnDisk(t, folder, classes, block[0], Math.min(order.cap(), count)));
        }
        if (present.isEmpty()) {
            throw new NoSuchFileException(location.toString(), null, "none of the " + all.size() + " tasks of NEVIS'22 "
                    + variant + " before " + stopYear + " is on disk; " + skips.summary());
        }
        return new Source(location, variant, stopYear, all.size(), present, nextOffset, order, image, skips);
    }

    /** A task whose dataset is on disk, with its block of the global label space. */
    private record TaskOnDisk(NevisStream.Task task, Path folder, List<String> classes, int offset, long count) {
        Map<String, String> metadata() {
            return Map.of(MetadataKeys.TASK_ID, Integer.toString(task.index()), MetadataKeys.TASK_NAME, task.name(),
                    MetadataKeys.TASK_YEAR, Integer.toString(task.year()), MetadataKeys.TASK_LABEL_OFFSET, Integer.toString(offset),
                    MetadataKeys.TASK_CLASSES, Integer.toString(classes.size()));
        }
    }

    /** The opened stream. */
    private static final class Source extends ItemSource<FolderItem> {
        private final Path root;
        private final NevisStream.Variant variant;
        private final int stopYear;
        private final int published;
        private final List<TaskOnDisk> tasks;
        private final int classes;
        private final FolderOrder order;
        private final ImageOptions image;
        private final SkipLog skips;
        private final List<DomainInfo> domains;

        Source(Path root, NevisStream.Variant variant, int stopYear, int published, List<TaskOnDisk> tasks, int classes,
                FolderOrder order, ImageOptions image, SkipLog skips) {
            this.root = root;
            this.variant = variant;
            this.stopYear = stopYear;
            this.published = published;
            this.tasks = List.copyOf(tasks);
            this.classes = classes;
            this.order = order;
            this.image = image;
            this.skips = skips;
            List<DomainInfo> d = new ArrayList<>();
            for (TaskOnDisk t : tasks) {
                d.add(new DomainInfo(t.task().label(), t.count(), t.metadata()));
            }
            this.domains = List.copyOf(d);
        }

        @Override
        public String description() {
            return String.format(Locale.ROOT, "NEVIS'22 %s before %d at %s: %d of %d tasks on disk, %d classes, %d images, %s, %s",
                    variant, stopYear, root, tasks.size(), published, classes, DomainInfo.total(domains), order.describe(),
                    image.describe());
        }

        @Override
        public List<DomainInfo> domains() {
            return domains;
        }

        @Override
        public OptionalInt classes() {
            return OptionalInt.of(classes);
        }

        @Override
        public SkipLog skips() {
            return skips;
        }

        @Override
        protected List<FolderItem> items(int domain) throws IOException {
            TaskOnDisk t = tasks.get(domain);
            // The task index as salt: a repeated dataset is replayed in a different order the second time.
            return order.items(root, t.folder(), t.classes(), t.task().index());
        }

        /** The file and its task, e.g. {@code /data/nevis/mnist/train/3/17.png (task 0 MNIST (2004))}. */
        @Override
        protected String where(int domain, FolderItem item) {
            TaskOnDisk t = tasks.get(domain);
            return item.file() + " (task " + t.task().index() + " " + t.task().label() + ")";
        }

        @Override
        protected Sample sample(int domain, FolderItem item) {
            TaskOnDisk t = tasks.get(domain);
            DecodedImage decoded = image.decodeOrSkip(item.file(), () -> where(domain, item), skips, maxRecordBytes());
            if (decoded == null) {
                return null;
            }
            Map<String, String> metadata = new TreeMap<>(t.metadata());
            metadata.put(MetadataKeys.SOURCE, item.relative());
            metadata.put(MetadataKeys.CLASS, item.className());
            return new Sample("nevis/" + t.task().index() + "/" + item.relative(), t.task().label(), t.offset() + item.label(),
                    decoded.toTensor(), metadata);
        }
    }
}
