package io.ctta.streams.source.fashion;

import io.ctta.streams.data.FashionMnist;
import io.ctta.streams.data.LabeledImages;
import io.ctta.streams.source.ReaderOption;
import java.io.IOException;
import java.nio.file.Path;

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
}
