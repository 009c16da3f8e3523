package io.ctta.streams.source.wilds;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Image paths built from metadata rows, kept inside the dataset directory. */
final class WildsPaths {

    private WildsPaths() {
    }

    /**
     * {@code folder/relative}, normalised, as a '/'-separated relative path.
     *
     * @throws BadRow when {@code relative} is empty, absolute or leaves {@code folder}
     */
    static String inside(String folder, String relative, String column) throws BadRow {
        if (relative.isEmpty()) {
            throw BadRow.field(column, relative, "a file name");
        }
        Path p;
        try {
            p = Path.of(relative);
        } catch (InvalidPathException e) {
            throw BadRow.field(column, relative, "a file name");
        }
        Path base = Path.of(folder);
        Path resolved = base.resolve(p).normalize();
        if (p.isAbsolute() || relative.startsWith("/") || !resolved.startsWith(base) || resolved.equals(base)) {
            throw BadRow.field(column, relative, "a path inside " + folder + "/");
        }
        return resolved.toString().replace('\\', '/');
    }
}
