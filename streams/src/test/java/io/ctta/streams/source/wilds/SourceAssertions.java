package io.ctta.streams.source.wilds;

import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.Sample;
import java.util.ArrayList;
import java.util.List;

/** Reads a whole (small) source for assertions. */
final class SourceAssertions {

    private SourceAssertions() {
    }

    static List<Sample> all(DatasetSource s) {
        List<Sample> out = new ArrayList<>();
        s.samples().forEachRemaining(out::add);
        return out;
    }

    static List<String> ids(List<Sample> samples) {
        return samples.stream().map(Sample::id).toList();
    }

    static List<String> domainsOf(List<Sample> samples) {
        return samples.stream().map(Sample::domain).distinct().toList();
    }

    /** Mean of channel {@code c} of a {@code [C, H, W]} sample. */
    static double mean(Sample s, int c) {
        int[] shape = s.features().shape();
        int plane = shape[1] * shape[2];
        double sum = 0;
        for (int i = 0; i < plane; i++) {
            sum += s.features().values()[c * plane + i];
        }
        return sum / plane;
    }
}
