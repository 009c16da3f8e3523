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

    /**
     * Reads at most {@code max} samples of {@code format} at {@code location}.
     *
     * @param key the setting that named the data, for errors
     * @throws InvalidConfigException when the data cannot be read or does not fit the model
     */
    public static SourceData load(String format, Path location, Map<String, String> options, int max, ModelSpec spec,
            String key) {
        int[] shape = spec.inputShape();
        int per = InputBatch.sampleLength(shape);
        try (DatasetSource source = DatasetReaders.load().open(format, location, ReaderOptions.of(options))) {
            float[] x = new float[Math.min(max, 1 << 16) * per];
            int[] y = new int[x.length / per];
            int n = 0;
            Iterator<Sample> it = source.samples();
            while (it.hasNext() && n < max) {
                Sample s = it.next();
                if (s.label() >= spec.numClasses()) {
                    throw new InvalidConfigException(key, format + ":" + location, "labels below the model's "
                            + spec.numClasses() + " classes; " + s.id() + " has label " + s.label());
                }
                float[] in = spec.toModelInput(s.features().shape(), s.features().values());
                if (n == y.length) {
                    x = java.util.Arrays.copyOf(x, x.length * 2);
                    y = java.util.Arrays.copyOf(y, y.length * 2);
                }
                System.arraycopy(in, 0, x, n * per, per);
                y[n++] = s.label();
            }
            if (n < 2) {
                throw new InvalidConfigException(key, format + ":" + location, "a dataset with at least 2 labelled samples, found " + n);
            }
            return new SourceData(java.util.Arrays.copyOf(x, n * per), shape, java.util.Arrays.copyOf(y, n));
        } catch (InvalidConfigException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(key, "cannot read " + format + ":" + location + ": " + e.getMessage(), e);
        }
    }
}
