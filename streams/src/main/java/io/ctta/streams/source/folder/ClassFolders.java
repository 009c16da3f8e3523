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
 * Lists a class-folder layout the way torchvision's {@code ImageFolder} does: the classes are the
 * sub-folder names, sorted; the images of a class are the image files anywhere below its folder
 * (links followed), sorted by path. Hidden entries (a leading dot) and other files are left out.
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
