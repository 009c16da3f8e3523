package io.ctta.runtime.checkpoint;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Model files pinned by SHA-256: a TorchScript file is code, so the runtime loads only the exact
 * bytes the configuration names. Verify before loading, on the same path that is then loaded
 * (the result of {@link ConfinedPaths#resolve}).
 */
public final class ModelPinning {

    private ModelPinning() {}

    /** The file's content does not hash to the pinned value. */
    public static final class HashMismatchException extends IOException {
        private static final long serialVersionUID = 1L;

        private final transient Path file;
        private final String expected;
        private final String actual;

        HashMismatchException(Path file, String expected, String actual) {
            super("model file " + file + " does not match its pinned hash: expected sha256 " + expected
                    + ", actual " + actual + "; the file was changed or replaced. If the change is intended, pin"
                    + " the new hash");
            this.file = file;
            this.expected = expected;
            this.actual = actual;
        }

        /** The file that was checked. */
        public Path file() {
            return file;
        }

        /** The pinned SHA-256, lower-case hex. */
        public String expected() {
            return expected;
        }

        /** The SHA-256 of the file's content, lower-case hex. */
        public String actual() {
            return actual;
        }
    }

    /**
     * The SHA-256 of a file's content, lower-case hex.
     *
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        MessageDigest d = CheckpointFormat.sha256();
        byte[] buf = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            int r;
            while ((r = in.read(buf)) > 0) {
                d.update(buf, 0, r);
            }
        }
        return HexFormat.of().formatHex(d.digest());
    }

    /**
     * Checks that {@code file} hashes to {@code expectedSha256} and returns the hash.
     *
     * @param expectedSha256 64 hex digits, either case, optionally prefixed with {@code sha256:}
     * @throws IllegalArgumentException when {@code expectedSha256} is not a SHA-256 in hex
     * @throws HashMismatchException naming the file, the expected and the actual hash
     * @throws IOException when the file cannot be read
     */
    public static String verify(Path file, String expectedSha256) throws IOException {
        String expected = normalise(expectedSha256);
        String actual = sha256(file);
        if (!MessageDigest.isEqual(expected.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                actual.getBytes(java.nio.charset.StandardCharsets.US_ASCII))) {
            throw new HashMismatchException(file, expected, actual);
        }
        return actual;
    }

    /**
     * {@code sha256} in canonical form (lower case, no prefix).
     *
     * @throws IllegalArgumentException when it is not 64 hex digits
     */
    public static String normalise(String sha256) {
        if (sha256 == null) {
            throw new IllegalArgumentException("a pinned model hash is required: 64 hex digits of the file's SHA-256");
        }
        String s = sha256.trim().toLowerCase(Locale.ROOT);
        if (s.startsWith("sha256:")) {
            s = s.substring("sha256:".length());
        }
        if (!s.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("'" + sha256 + "' is not a SHA-256: expected 64 hex digits (e.g. the"
                    + " output of sha256sum)");
        }
        return s;
    }
}
