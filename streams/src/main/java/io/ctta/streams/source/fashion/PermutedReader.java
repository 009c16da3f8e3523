package io.ctta.streams.source.fashion;

import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.data.PermutedStreams;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainInfo;
import io.ctta.streams.source.DomainListSource;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.function.IntFunction;

/**
 * The permuted continual streams of {@link PermutedStreams} over the Fashion-MNIST training set, one
 * domain per task: {@code label-permuted} and {@code input-permuted}.
 */
public abstract class PermutedReader implements DatasetReader {

    private final String kind;

    PermutedReader(String kind) {
        this.kind = kind;
    }

    /** {@code label-permuted}: classes relabelled by a fresh permutation every task. */
    public static final class Labels extends PermutedReader {
        /** For ServiceLoader. */
        public Labels() {
            super("label-permuted");
        }
    }

    /** {@code input-permuted}: pixels rearranged by a fresh permutation every task. */
    public static final class Inputs extends PermutedReader {
        /** For ServiceLoader. */
        public Inputs() {
            super("input-permuted");
        }
    }

    @Override
    public String name() {
        return kind;
    }

    @Override
    public String description() {
        return "Fashion-MNIST training set, " + (kind.equals("label-permuted") ? "labels" : "pixels")
                + " permuted every task (Elsayed & Mahmood 2024), one domain per task";
    }

    @Override
    public String locationHelp() {
        return FashionMnistFiles.LOCATION_HELP;
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(new ReaderOption("tasks", "100", "number of tasks"),
                new ReaderOption("task-length", "256", "samples per task"),
                FashionMnistFiles.seed("the sample orders and the permutations"));
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        int tasks = options.integer("tasks", 100, 1, 1_000_000);
        int taskLength = options.integer("task-length", 256, 1, Integer.MAX_VALUE);
        long seed = options.longValue("seed", 1L);
        LabeledImages train = FashionMnistFiles.load(location, FashionMnist.Split.TRAIN);
        // Task k is built when the pass reaches it (each task is seeded on its own, so the records are those of
        // the whole list PermutedStreams.labelPermuted/inputPermuted returns): up to 10^6 tasks are never in memory at once.
        IntFunction<Domain> task = kind.equals("label-permuted")
                ? PermutedStreams.labelPermutedTasks(train, tasks, taskLength, FashionMnistFiles.CLASSES, seed)
                : PermutedStreams.inputPermutedTasks(train, tasks, taskLength, seed);
        return DomainListSource.lazy(String.format(Locale.ROOT, "Fashion-MNIST %s, %d tasks of %d samples", kind, tasks,
                taskLength), new TaskInfos(kind, tasks, taskLength), task, FashionMnistFiles.CLASSES);
    }

    /** The tasks' names and sizes, computed when asked for rather than held. */
    private static final class TaskInfos extends AbstractList<DomainInfo> implements RandomAccess {
        private final String kind;
        private final int tasks;
        private final int taskLength;

        TaskInfos(String kind, int tasks, int taskLength) {
            this.kind = kind;
            this.tasks = tasks;
            this.taskLength = taskLength;
        }

        @Override
        public DomainInfo get(int k) {
            Objects.checkIndex(k, tasks);
            return new DomainInfo(PermutedStreams.taskName(kind, k, tasks), taskLength);
        }

        @Override
        public int size() {
            return tasks;
        }
    }
}
