package dev.adnet.maven;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What one generation run works on. All paths are absolute; messages and the cache name files relative to
 * {@code baseDirectory}.
 *
 * @param baseDirectory the project's base directory
 * @param sourceDirectory where the {@code .adnet} files are ({@code src/main/adnet})
 * @param outputDirectory where the Java goes ({@code target/generated-sources/adnet}); the plugin owns it
 * @param cacheFile the digest cache ({@code target/adnet-cache/generate.cache})
 * @param packageName the Java package of every generated class, or null to derive it from each file's folder
 */
public record GeneratorSettings(Path baseDirectory, Path sourceDirectory, Path outputDirectory, Path cacheFile,
        String packageName) {
    public GeneratorSettings {
        baseDirectory = baseDirectory.toAbsolutePath().normalize();
        sourceDirectory = baseDirectory.resolve(sourceDirectory).normalize();
        outputDirectory = baseDirectory.resolve(outputDirectory).normalize();
        cacheFile = baseDirectory.resolve(Objects.requireNonNull(cacheFile, "cacheFile")).normalize();
        if (packageName != null && packageName.isBlank()) {
            packageName = null;
        }
    }

    /** {@code path} as the project names it: relative to the base directory when inside it, with '/' separators. */
    String display(Path path) {
        Path abs = path.toAbsolutePath().normalize();
        Path shown = abs.startsWith(baseDirectory) ? baseDirectory.relativize(abs) : abs;
        return shown.toString().replace('\\', '/');
    }
}
