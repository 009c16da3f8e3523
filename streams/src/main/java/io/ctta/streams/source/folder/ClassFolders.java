package io.ctta.streams.source.folder;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Lists a class-folder layout ({@code <dir>/<class>/.../<image>}): the classes are the names of the
 * sub-folders of {@code dir} that do not start with a dot, sorted as Java sorts strings (UTF-16 code
 * units); the images of a class are the regular files anywhere below its folder (links followed) whose
 * extension, case-insensitively, is one of {@link #EXTENSIONS} and none of whose path parts below the
 * class folder starts with a dot, sorted by their whole path ({@link Path#compareTo}).
 *
 * <p>The layout is torchvision's {@code ImageFolder}'s, and so are the classes and their labels when no
 * class folder's name starts with a dot (and every name is in the Basic Multilingual Plane, where
 * Python's code-point order and Java's agree), but the listing is not the same in every case:
 * {@code ImageFolder} keeps hidden class folders (shifting the labels of the classes after them) and
 * hidden files with an image extension; it reads {@code .ppm}, {@code .pgm} and {@code .webp} but not
 * {@code .gif}; it orders a class's files folder by folder ({@code sorted(os.walk(...))}, then each
 * folder's file names sorted), where this sorts whole paths, so {@code cat/x.jpg} comes before
 * {@code cat/sub/a.jpg} there and after it here; and it refuses a class folder without images, where
 * this counts it as empty. With {@code order=sorted}, files directly in their class folders and no
 * hidden entries (the usual case), the images and their order are the same.
 */
public final class ClassFolders {

    /** Extensions read as images (the ones the JDK decodes), case-insensitive. */
    public static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff");

    private ClassFolders() {
    }

    /** The sorted names of the non-hidden sub-folders of {@code dir}. */
    public static List<String> classes(Path dir) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> entries = Files.list(dir)) {
            entries.filter(Files::isDirectory).map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("."))
                    .forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /** The image files below {@code dir}, sorted by their path. */
    public static List<Path> images(Path dir) throws IOException {
        List<Path> out = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            walk.filter(p -> isImage(dir, p)).forEach(out::add);
        }
        out.sort(null);
        return out;
    }

    /** How many image files are below {@code dir}. */
    public static long count(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir, FileVisitOption.FOLLOW_LINKS)) {
            return walk.filter(p -> isImage(dir, p)).count();
        }
    }

    private static boolean isImage(Path root, Path p) {
        for (Path part : root.relativize(p)) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        String name = p.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return dot > 0 && EXTENSIONS.contains(name.substring(dot + 1).toLowerCase(Locale.ROOT)) && Files.isRegularFile(p);
    }
}
