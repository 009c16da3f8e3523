package io.ctta.streams.data.movielens;

import io.ctta.streams.data.rdata.RData;
import io.ctta.streams.data.rdata.RDataException;
import io.ctta.streams.data.rdata.RDataFrame;
import io.ctta.streams.data.rdata.RObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Loads the MovieLens "ml-latest-small" ratings (100,004 ratings by 671 users of 9,066 movies,
 * 1995 to 2016; F. M. Harper and J. A. Konstan, 2015) from the copy Debian ships inside the R
 * package {@code r-cran-dslabs} (data set {@code movielens}), read in pure Java (no R) by
 * {@link RData}. The ratings are returned in timestamp order (ties keep the file order), ready to
 * be replayed as a stream.
 *
 * <p>Where: {@code $CTTA_DSLABS_DATA_DIR} if set, else {@link #INSTALLED_DIR}; the directory holds
 * the package's lazy-load database {@code Rdata.rdx}/{@code Rdata.rdb}, or a
 * {@code movielens.rda}/{@code movielens.rds} saved from R.
 */
public final class MovieLens {
    /** The Debian package that holds the data. */
    public static final String PACKAGE = "r-cran-dslabs";
    /** Environment variable that overrides {@link #INSTALLED_DIR}. */
    public static final String DIR_ENV = "CTTA_DSLABS_DATA_DIR";
    /** Where the Debian package installs the data sets. */
    public static final Path INSTALLED_DIR = Path.of("/usr/lib/R/site-library/dslabs/data");
    /** The data set's name in the package. */
    public static final String DATASET = "movielens";

    private MovieLens() {}

    /** {@code $CTTA_DSLABS_DATA_DIR} when set and not blank, else {@link #INSTALLED_DIR}. */
    public static Path defaultDirectory() {
        String env = System.getenv(DIR_ENV);
        return env == null || env.isBlank() ? INSTALLED_DIR : Path.of(env);
    }

    /** Whether the data can be found in {@code dir}. */
    public static boolean isAvailable(Path dir) {
        return Files.isRegularFile(dir.resolve("Rdata.rdb")) && Files.isRegularFile(dir.resolve("Rdata.rdx"))
                || Files.isRegularFile(dir.resolve(DATASET + ".rda")) || Files.isRegularFile(dir.resolve(DATASET + ".rds"));
    }

    /** Loads the ratings from {@link #defaultDirectory()}. */
    public static List<Rating> load() throws IOException {
        return load(defaultDirectory());
    }

    /**
     * Loads the ratings from {@code dir}, sorted by timestamp.
     *
     * @throws NoSuchFileException with installation advice when the data is not there
     * @throws RDataException when the file is not the expected data frame
     */
    public static List<Rating> load(Path dir) throws IOException {
        RObject o;
        if (Files.isRegularFile(dir.resolve(DATASET + ".rds"))) {
            o = RData.readRds(dir.resolve(DATASET + ".rds"));
        } else if (Files.isRegularFile(dir.resolve(DATASET + ".rda"))) {
            Map<String, RObject> all = RData.readRda(dir.resolve(DATASET + ".rda"));
            o = all.get(DATASET);
            if (o == null) {
                throw new RDataException(dir.resolve(DATASET + ".rda") + " holds " + all.keySet() + ", not " + DATASET);
            }
        } else if (isAvailable(dir)) {
            o = RData.readLazyLoad(dir.resolve("Rdata"), DATASET);
        } else {
            throw new NoSuchFileException(dir.toString(), null, "MovieLens data not found; install it with"
                    + " `apt-get install -y " + PACKAGE + "` or set " + DIR_ENV + " to a directory holding Rdata.rdx/"
                    + "Rdata.rdb or movielens.rda");
        }
        return fromDataFrame(RDataFrame.of(o));
    }

    /**
     * Converts a data frame with columns {@code userId, movieId, rating, timestamp} (and optional
     * {@code year, genres, title}) into ratings sorted by timestamp.
     */
    public static List<Rating> fromDataFrame(RDataFrame df) throws RDataException {
        int n = df.rows();
        int[] user = df.ints("userId");
        int[] movie = df.ints("movieId");
        double[] stars = df.doubles("rating");
        double[] ts = df.doubles("timestamp");
        List<String> cols = df.columnNames();
        int[] year = cols.contains("year") ? df.ints("year") : null;
        String[] genres = cols.contains("genres") ? df.strings("genres") : null;
        String[] title = cols.contains("title") ? df.strings("title") : null;
        List<Rating> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            if (user[i] == RObject.NA_INTEGER || movie[i] == RObject.NA_INTEGER || Double.isNaN(stars[i])
                    || Double.isNaN(ts[i])) {
                throw new RDataException("row " + (i + 1) + " has a missing userId, movieId, rating or timestamp");
            }
            int y = year == null || year[i] == RObject.NA_INTEGER ? -1 : year[i];
            String g = genres == null || genres[i] == null ? "" : genres[i];
            String t = title == null || title[i] == null ? "" : title[i];
            out.add(new Rating(user[i], movie[i], (float) stars[i], (long) ts[i], y, g, t));
        }
        out.sort(Comparator.comparingLong(Rating::timestampSec)); // stable: ties keep file order
        return out;
    }
}
