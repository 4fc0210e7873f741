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

/**
 * Whether files still have the content a compilation read: by size and modification time first, by SHA-256 when
 * those differ. Each file is looked at once per run (an imported file shared by many sources too).
 */
final class FileDigests {
    private final Map<Path, Boolean> unchanged = new HashMap<>();

    /** Whether {@code file} still has the bytes {@code read} describes. */
    boolean unchanged(Path file, GenerationCache.Read read) throws IOException {
        Path key = file.toAbsolutePath().normalize();
        Boolean known = unchanged.get(key);
        if (known == null) {
            GenerationCache.Read now = stat(key);
            known = now != null && (now.size() == read.size() && now.modified() == read.modified() || read.sha256().equals(of(key)));
            unchanged.put(key, known);
        }
        return known;
    }

    /** Size and modification time (no digest), or null when the file does not exist. */
    static GenerationCache.Read stat(Path file) throws IOException {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class);
            return new GenerationCache.Read("", a.size(), a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

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
