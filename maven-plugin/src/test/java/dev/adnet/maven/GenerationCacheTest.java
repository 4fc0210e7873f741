package dev.adnet.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerationCacheTest {
    @TempDir
    Path dir;

    static final GenerationCache.Read A = new GenerationCache.Read("a".repeat(64), 120, 1_764_000_000_123_456_789L);
    static final GenerationCache.Read B = new GenerationCache.Read("b".repeat(64), 7, 0);

    @Test
    void readsWhatItWrote() throws IOException {
        Path file = dir.resolve("sub/generate.cache");
        Map<String, GenerationCache.Entry> entries = Map.of(
                "src/main/adnet/x y.adnet", new GenerationCache.Entry(Map.of("src/main/adnet/x y.adnet", A, "lib/b.adnet", B),
                        List.of("target/gen/X.java")),
                "src/main/adnet/lib.adnet", new GenerationCache.Entry(Map.of("src/main/adnet/lib.adnet", B), List.of()));

        GenerationCache.write(file, "f1", entries);

        assertThat(GenerationCache.read(file, "f1")).isEqualTo(entries);
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void anotherFingerprintOrAMalformedFileIsAnEmptyCache() throws IOException {
        Path file = dir.resolve("generate.cache");
        GenerationCache.write(file, "f1", Map.of("s.adnet", new GenerationCache.Entry(Map.of("s.adnet", A), List.of())));

        assertThat(GenerationCache.read(file, "f2")).isEmpty();

        Files.writeString(file, GenerationCache.MAGIC + "f1\nsource s.adnet\nread short 1 2 s.adnet\n");
        assertThat(GenerationCache.read(file, "f1")).isEmpty();
        assertThat(GenerationCache.read(dir.resolve("missing"), "f1")).isEmpty();
    }
}
