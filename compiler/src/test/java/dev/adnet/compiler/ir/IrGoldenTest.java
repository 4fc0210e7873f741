package dev.adnet.compiler.ir;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden IR: every {@code *.adnet} file in {@code src/test/resources/golden/ir/} is checked and lowered, and the
 * printed IR of its networks ({@link IrPrinter}, what {@code adnet describe --ir} prints) must equal its
 * {@code .ir.txt} twin. Regenerate after an intended change with {@code -Dadnet.updateGolden=true} and review the
 * diff.
 */
class IrGoldenTest {
    static final Path DIR = Path.of("src/test/resources/golden/ir");

    static Stream<String> cases() throws IOException {
        try (Stream<Path> files = Files.list(DIR)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".adnet")).sorted().toList().stream();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGolden(String name) throws IOException {
        CompileResult result = new Compiler(p -> Files.readAllBytes(DIR.resolve(p))).check(List.of(Path.of(name)));
        assertThat(result.diagnostics()).as("diagnostics of %s", name).isEmpty();
        StringBuilder actual = new StringBuilder();
        for (CompiledNetwork n : result.networks()) {
            actual.append(IrPrinter.print(n.graph()));
        }
        Path golden = DIR.resolve(name.replaceFirst("\\.adnet$", ".ir.txt"));
        if (Boolean.getBoolean("adnet.updateGolden")) {
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s (run with -Dadnet.updateGolden=true to create it)", golden).exists();
        assertThat(actual.toString()).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
