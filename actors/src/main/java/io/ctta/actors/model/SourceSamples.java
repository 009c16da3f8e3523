package io.ctta.actors.model;

import io.ctta.actors.config.InvalidConfigException;
import io.ctta.runtime.data.InputBatch;
import io.ctta.runtime.data.SourceData;
import io.ctta.runtime.model.ModelSpec;
import io.ctta.streams.source.DatasetReaders;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.ReaderOptions;
import io.ctta.streams.source.Sample;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;

/**
 * Labelled samples of any dataset reader, as the model's input: what strategies that warm up or
 * replay source data (ecotta, rmt) and {@code ctta train} read. Each image is brought to the
 * model's input shape as a served record would be ({@link ModelSpec#toModelInput}).
 */
public final class SourceSamples {

    private SourceSamples() {}

    /** The first allocation, grown by doubling: datasets much smaller than the cap stay small. */
    private static final int INITIAL_SAMPLES = 256;
    /** The largest float array the JVM allocates. */
    private static final long MAX_VALUES = Integer.MAX_VALUE - 8;

    /**
     * Reads at most {@code max} samples of {@code format} at {@code location}; every label must be
     * one of the model's classes.
     *
     * @param key the setting that named the data, for errors
     * @throws InvalidConfigException when the data cannot be read or does not fit the model
     */
    public static SourceData load(String format, Path location, Map<String, String> options, int max, ModelSpec spec,
            String key) {
        return read(format, location, options, max, spec, true, key);
    }

    /**
     * As {@link #load}, but labels are not checked against the spec's classes: for reading the
     * data a model is about to be built for ({@code ctta train}), where only the spec's input
     * geometry matters.
     */
    public static SourceData loadAnyLabels(String format, Path location, Map<String, String> options, int max,
            ModelSpec geometry, String key) {
        return read(format, location, options, max, geometry, false, key);
    }

    private static SourceData read(String format, Path location, Map<String, String> options, int max, ModelSpec spec,
            boolean checkLabels, String key) {
        int[] shape = spec.inputShape();
        int per = InputBatch.sampleLength(shape);
        long maxSamples = Math.min(max, MAX_VALUES / per);
        try (DatasetSource source = DatasetReaders.load().open(format, location, ReaderOptions.of(options))) {
            int capacity = (int) Math.min(maxSamples, INITIAL_SAMPLES);
            float[] x = new float[capacity * per];
            int[] y = new int[capacity];
            int n = 0;
            Iterator<Sample> it = source.samples();
            while (it.hasNext() && n < max) {
                Sample s = it.next();
                if (checkLabels && s.label() >= spec.numClasses()) {
                    throw new InvalidConfigException(key, format + ":" + location, "labels below the model's "
                            + spec.numClasses() + " classes; " + s.id() + " has label " + s.label());
                }
                if (n == maxSamples) {
                    throw new InvalidConfigException(key, format + ":" + location, "at most " + maxSamples
                            + " samples of " + java.util.Arrays.toString(shape) + " (one Java array); lower the sample cap");
                }
                float[] in = spec.toModelInput(s.features().shape(), s.features().values());
                if (n == y.length) {
                    capacity = (int) Math.min(maxSamples, 2L * capacity);
                    x = java.util.Arrays.copyOf(x, capacity * per);
                    y = java.util.Arrays.copyOf(y, capacity);
                }
                System.arraycopy(in, 0, x, n * per, per);
                y[n++] = s.label();
            }
            if (n < 2) {
                throw new InvalidConfigException(key, format + ":" + location, "a dataset with at least 2 labelled samples, found " + n);
            }
            return new SourceData(n == y.length ? x : java.util.Arrays.copyOf(x, n * per), shape,
                    n == y.length ? y : java.util.Arrays.copyOf(y, n));
        } catch (InvalidConfigException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(key, "cannot read " + format + ":" + location + ": " + e.getMessage(), e);
        }
    }
}
