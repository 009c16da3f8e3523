package io.ctta.streams.source.folder;

import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The order of one folder domain's images and its cap. A class-folder listing is sorted by class, so
 * replaying it as listed would show one class after another; {@code shuffled} (the default) gives a
 * seeded random order, and a cap then draws a uniform sample instead of the first classes.
 *
 * @param shuffled whether to shuffle (else class by class, files sorted)
 * @param seed     the shuffle's seed
 * @param cap      most images per domain
 */
public record FolderOrder(boolean shuffled, long seed, int cap) {

    /** The option declarations: order, seed, samples-per-domain. */
    public static List<ReaderOption> declarations() {
        return List.of(new ReaderOption("order", "shuffled", "shuffled (seeded; classes interleaved) or sorted (class by class, files by name)"),
                new ReaderOption("seed", "0", "seed of the shuffle"),
                new ReaderOption("samples-per-domain", "all", "most images per domain (a uniform sample when shuffled)"));
    }

    /** Parses the three options. */
    public static FolderOrder from(ReaderOptions options) {
        return new FolderOrder(options.choice("order", "shuffled", List.of("shuffled", "sorted")).equals("shuffled"),
                options.longValue("seed", 0L), options.cap("samples-per-domain", Integer.MAX_VALUE));
    }

    /**
     * The images of the classes of {@code domainDir} that appear in {@code classes}, labelled by their
     * position there, in this order and capped.
     *
     * @param root     the dataset root, for relative paths
     * @param salt     mixed into the seed so that domains get different orders
     */
    public List<FolderItem> items(Path root, Path domainDir, List<String> classes, long salt) throws IOException {
        List<FolderItem> out = new ArrayList<>();
        for (String c : ClassFolders.classes(domainDir)) {
            int label = classes.indexOf(c);
            if (label < 0) {
                continue;
            }
            for (Path f : ClassFolders.images(domainDir.resolve(c))) {
                out.add(new FolderItem(f, root.relativize(f).toString().replace('\\', '/'), label, c));
            }
        }
        if (shuffled) {
            SplittableRandom rng = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + salt);
            for (int i = out.size() - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1);
                FolderItem t = out.get(i);
                out.set(i, out.get(j));
                out.set(j, t);
            }
        }
        return out.size() > cap ? List.copyOf(out.subList(0, cap)) : List.copyOf(out);
    }

    /** "shuffled (seed 0)" or "sorted". */
    public String describe() {
        return shuffled ? String.format(Locale.ROOT, "shuffled (seed %d)", seed) : "sorted";
    }
}
