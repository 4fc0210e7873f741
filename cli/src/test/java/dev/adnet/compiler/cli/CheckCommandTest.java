package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The real {@code adnet check}, in-process, on the compiler's golden diagnostics
 * ({@code compiler/src/test/resources/golden/diagnostics}, pinned there by {@code GoldenDiagnosticsTest}): with the
 * path as a user would type it, it prints the golden text, with only the file name's prefix differing, and nothing on
 * stdout. A plain {@code check FILE...} takes the path without picocli ({@link Main#plainCheck}), so these cases
 * run that path; anything else goes through picocli.
 */
class CheckCommandTest {
    static final Path DIR = locate();

    private static Path locate() {
        for (String candidate : List.of("../compiler/src/test/resources/golden/diagnostics",
                "compiler/src/test/resources/golden/diagnostics")) {
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
    void printsTheGoldenDiagnostics(String name) throws IOException {
        Path expectedFile = DIR.resolve(name.replaceFirst("\\.adnet$", ".expected"));
        String expected = Files.readString(expectedFile, StandardCharsets.UTF_8);
        String prefix = DIR.toString().replace('\\', '/') + "/";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(new String[] {"check", prefix + name}, o, e);
        }
        String viaCli = ("exit " + exit + "\n" + err).replace(DIR + File.separator, "").replace(prefix, "");
        assertThat(viaCli).isEqualTo(expected);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void onlyCheckWithFilesAloneSkipsPicocli() {
        assertThat(Main.plainCheck(new String[] {"check", "a.adnet", "lib/b.adnet"}))
                .containsExactly(Path.of("a.adnet"), Path.of("lib/b.adnet"));
        assertThat(Main.plainCheck(new String[] {"check"})).isNull();
        assertThat(Main.plainCheck(new String[] {"check", "--help"})).isNull();
        assertThat(Main.plainCheck(new String[] {"check", "a.adnet", "-x"})).isNull();
        assertThat(Main.plainCheck(new String[] {"check", "@files.txt"})).isNull();
        assertThat(Main.plainCheck(new String[] {"check", ""})).isNull();
        assertThat(Main.plainCheck(new String[] {"check", "a\0.adnet"})).isNull();
        assertThat(Main.plainCheck(new String[] {"describe", "a.adnet"})).isNull();
    }

    @Test
    void checkWithAnOptionStillGoesThroughPicocli() {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(new String[] {"check", "--nonsense", "a.adnet"}, o, e);
        }
        assertThat(exit).isEqualTo(Main.USAGE);
        assertThat(err.toString()).contains("--nonsense");
    }
}
