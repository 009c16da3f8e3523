package io.ctta.streams.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.IntFunction;

/**
 * The permuted continual-learning streams of the UPGD paper (Elsayed and Mahmood, ICLR 2024;
 * docs/continual-benchmark.md), over any labelled image set (Fashion-MNIST here):
 *
 * <ul>
 *   <li><b>Label-permuted</b>: every {@code samplesPerTask} samples the classes are relabelled by a
 *       fresh random permutation; the images stay as they are. The inputs are stationary and the
 *       features stay reusable, so a learner that keeps them (and only remaps its head) improves from
 *       task to task, while one that forgets or loses plasticity does not.</li>
 *   <li><b>Input-permuted</b>: every {@code samplesPerTask} samples the pixels of every image are
 *       rearranged by a fresh random permutation; the labels stay as they are. Each task needs new
 *       features of equal difficulty, which exposes loss of plasticity.</li>
 * </ul>
 *
 * <p>As in the reference code ({@code core/task/label_permuted_emnist.py},
 * {@code input_permuted_mnist.py}), every task starts a fresh shuffled pass over the source set
 * (wrapping into further shuffled passes when a task is longer than the set), and the first task is
 * permuted too. The reference composes each label permutation with the previous one; a uniformly
 * random permutation composed with any fixed one is again uniform, so drawing each task's
 * permutation afresh gives the same distribution and lets any task be rebuilt on its own.
 *
 * <p>Everything is a function of {@code (source, tasks, samplesPerTask, seed)}: task {@code k} draws
 * its sample order and its permutation from seeds mixed from {@code (seed, k)}. Tasks are returned
 * as {@link Domain}s named {@code label-permuted-0000}, ..., so they replay through Kafka like any
 * other stream (the domain tag is the task); delaying labels is the replay side's job.
 */
public final class PermutedStreams {

    private static final long ORDER = 0x4F52_4445_5200_0000L; // salts: "ORDER", "PERM"
    private static final long PERMUTATION = 0x5045_524D_0000_0000L;

    private PermutedStreams() {}

    /**
     * The label-permuted stream.
     *
     * @param source the labelled images to draw from (e.g. the Fashion-MNIST training set)
     * @param tasks number of tasks ({@code >= 1}); the stream has {@code tasks - 1} switches
     * @param samplesPerTask samples per task ({@code >= 1}); may exceed the source size
     * @param numClasses the number of classes; every label must be below it
     * @param seed root seed
     * @throws IllegalArgumentException for empty sources, non-positive sizes or out-of-range labels
     */
    public static List<Domain> labelPermuted(LabeledImages source, int tasks, int samplesPerTask, int numClasses,
            long seed) {
        return all(labelPermutedTasks(source, tasks, samplesPerTask, numClasses, seed), tasks);
    }

    /**
     * The tasks of {@link #labelPermuted}, each built when it is asked for (task {@code k} is element
     * {@code k} of that list, equal to it), so a long stream is never in memory at once. The arguments are
     * checked here, once.
     *
     * @return task {@code k} for {@code 0 <= k < tasks}
     * @throws IllegalArgumentException as {@link #labelPermuted}
     */
    public static IntFunction<Domain> labelPermutedTasks(LabeledImages source, int tasks, int samplesPerTask, int numClasses,
            long seed) {
        check(source, tasks, samplesPerTask);
        if (numClasses < 2) {
            throw new IllegalArgumentException("numClasses must be >= 2, got " + numClasses);
        }
        for (int i = 0; i < source.count(); i++) {
            if (source.labels()[i] >= numClasses) {
                throw new IllegalArgumentException("label " + source.labels()[i] + " of image " + i
                        + " is not below numClasses = " + numClasses);
            }
        }
        return k -> {
            Objects.checkIndex(k, tasks);
            LabeledImages part = source.select(taskSamples(source.count(), samplesPerTask, seed, k));
            int[] perm = labelPermutation(seed, k, numClasses);
            int[] labels = part.labels();
            for (int i = 0; i < labels.length; i++) {
                labels[i] = perm[labels[i]];
            }
            return new Domain(taskName("label-permuted", k, tasks), part);
        };
    }

