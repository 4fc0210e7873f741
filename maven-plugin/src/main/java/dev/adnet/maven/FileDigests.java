package dev.adnet.maven;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

/** SHA-256 of files, each read once per run (an imported file shared by many sources is hashed once). */
final class FileDigests {
    private final Map<Path, String> known = new HashMap<>();

    /** The hex digest of {@code file}'s bytes, or null when it does not exist. */
    String of(Path file) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        if (known.containsKey(key)) {
            return known.get(key);
        }
        String digest;
        try {
            digest = sha256(Files.readAllBytes(key));
        } catch (NoSuchFileException e) {
            digest = null;
        }
        known.put(key, digest);
        return digest;
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
