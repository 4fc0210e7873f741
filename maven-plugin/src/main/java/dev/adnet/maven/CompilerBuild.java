package dev.adnet.maven;

import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.stream.Stream;

/**
 * Which build of the compiler runs: its jar's size and modification time. A snapshot's version stays the same
 * while its code changes, so the version alone would keep stale generated code after a compiler fix; a rebuilt
 * jar regenerates everything (and identical Java is not rewritten). Size and time rather than a digest: hashing
 * the jar in every build would cost more than the rest of a no-op build.
 */
final class CompilerBuild {
    private static String stamp;

    private CompilerBuild() {}

    static synchronized String stamp() throws IOException {
        if (stamp == null) {
            stamp = compute();
        }
        return stamp;
    }

    private static String compute() throws IOException {
        CodeSource code = Compiler.class.getProtectionDomain().getCodeSource();
        if (code == null || code.getLocation() == null) {
            return "unknown";
        }
        Path location;
        try {
            location = Path.of(code.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            return code.getLocation().toString();
        }
        if (Files.isRegularFile(location)) {
            return Files.size(location) + "@" + Files.getLastModifiedTime(location).toMillis();
        }
        // A class folder (a reactor build that stops before packaging, an IDE): its files' count, total size and
        // newest time, so that recompiling the compiler regenerates too.
        long count = 0;
        long size = 0;
        long newest = 0;
        try (Stream<Path> files = Files.walk(location)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                count++;
                size += Files.size(f);
                newest = Math.max(newest, Files.getLastModifiedTime(f).toMillis());
            }
        }
        return "classes:" + count + "/" + size + "@" + newest;
    }
}
