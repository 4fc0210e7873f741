package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Golden diagnostics: every {@code *.adnet} file in {@code src/test/resources/golden/diagnostics/} is checked the way
 * {@code adnet check FILE} checks it, and what it prints to stderr, preceded by a line {@code exit N}, must equal the
 * file's {@code .expected} twin byte for byte. Files under {@code lib/} are only imported by the cases.
 *
 * <p>The case is checked under its bare file name ({@code x.adnet}) through a {@link Compiler.SourceReader} that
 * resolves against the golden directory, so the expected text does not depend on the machine or the working
 * directory. The same file is also run through {@link Main#run} with its path relative to the module directory, and
 * that output must be the golden text with only the file name's prefix differing.
 *
 * <p>To rewrite the expected files after an intended change of messages, run
 * {@code mvn -o -q -pl compiler test -Dtest=GoldenDiagnosticsTest -Dadnet.updateGolden=true} and review the diff
 * before committing it.
 */
class GoldenDiagnosticsTest {
    static final Path DIR = locate();
    private static final boolean UPDATE = Boolean.getBoolean("adnet.updateGolden");

    private static Path locate() {
        for (String candidate : List.of("src/test/resources/golden/diagnostics", "compiler/src/test/resources/golden/diagnostics")) {
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

    /** Reads {@code path} relative to the golden directory; imports arrive as absolute paths under the working directory. */
    private static byte[] read(Path path) throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path relative = path.isAbsolute() ? cwd.relativize(path.normalize()) : path;
        return Files.readAllBytes(DIR.resolve(relative));
    }

    /** What {@code adnet check name} prints to stderr, after its exit code, as {@link CheckCommand} does it. */
    static String check(String name) {
        CompileResult result = new Compiler(GoldenDiagnosticsTest::read).check(List.of(Path.of(name)));
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter w = new PrintWriter(err)) {
            exit = Reports.diagnostics(result, w) ? Main.DIAGNOSTICS : Main.OK;
        }
        return "exit " + exit + "\n" + err;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesExpected(String name) throws IOException {
        String actual = check(name);
        Path expectedFile = DIR.resolve(name.replaceFirst("\\.adnet$", ".expected"));
        if (UPDATE) {
            Files.writeString(expectedFile, actual, StandardCharsets.UTF_8);
        }
        assertThat(expectedFile).as("golden file for %s (run with -Dadnet.updateGolden=true to create it)", name).exists();
        String expected = Files.readString(expectedFile, StandardCharsets.UTF_8);
        assertThat(actual).isEqualTo(expected);
        assertThat(actual).startsWith("exit 1\n").doesNotContain("Exception").doesNotContain("\tat ");

        // The real command line, in-process, with the path as a user would type it from the module directory.
        String prefix = DIR.toString().replace('\\', '/') + "/";
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(new String[] {"check", prefix + name}, o, e);
        }
        String viaCli = ("exit " + exit + "\n" + err).replace(DIR.toString() + java.io.File.separator, "").replace(prefix, "");
        assertThat(viaCli).isEqualTo(expected);
        assertThat(out.toString()).isEmpty();
    }
}
