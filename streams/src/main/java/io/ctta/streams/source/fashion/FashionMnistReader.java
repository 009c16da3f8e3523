package io.ctta.streams.source.fashion;

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

/** {@code fashion-mnist}: one domain, {@code clean}, the first N images of a split in file order. */
public final class FashionMnistReader implements DatasetReader {

    @Override
    public String name() {
        return "fashion-mnist";
    }

    @Override
    public String description() {
        return "clean Fashion-MNIST (Xiao et al. 2017), one domain 'clean'";
    }

    @Override
    public String locationHelp() {
        return FashionMnistFiles.LOCATION_HELP;
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(new ReaderOption("split", "test", "test or train"),
                new ReaderOption("samples-per-domain", "all", "the first N images of the split"),
                FashionMnistFiles.color(), FashionMnistFiles.seed("the colours (color=rgb)"));
    }

    @Override
    public DatasetSource open(Path location, ReaderOptions options) throws IOException {
        options.checkKnown(this);
        String split = options.choice("split", "test", List.of("test", "train"));
        int cap = options.cap("samples-per-domain", Integer.MAX_VALUE);
        LabeledImages images = FashionMnistFiles.load(location,
                split.equals("test") ? FashionMnist.Split.TEST : FashionMnist.Split.TRAIN);
        LabeledImages first = images.slice(0, Math.min(cap, images.count()));
        return FashionMnistFiles.coloured(new DomainListSource(String.format(Locale.ROOT, "Fashion-MNIST %s, clean, %d images",
                split, first.count()), List.of(new Domain("clean", first)), FashionMnistFiles.CLASSES), options);
    }
}
