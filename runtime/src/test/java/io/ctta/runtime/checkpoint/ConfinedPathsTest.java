package io.ctta.runtime.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ctta.runtime.checkpoint.ConfinedPaths.PathEscapeException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfinedPathsTest {
    @TempDir
    Path tmp;
    Path root;
    Path outside;

    @BeforeEach
    void layout() throws Exception {
        root = Files.createDirectories(tmp.resolve("models"));
        outside = Files.createDirectories(tmp.resolve("secrets"));
        Files.writeString(outside.resolve("key"), "x");
        Files.createDirectories(root.resolve("cnn"));
        Files.writeString(root.resolve("cnn/model.pt"), "m");
    }

    private String reason(String userPath) {
        return assertThrows(PathEscapeException.class, () -> ConfinedPaths.resolve(root, userPath)).getMessage();
    }

    @Test
    void acceptsPathsInsideTheRoot() throws Exception {
        Path real = root.toRealPath();
        assertEquals(real.resolve("cnn/model.pt"), ConfinedPaths.resolve(root, "cnn/model.pt"));
        assertEquals(real.resolve("cnn/model.pt"), ConfinedPaths.resolve(root, "./cnn//model.pt"));
        assertEquals(real.resolve("new/dir/file"), ConfinedPaths.resolve(root, "new/dir/file"), "need not exist");
        assertEquals(real.resolve("cnn/model.pt"), ConfinedPaths.resolve(root, root.resolve("cnn/model.pt").toString()));
        assertEquals(real, ConfinedPaths.resolve(root, "."));
    }

    @Test
    void rejectsDotDotEvenWhenItWouldStayInside() {
        String r = reason("../secrets/key");
        assertTrue(r.contains("contains '..'"), r);
        r = reason("cnn/../cnn/model.pt");
        assertTrue(r.contains("contains '..'"), r);
        r = reason(root + "/../secrets/key");
        assertTrue(r.contains("contains '..'"), r);
    }

    @Test
    void rejectsAbsolutePathsOutsideTheRoot() {
        String r = reason(outside.resolve("key").toString());
        assertTrue(r.startsWith("absolute path '" + outside.resolve("key") + "' is outside the root"), r);
        r = reason("/etc/passwd");
        assertTrue(r.contains("is outside the root"), r);
        // A sibling whose name merely starts with the root's name is outside.
        r = reason(root + "-evil/x");
        assertTrue(r.contains("is outside the root"), r);
    }

    @Test
    void rejectsSymlinksThatLeadOutside() throws Exception {
        Files.createSymbolicLink(root.resolve("escape"), outside);
        Files.createSymbolicLink(root.resolve("cnn/key.pt"), outside.resolve("key"));
        Files.createSymbolicLink(root.resolve("dangling"), tmp.resolve("nothing-here"));
        String r = reason("escape/key");
        assertTrue(r.contains("symbolic link") && r.contains("leads outside the root"), r);
        r = reason("escape/not-yet-there");
        assertTrue(r.contains("leads outside the root"), r);
        r = reason("cnn/key.pt");
        assertTrue(r.contains("leads outside the root"), r);
        r = reason("dangling");
        assertTrue(r.contains("whose target does not exist"), r);
    }

    @Test
    void followsSymlinksThatStayInsideAndARootThatIsALink() throws Exception {
        Files.createSymbolicLink(root.resolve("current"), root.resolve("cnn"));
        assertEquals(root.toRealPath().resolve("cnn/model.pt"), ConfinedPaths.resolve(root, "current/model.pt"));
        Path linkedRoot = Files.createSymbolicLink(tmp.resolve("models-link"), root);
        assertEquals(root.toRealPath().resolve("cnn/model.pt"), ConfinedPaths.resolve(linkedRoot, "cnn/model.pt"));
        assertEquals(root.toRealPath().resolve("cnn/model.pt"),
                ConfinedPaths.resolve(linkedRoot, linkedRoot.resolve("cnn/model.pt").toString()));
    }

    @Test
    void rejectsEmptyAndMalformedPathsAndAMissingRoot() {
        assertTrue(reason("").contains("empty path"));
        assertTrue(reason("a\0b").contains("is not a valid path"));
        assertThrows(NoSuchFileException.class, () -> ConfinedPaths.resolve(tmp.resolve("absent"), "x"));
    }
}