    /**
     * The input-permuted stream (pixels permuted per task; labels unchanged).
     *
     * @param source the labelled images to draw from
     * @param tasks number of tasks ({@code >= 1})
     * @param samplesPerTask samples per task ({@code >= 1}); may exceed the source size
     * @param seed root seed
     */
    public static List<Domain> inputPermuted(LabeledImages source, int tasks, int samplesPerTask, long seed) {
        return all(inputPermutedTasks(source, tasks, samplesPerTask, seed), tasks);
    }

    /**
     * The tasks of {@link #inputPermuted}, each built when it is asked for (task {@code k} equals element
     * {@code k} of that list). The arguments are checked here, once.
     *
     * @return task {@code k} for {@code 0 <= k < tasks}
     */
    public static IntFunction<Domain> inputPermutedTasks(LabeledImages source, int tasks, int samplesPerTask, long seed) {
        check(source, tasks, samplesPerTask);
        int n = source.imageSize();
        return k -> {
            Objects.checkIndex(k, tasks);
            LabeledImages part = source.select(taskSamples(source.count(), samplesPerTask, seed, k));
            int[] perm = pixelPermutation(seed, k, n);
            byte[] src = part.pixels();
            byte[] dst = new byte[src.length];
            for (int i = 0; i < part.count(); i++) {
                int base = i * n;
                // New pixel p takes old pixel perm[p], as the reference's x.view(-1)[idx].
                for (int p = 0; p < n; p++) {
                    dst[base + p] = src[base + perm[p]];
                }
            }
            return new Domain(taskName("input-permuted", k, tasks),
                    new LabeledImages(part.count(), part.rows(), part.cols(), dst, part.labels()));
        };
    }

    private static List<Domain> all(IntFunction<Domain> task, int tasks) {
        List<Domain> out = new ArrayList<>(tasks);
        for (int k = 0; k < tasks; k++) {
            out.add(task.apply(k));
        }
        return List.copyOf(out);
    }

    /**
     * The class permutation of task {@code task}: a sample of class {@code c} is labelled
     * {@code perm[c]}.
     */
    public static int[] labelPermutation(long seed, int task, int numClasses) {
        return permutation(numClasses, mix(seed ^ PERMUTATION, task));
    }

    /** The pixel permutation of task {@code task}: new pixel {@code p} is old pixel {@code perm[p]}. */
    public static int[] pixelPermutation(long seed, int task, int pixels) {
        return permutation(pixels, mix(seed ^ PERMUTATION, task));
    }

    /**
     * The source indices of task {@code task}: fresh seeded shuffled passes over {@code 0..count-1},
     * concatenated until {@code n} indices are drawn.
     */
    static int[] taskSamples(int count, int n, long seed, int task) {
        SplittableRandom rng = new SplittableRandom(mix(seed ^ ORDER, task));
        int[] out = new int[n];
        int[] pass = new int[count];
        int filled = 0;
        while (filled < n) {
            for (int i = 0; i < count; i++) {
                pass[i] = i;
            }
            shuffle(pass, rng);
            int take = Math.min(count, n - filled);
            System.arraycopy(pass, 0, out, filled, take);
            filled += take;
        }
        return out;
    }

    private static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        shuffle(p, new SplittableRandom(seed));
        return p;
    }

    /** Fisher-Yates. */
    private static void shuffle(int[] a, SplittableRandom rng) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static long mix(long seed, int task) {
        return Corruptor.mix64(seed ^ Corruptor.mix64(task + 1L));
    }

    /**
     * The name of task {@code task} of {@code tasks}: {@code <kind>-0007}, zero-padded to at least four
     * digits and to the width of the last task's number.
     *
     * @param kind {@code label-permuted} or {@code input-permuted}
     */
    public static String taskName(String kind, int task, int tasks) {
        int width = Math.max(4, Integer.toString(tasks - 1).length());
        return String.format(Locale.ROOT, "%s-%0" + width + "d", kind, task);
    }

    private static void check(LabeledImages source, int tasks, int samplesPerTask) {
        if (source.count() == 0) {
            throw new IllegalArgumentException("source has no images");
        }
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be >= 1, got " + tasks);
        }
        if (samplesPerTask < 1) {
            throw new IllegalArgumentException("samplesPerTask must be >= 1, got " + samplesPerTask);
        }
        if ((long) samplesPerTask * source.imageSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("samplesPerTask " + samplesPerTask + " is too large for one array");
        }
    }
}
