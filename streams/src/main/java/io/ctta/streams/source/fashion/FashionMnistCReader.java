package io.ctta.streams.source.fashion;

import io.ctta.streams.data.Corruption;
import io.ctta.streams.data.CorruptionStream;
import io.ctta.streams.data.Domain;
import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.source.DatasetReader;
import io.ctta.streams.source.DatasetSource;
import io.ctta.streams.source.DomainListSource;
import io.ctta.streams.source.ReaderOption;
import io.ctta.streams.source.ReaderOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * {@code fashion-mnist-c}: the continual Fashion-MNIST-C test stream, one domain per corruption
 * ({@link CorruptionStream#continual}), as {@code ctta replay} and {@code ctta demo} have always built it.
 */
public final class FashionMnistCReader implements DatasetReader {

    static final int DEFAULT_SAMPLES = 10_000;

    @Override
    public String name() {
        return "fashion-mnist-c";
    }

    @Override
    public String description() {
        return "Fashion-MNIST-C: the test set corrupted, one domain per corruption (docs/corruptions.md)";
    }

    @Override
    public String locationHelp() {
        return FashionMnistFiles.LOCATION_HELP;
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(new ReaderOption("corruptions", "all", "corruption ids in stream order, comma-separated"),
                new ReaderOption("severity", "5", "1..5, the same for every domain"),
                FashionMnistFiles.seed("the sampling and the corruptions"),
                new ReaderOption("samples-per-domain", Integer.toString(DEFAULT_SAMPLES), "test images per domain (all = 10000)"),
                FashionMnistFiles.color());
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        List<Corruption> order = options.list("corruptions", CorruptionStream.DEFAULT_ORDER, Corruption::fromId);
        int severity = options.integer("severity", 5, 1, 5);
        long seed = options.longValue("seed", 1L);
        int cap = options.cap("samples-per-domain", DEFAULT_SAMPLES);
        LabeledImages test = FashionMnistFiles.load(location, FashionMnist.Split.TEST);
        int samples = Math.min(cap, test.count());
        List<Domain> domains = CorruptionStream.continual(test, order, severity, seed, samples);
        return FashionMnistFiles.coloured(new DomainListSource(String.format(Locale.ROOT,
                "Fashion-MNIST-C, %d corruptions at severity %d, %d samples each", order.size(), severity, samples), domains,
                FashionMnistFiles.CLASSES), options);
    }
}
