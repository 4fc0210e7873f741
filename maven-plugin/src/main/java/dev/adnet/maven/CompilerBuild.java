package dev.adnet.maven;

import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;

/**
 * Which build of the compiler runs: the digest of its jar. A snapshot's version stays the same while its code
 * changes, so the version alone would keep stale generated code after a compiler fix.
 */
final class CompilerBuild {
    private static String digest;

    private CompilerBuild() {}

    static synchronized String digest() throws IOException {
        if (digest == null) {
            digest = compute();
        }
        return digest;
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
        // Class folders (an IDE, the compiler's own tests) have no single digest; their path stands in.
        return Files.isRegularFile(location) ? FileDigests.sha256(Files.readAllBytes(location)) : "classes:" + location;
    }
}
