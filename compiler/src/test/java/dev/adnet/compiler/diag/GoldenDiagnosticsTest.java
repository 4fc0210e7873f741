package dev.adnet.compiler.diag;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.testing.Golden;
import java.io.IOException;
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
 * directory. The cli module runs the same files through the real {@code adnet check} ({@code CheckCommandTest}).
 *
 * <p>To rewrite the expected files after an intended change of messages, run {@link Golden#UPDATE_COMMAND} and
 * review the diff before committing it.
 */
class GoldenDiagnosticsTest {
    /** Relative to the working directory, as a user would type it. */
    static final Path DIR = Path.of("").toAbsolutePath().relativize(Golden.dir("diagnostics"));

    static Stream<String> cases() throws IOException {
        return Golden.files(DIR, ".adnet");
    }

    /** Reads {@code path} relative to the golden directory; imports arrive as absolute paths under the working directory. */
    private static byte[] read(Path path) throws IOException {
        Path cwd = Path.of("").toAbsolutePath();
        Path relative = path.isAbsolute() ? cwd.relativize(path.normalize()) : path;
        return Files.readAllBytes(DIR.resolve(relative));
    }

    /** What {@code adnet check name} prints to stderr ({@link CompileResult#report()}), after its exit code. */
    static String check(String name) {
        CompileResult result = new Compiler(GoldenDiagnosticsTest::read).check(List.of(Path.of(name)));
        return "exit " + (result.hasErrors() ? 1 : 0) + "\n" + result.report();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesExpected(String name) throws IOException {
        String actual = check(name);
        Path expectedFile = DIR.resolve(name.replaceFirst("\\.adnet$", ".expected"));
        Golden.check(expectedFile, actual);
        String expected = Files.readString(expectedFile, StandardCharsets.UTF_8);
        assertThat(actual).startsWith("exit 1\n").doesNotContain("Exception").doesNotContain("\tat ");
    }
}
