package dev.adnet.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The digest cache of one goal: for each source, the SHA-256 of every file its compilation read (itself and what
 * it imports, transitively) and the Java files it generated. A source is up to date when all those digests still
 * match and its outputs exist. Each digest is stored with the file's size and modification time: a file whose
 * size and time are unchanged is not read again, so a no-op build only lists and stats files (and a file that was
 * touched but not changed is hashed, found equal, and compiles nothing). The whole cache is invalid when its fingerprint (format, compiler build,
 * configuration) differs.
 *
 * <p>The file is plain text, one record a line, paths relative to the project's base directory:
 *
 * <pre>
 * adnet-cache 1 FINGERPRINT
 * source src/main/adnet/dev/adnet/samples/net.adnet
 * read 3f2a... 1204 1764161234000000000 src/main/adnet/dev/adnet/samples/net.adnet
 * read 9c01... 377 1764161200000000000 src/main/adnet/dev/adnet/lib/blocks.adnet
 * output target/generated-sources/adnet/dev/adnet/samples/Net.java
 * </pre>
 *
 * It is written last, through a temporary file and a rename, so a build that failed or was interrupted never
 * leaves a cache that claims outputs it did not finish.
 */
public final class GenerationCache {
    static final String MAGIC = "adnet-cache 1 ";

    /**
     * A file as a compilation read it.
     *
     * @param sha256 the hex digest of its bytes
     * @param size its size in bytes then
     * @param modified its modification time then, in nanoseconds since the epoch
     */
    public record Read(String sha256, long size, long modified) {}

    /**
     * One source's record.
     *
     * @param reads path to each file compiling the source read (itself and its imports)
     * @param outputs the Java files it generated
     */
    public record Entry(Map<String, Read> reads, List<String> outputs) {
        public Entry {
            reads = Map.copyOf(reads);
            outputs = List.copyOf(outputs);
        }
    }

    private GenerationCache() {}

    /**
     * The entries by source path; empty when the file is missing, unreadable, malformed or of another fingerprint
     * ({@code null} accepts any: the outputs of an old configuration, to remove).
     */
    public static Map<String, Entry> read(Path file, String fingerprint) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException | java.io.UncheckedIOException e) {
            return Map.of();
        }
        if (lines.isEmpty() || !lines.get(0).startsWith(MAGIC) || fingerprint != null && !lines.get(0).equals(MAGIC + fingerprint)) {
            return Map.of();
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        String source = null;
        Map<String, Read> reads = new LinkedHashMap<>();
        List<String> outputs = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.startsWith("source ")) {
                if (source != null) {
                    entries.put(source, new Entry(reads, outputs));
                }
                source = line.substring("source ".length());
                reads = new LinkedHashMap<>();
                outputs = new ArrayList<>();
            } else if (source != null && line.startsWith("read ")) {
                String[] f = line.split(" ", 5);
                if (f.length != 5 || f[1].length() != 64) {
                    return Map.of();
                }
                try {
                    reads.put(f[4], new Read(f[1], Long.parseLong(f[2]), Long.parseLong(f[3])));
                } catch (NumberFormatException e) {
                    return Map.of();
                }
            } else if (source != null && line.startsWith("output ")) {
                outputs.add(line.substring("output ".length()));
            } else if (!line.isEmpty()) {
                return Map.of();
            }
        }
        if (source != null) {
            entries.put(source, new Entry(reads, outputs));
        }
        return entries;
    }

    /** Replaces the cache file with {@code entries}, atomically where the file system can. */
    public static void write(Path file, String fingerprint, Map<String, Entry> entries) throws IOException {
        StringBuilder text = new StringBuilder(MAGIC).append(fingerprint).append('\n');
        new TreeMap<>(entries).forEach((source, entry) -> {
            text.append("source ").append(source).append('\n');
            new TreeMap<>(entry.reads()).forEach((path, r) -> text.append("read ").append(r.sha256()).append(' ').append(r.size())
                    .append(' ').append(r.modified()).append(' ').append(path).append('\n'));
            entry.outputs().stream().sorted().forEach(o -> text.append("output ").append(o).append('\n'));
        });
        writeAtomically(file, text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Deletes the cache: the next run regenerates everything (and compares before writing). */
    public static void delete(Path file) throws IOException {
        Files.deleteIfExists(file);
    }

    /** Writes through a temporary file in the same folder and a rename, so readers see the old or the new bytes. */
    static void writeAtomically(Path target, byte[] bytes) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".adnet-", ".tmp");
        try {
            Files.write(tmp, bytes);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
