package dev.adnet.compiler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.palantir.javapoet.JavaFile;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The front end (parse, check, IR, cost, emission) runs without ND4J and the runtime: it names their types for
 * JavaPoet and never loads them, so the Maven plugin and an editor embed it with a handful of jars.
 */
class ArchitectureTest {
    /** How a loaded type appears in a class file's constant pool: internal names, in class and descriptor entries. */
    private static final List<String> FORBIDDEN = List.of("org/nd4j/", "dev/adnet/runtime/");

    @Test
    void noCompilerClassReferencesNd4jOrTheRuntime() throws IOException, URISyntaxException {
        Path classes = Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<String> offenders = new ArrayList<>();
        int scanned = 0;
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
                scanned++;
                // Constant-pool UTF-8 entries hold internal names as plain bytes; ISO-8859-1 maps each byte to a char.
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String name : FORBIDDEN) {
                    if (bytes.contains(name)) {
                        offenders.add(classes.relativize(f) + " references " + name);
                    }
                }
            }
        }
        assertThat(scanned).as("compiled classes under %s", classes).isGreaterThan(50);
        assertThat(offenders).isEmpty();
    }

    /** No ANTLR type leaves the parser front: the AST builder turns parse trees into the compiler's own records. */
    @Test
    void onlyTheParsePackageReferencesAntlrOrTheGeneratedParser() throws IOException, URISyntaxException {
        Path classes = Path.of(Compiler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path parse = classes.resolve("dev/adnet/compiler/parse");
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class") && !p.startsWith(parse)).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                for (String name : List.of("org/antlr/", "dev/adnet/grammar/")) {
                    if (bytes.contains(name)) {
                        offenders.add(classes.relativize(f) + " references " + name);
                    }
                }
            }
        }
        assertThat(offenders).isEmpty();
    }

    @Test
    void classPathHasNeitherNd4jNorTheRuntime() {
        ClassLoader loader = ArchitectureTest.class.getClassLoader();
        assertThatThrownBy(() -> Class.forName("org.nd4j.linalg.factory.Nd4j", false, loader))
                .isInstanceOf(ClassNotFoundException.class);
        assertThatThrownBy(() -> Class.forName("dev.adnet.runtime.Network", false, loader))
                .isInstanceOf(ClassNotFoundException.class);
    }

    /** Every sample checks and emits on this module's class path, which lacks ND4J and the runtime (test above). */
    @Test
    void everySampleChecksAndEmitsWithoutTheRuntime() throws IOException {
        Path samples = locateSamples();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(samples)) {
            files = walk.filter(p -> p.toString().endsWith(".adnet")).sorted().toList();
        }
        assertThat(files).isNotEmpty();
        for (Path file : files) {
            CompileResult result = new Compiler().check(List.of(file));
            assertThat(result.diagnostics()).as("diagnostics of %s", file).isEmpty();
            assertThat(result.networks()).as("networks of %s", file).isNotEmpty();
            for (CompiledNetwork n : result.networks()) {
                JavaFile java = n.toJava("dev.adnet.samples");
                assertThat(java.toString()).contains("class " + java.typeSpec().name() + " implements");
            }
        }
    }

    private static Path locateSamples() {
        for (String candidate : List.of("../samples/src/main/adnet", "samples/src/main/adnet")) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("samples not found from " + Path.of("").toAbsolutePath());
    }
}
