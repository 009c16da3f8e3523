package io.ctta.streams.source.fashion;

import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.source.ReaderOption;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Where the Fashion-MNIST readers find the IDX files, and the option they share. */
final class FashionMnistFiles {

    static final String LOCATION_HELP = "the Fashion-MNIST directory with the four IDX files (default "
            + FashionMnist.INSTALLED_DIR + ", or $" + FashionMnist.DIR_ENV + ")";
    static final int CLASSES = 10;

    private FashionMnistFiles() {
    }

    static LabeledImages load(Path location, FashionMnist.Split split) throws IOException {
        return FashionMnist.load(location == null ? FashionMnist.defaultDirectory() : location, split);
    }

    static ReaderOption seed(String what) {
        return new ReaderOption("seed", "1", "root seed of " + what);
    }

    /** The {@code color} option: grey images as they are, or colourised RGB frames ({@link ColourisedSource}). */
    static ReaderOption color() {
        return new ReaderOption("color", "grey", "grey (1x28x28, as published) or rgb (3x32x32 frames painted with a foreground"
                + " and a background colour drawn per image, seeded: for RGB models)");
    }

    /** {@code source}, colourised when the options say {@code color=rgb} (seeded by {@code seed}). */
    static io.ctta.streams.source.DatasetSource coloured(io.ctta.streams.source.DatasetSource source,
            io.ctta.streams.source.ReaderOptions options) {
        String color = options.choice("color", "grey", List.of("grey", "rgb"));
        return color.equals("rgb") ? new ColourisedSource(source, options.longValue("seed", 1L) ^ 0x5DEECE66DL) : source;
    }
}
