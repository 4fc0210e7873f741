package dev.adnet.compiler.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.diag.Diagnostic;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Fuzzes the front end and checker with Jazzer. Whatever the input, the compiler must not throw, and every
 * diagnostic must carry a position (line and column from 1) and a message.
 *
 * <p>In a normal {@code mvn test} (regression mode) only the seeds under
 * {@code src/test/resources/dev/adnet/compiler/fuzz/ParserFuzzTestInputs/<method>/} run, plus any crash reproducers
 * saved there. To fuzz for real, run one method with {@code JAZZER_FUZZ=1}, for example
 * {@code JAZZER_FUZZ=1 mvn -o -pl compiler test -Dtest='ParserFuzzTest#arbitraryBytes'}; findings are written into
 * the same directory and become regression tests.
 */
class ParserFuzzTest {
    private static final Path MAIN = Path.of("fuzz.adnet");

    /** Valid programs the structure-aware variant starts from. */
    private static final List<String> SEEDS = List.of(
            """
            block Basic(c: int, stride: int = 1) {
              conv(c, 3, stride = stride) -> batchnorm -> relu -> conv(c, 3) -> batchnorm
            }
            network Net {
              input image: [1, 28, 28]
              output logits: [10]
              stem = image -> conv(16, 3) -> batchnorm -> relu
              s1 = stem -> residual Basic(16) -> relu
              s2 = s1 -> residual(shortcut = projection(32, stride = 2)) Basic(32, stride = 2) -> relu
              logits = s2 -> global_avg_pool -> dense(10)
              train {
                loss cross_entropy(logits, smoothing = 0.1)
                optimizer sgd(lr = 0.1, momentum = 0.9, nesterov = true)
                schedule step(at = [2, 4], factor = 0.1)
                batch 64
                epochs 5
              }
            }
            """,
            """
            network Mlp {
              input x: [784]
              output y: [10]
              h = x -> dense(256) -> relu -> dropout(0.2)
              y = { a => b = a -> dense(256) -> tanh; b + a }(h) -> dense(10)
            }
            """,
            """
            network Rep {
              input x: [8, 8, 8]
              output y: [8, 8, 8]
              y = x -> repeat 3 shared { conv(8, 3) -> relu } -> gate residual { conv(8, 3) }
            }
            """);

    /** Tokens spliced into programs: keywords, punctuation, and edge-case literals. */
    private static final List<String> TOKENS = List.of("{", "}", "(", ")", "[", "]", ",", ":", ";", "->", "=>", "=", "+", "-",
            "*", "/", "<", ">=", "network", "block", "input", "output", "train", "residual", "gate", "repeat", "upto", "halt",
            "fixedpoint", "ode", "exit", "share", "branch", "task", "state", "import", "from", "\"", "/*", "*/", "//", "\n", " ", "0",
            "1", "-1", "99999999999999999999", "1e999", "0.5", "x", "conv", "dense", "relu", "concat", "relu(x)", "\u00e9",
            "\uFEFF", "\t", "$", "\\", "\"lib.adnet\"");

    @FuzzTest(maxDuration = "30s")
    void arbitraryBytes(byte[] data) {
        check(data);
    }

    @FuzzTest(maxDuration = "30s")
    void mutatedProgram(FuzzedDataProvider data) {
        StringBuilder text = new StringBuilder(SEEDS.get(data.consumeInt(0, SEEDS.size() - 1)));
        int edits = data.consumeInt(1, 8);
        for (int i = 0; i < edits && text.length() > 0; i++) {
            int at = data.consumeInt(0, text.length());
            switch (data.consumeInt(0, 3)) {
                case 0 -> text.insert(at, TOKENS.get(data.consumeInt(0, TOKENS.size() - 1)));
                case 1 -> text.delete(at, Math.min(text.length(), at + data.consumeInt(1, 40)));
                case 2 -> {
                    int end = Math.min(text.length(), at + data.consumeInt(1, 80));
                    text.insert(end, text.substring(at, end));
                }
                default -> text.setLength(at);
            }
        }
        check(text.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** Checks {@code bytes} as the file {@code fuzz.adnet}; imports of it find nothing. */
    static void check(byte[] bytes) {
        Compiler compiler = new Compiler(path -> {
            if (path.equals(MAIN)) {
                return bytes;
            }
            throw new NoSuchFileException(path.toString());
        });
        CompileResult result = compiler.check(List.of(MAIN));
        assertThat(result).as("the compiler must return a result, not throw").isNotNull();
        for (Diagnostic d : result.diagnostics()) {
            assertThat(d.span().line()).as("line of %s", d).isGreaterThanOrEqualTo(1);
            assertThat(d.span().column()).as("column of %s", d).isGreaterThanOrEqualTo(1);
            assertThat(d.message()).as("message of %s", d).isNotBlank();
            assertThat(d.code().id()).as("%s", d).isNotEqualTo("ADN999");
        }
        String rendered = result.render();
        assertThat(rendered).doesNotContain("Exception");
    }
}
