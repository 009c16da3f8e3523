package io.ctta.streams.source;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * The dataset readers on the class path, found through {@link ServiceLoader} and looked up by name.
 * An immutable value: load it once.
 */
public final class DatasetReaders {

    private final Map<String, DatasetReader> readers;

    private DatasetReaders(Map<String, DatasetReader> readers) {
        this.readers = Collections.unmodifiableMap(readers);
    }

    /** Every reader visible to this class's loader (the built-in ones and any registered by a jar). */
    public static DatasetReaders load() {
        return load(DatasetReaders.class.getClassLoader());
    }

    /**
     * Every reader visible to {@code loader}.
     *
     * @throws IllegalStateException when two readers claim the same name
     */
    public static DatasetReaders load(ClassLoader loader) {
        Map<String, DatasetReader> found = new TreeMap<>();
        for (DatasetReader r : ServiceLoader.load(DatasetReader.class, loader)) {
            DatasetReader previous = found.putIfAbsent(r.name(), r);
            if (previous != null) {
                throw new IllegalStateException("two dataset readers are named '" + r.name() + "': "
                        + previous.getClass().getName() + " and " + r.getClass().getName());
            }
        }
        return new DatasetReaders(new LinkedHashMap<>(found));
    }

    /** The format names, sorted. */
    public Set<String> names() {
        return readers.keySet();
    }

    /** The readers, sorted by name. */
    public Collection<DatasetReader> all() {
        return readers.values();
    }

    /**
     * The reader of {@code format}.
     *
     * @throws IllegalArgumentException "unknown format 'x'; known: ..."
     */
    public DatasetReader reader(String format) {
        DatasetReader r = readers.get(format);
        if (r == null) {
            throw new IllegalArgumentException("unknown format '" + format + "'; known: " + String.join(", ", names()));
        }
        return r;
    }

    /**
     * Opens {@code location} with the reader of {@code format}, after checking that every option is one
     * the reader declares.
     */
    public DatasetSource open(String format, Path location, ReaderOptions options) throws IOException {
        DatasetReader r = reader(format);
        return r.open(location, options.checkKnown(r));
    }
}
