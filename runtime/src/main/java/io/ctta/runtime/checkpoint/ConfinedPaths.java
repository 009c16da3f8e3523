package io.ctta.runtime.checkpoint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Resolves user-supplied paths (model files, checkpoint directories) inside a configured root, so
 * a configuration or an admin request cannot reach files elsewhere.
 *
 * <p>Rules, each with its own message:
 *
 * <ul>
 *   <li>no {@code ..} component at all, even one that would stay inside lexically: with symbolic
 *       links, {@code link/..} is the parent of the link's <em>target</em>, so lexical
 *       normalisation is not a proof of confinement;
 *   <li>an absolute path is accepted only when it lies under the root (as configured, or after
 *       resolving the root's own links);
 *   <li>every existing component is checked without following links; a symbolic link must resolve
 *       (via {@link Path#toRealPath}) to a location inside the root's real path; a dangling link
 *       is rejected.
 * </ul>
 *
 * <p>The result is the real path of the existing prefix plus the components that do not exist
 * yet, so using it later does not follow the links that were checked. A link created in the root
 * between this check and the use can still redirect the not-yet-existing part: the roots must not
 * be writable by untrusted users.
 */
public final class ConfinedPaths {

    private ConfinedPaths() {}

    /** A path that leaves its root, or is not a usable path at all. */
    public static final class PathEscapeException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        PathEscapeException(String message) {
            super(message);
        }
    }

    /**
     * {@code userPath} resolved inside {@code root}.
     *
     * @param root the configured root; it must exist (its own links are trusted and resolved)
     * @param userPath a relative path, or an absolute path under {@code root}
     * @return the confined, absolute path (it need not exist)
     * @throws PathEscapeException when {@code userPath} is empty, malformed, absolute outside the
     *     root, contains {@code ..}, or goes through a link that leads outside the root or nowhere
     * @throws NoSuchFileException when the root does not exist
     * @throws IOException when the file system cannot be inspected
     */
    public static Path resolve(Path root, String userPath) throws IOException {
        if (userPath == null || userPath.isBlank()) {
            throw new PathEscapeException("an empty path was given; expected a path inside " + root);
        }
        Path realRoot;
        try {
            realRoot = root.toRealPath();
        } catch (NoSuchFileException e) {
            throw new NoSuchFileException(root.toString(), null, "the configured root does not exist");
        }
        if (!Files.isDirectory(realRoot)) {
            throw new PathEscapeException("the configured root " + root + " is not a directory");
        }
        Path p;
        try {
            p = root.getFileSystem().getPath(userPath);
        } catch (InvalidPathException e) {
            throw new PathEscapeException("'" + userPath + "' is not a valid path: " + e.getReason());
        }
        for (Path name : p) {
            if (name.toString().equals("..")) {
                throw new PathEscapeException("'" + userPath + "' contains '..'; paths must stay inside " + root
                        + " and may not climb out of a directory");
            }
        }
        Path relative;
        if (p.isAbsolute()) {
            Path abs = p.normalize();
            Path configured = root.toAbsolutePath().normalize();
            if (abs.startsWith(realRoot)) {
                relative = realRoot.relativize(abs);
            } else if (abs.startsWith(configured)) {
                relative = configured.relativize(abs);
            } else {
                throw new PathEscapeException("absolute path '" + userPath + "' is outside the root " + root
                        + "; give a path inside it, or a path relative to it");
            }
        } else {
            relative = p.normalize();
        }
        Path current = realRoot;
        boolean exists = true;
        for (Path name : relative) {
            String n = name.toString();
            if (n.isEmpty() || n.equals(".")) {
                continue;
            }
            Path next = current.resolve(n);
            if (exists && Files.isSymbolicLink(next)) {
                Path target;
                try {
                    target = next.toRealPath();
                } catch (NoSuchFileException e) {
                    throw new PathEscapeException("'" + userPath + "' goes through the symbolic link " + next
                            + ", whose target does not exist");
                }
                if (!target.startsWith(realRoot)) {
                    throw new PathEscapeException("'" + userPath + "' goes through the symbolic link " + next + " -> "
                            + target + ", which leads outside the root " + realRoot);
                }
                current = target;
            } else {
                exists = exists && Files.exists(next, LinkOption.NOFOLLOW_LINKS);
                current = next;
            }
        }
        return current;
    }
}
