package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden generated Java from real sources: every {@code *.adnet} file in
 * {@code src/test/resources/golden/generated/} (one network each) goes through {@link Compiler} and
 * {@link CompiledNetwork#toJava(String)}, exactly what {@code adnet compile FILE -d DIR} writes, and the Java must
 * equal its {@code .java.txt} twin byte for byte.
 *
 * <p>The file is compiled under its bare name ({@code mlp.adnet}) through a {@link Compiler.SourceReader} that reads
 * from the golden directory, so the header does not depend on the machine; the source hash is the SHA-256 of the
 * file's bytes, which the test checks too.
 *
 * <p>After an intended change to the emitter, regenerate the files with
 * {@code mvn -o -q -pl compiler test -Dtest=GoldenGeneratedTest -Dadnet.updateGolden=true} and review the diff before
 * committing it.
 */
class GoldenGeneratedTest {
    static final Path DIR = locate();

    private static Path locate() {
        for (String candidate : List.of("src/test/resources/golden/generated", "compiler/src/test/resources/golden/generated")) {
            Path p = Path.of(candidate);
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("golden directory not found from " + Path.of("").toAbsolutePath());
    }

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adnet")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGolden(String name) throws IOException, NoSuchAlgorithmException {
        CompileResult result = new Compiler(p -> Files.readAllBytes(DIR.resolve(p))).check(List.of(Path.of(name)));
        assertThat(result.diagnostics()).as("diagnostics of %s", name).isEmpty();
        assertThat(result.networks()).hasSize(1);
        CompiledNetwork n = result.networks().get(0);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(DIR.resolve(name))));
        assertThat(n.sourceFile()).isEqualTo(name);
        assertThat(n.sourceHash()).as("the source hash is the SHA-256 of the file").isEqualTo(sha);

        String actual = n.toJava("adnet.generated").toString();
        assertThat(actual).contains(sha);
        Path golden = DIR.resolve(name.replaceFirst("\\.adnet$", ".java.txt"));
        if (Boolean.getBoolean("adnet.updateGolden")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s (run with -Dadnet.updateGolden=true to create it)", golden).exists();
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
