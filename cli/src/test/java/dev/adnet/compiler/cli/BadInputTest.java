package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile and unusual input through the command line, in-process ({@code adnet check}; {@code compile} does not
 * exist yet). Every case must end with the right exit code, a message positioned as {@code file:line:col}, and
 * never a stack trace.
 */
class BadInputTest {
    private static final String VALID = "network Net {\n  input x: [3, 8, 8]\n  output y: [10]\n"
            + "  y = x -> conv(8, 3) -> batchnorm -> relu -> global_avg_pool -> dense(10)\n}\n";

    @TempDir
    Path dir;

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(args, o, e);
        }
        Run r = new Run(exit, out.toString(), err.toString());
        assertThat(r.out() + r.err()).as("no stack trace").doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("Error:");
        return r;
    }

    private Path file(String name, byte[] bytes) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private Path file(String name, String text) throws IOException {
        return file(name, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Checks {@code p}, expecting exit 1 and exactly one error with {@code code} at {@code line:col}. */
    private static Run error(Path p, String code, int line, int col) {
        Run r = run("check", p.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith(p + ":" + line + ":" + col + ": error[" + code + "]: ").endsWith("1 error\n");
        assertThat(r.out()).isEmpty();
        return r;
    }

    @Test
    void emptyFile() throws IOException {
        Run r = error(file("empty.adnet", new byte[0]), "ADN101", 1, 1);
        assertThat(r.err()).contains("file declares nothing");
    }

    @Test
    void randomBinaryBytes() throws IOException {
        byte[] bytes = new byte[4096];
        new Random(42).nextBytes(bytes);
        Path p = file("random.adnet", bytes);
        Run r = run("check", p.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).matches("(?s)" + java.util.regex.Pattern.quote(p.toString()) + ":\\d+:\\d+: error\\[ADN00[23]\\]: .*\n1 error\n");
    }

    @Test
    void binaryWithValidUtf8() throws IOException {
        Run r = error(file("nul.adnet", "network Net {\n  in\0put x: [3]\n}\n"), "ADN003", 2, 5);
        assertThat(r.err()).contains("U+0000");
    }

    @Test
    void invalidUtf8() throws IOException {
        byte[] bytes = "network N\u00e9t {\n  input x: [3]\n}\n".getBytes(StandardCharsets.ISO_8859_1);
        Run r = error(file("latin1.adnet", bytes), "ADN002", 1, 10);
        assertThat(r.err()).contains("invalid UTF-8 byte 0xE9 at byte offset 9");
    }

    @Test
    void byteOrderMarkIsAccepted() throws IOException {
        byte[] text = VALID.getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(text, 0, bytes, 3, text.length);
        Run r = run("check", file("bom.adnet", bytes).toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isEqualTo(Main.OK);
    }

    @Test
    void byteOrderMarkKeepsColumns() throws IOException {
        byte[] text = "network Net {\n  input x: [3]\n  output y: [3]\n  y = x -> relu $\n}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[text.length + 3];
        bytes[0] = (byte) 0xEF;
        bytes[1] = (byte) 0xBB;
        bytes[2] = (byte) 0xBF;
        System.arraycopy(text, 0, bytes, 3, text.length);
        error(file("bom_error.adnet", bytes), "ADN012", 4, 17);
    }

    @Test
    void unterminatedComment() throws IOException {
        error(file("comment.adnet", "network Net {\n  input x: [3] /* never\n  closed\n"), "ADN010", 2, 16);
    }

    @Test
    void unterminatedString() throws IOException {
        error(file("string.adnet", "network Net {\n  input x: [3]\n  output y: [3]\n  y = x -> conv(3, 3, padding = \"same)\n}\n"),
                "ADN011", 4, 33);
    }

    @Test
    void tenThousandNestedParentheses() throws IOException {
        String text = "network Net {\n  input x: [3]\n  output y: [3]\n  y = " + "(".repeat(10_000) + "x" + ")".repeat(10_000) + "\n}\n";
        // the network's brace is the first level, so the 200th parenthesis (column 6 + 200) is one too many
        Run r = error(file("parens.adnet", text), "ADN005", 4, 206);
        assertThat(r.err()).contains("nesting is deeper than 200");
    }

    @Test
    void tenThousandNestedBraces() throws IOException {
        String text = "block B() " + "{ ".repeat(10_000) + "relu" + " }".repeat(10_000) + "\n";
        error(file("braces.adnet", text), "ADN005", 1, 11 + 2 * 200);
    }

    @Test
    void tenThousandPrefixMinusSigns() throws IOException {
        String text = "network Net {\n  input x: [3]\n  output y: [3]\n  y = " + "-".repeat(10_000) + "x\n}\n";
        Run r = error(file("minus.adnet", text), "ADN005", 4, 7 + 200);
        assertThat(r.err()).contains("prefix operators");
    }

    @Test
    void fiveMegabyteFile() throws IOException {
        StringBuilder sb = new StringBuilder(VALID);
        while (sb.length() < 5 * 1024 * 1024) {
            sb.append("// padding padding padding padding padding padding padding padding padding padding\n");
        }
        Run r = error(file("big.adnet", sb.toString()), "ADN004", 1, 1);
        assertThat(r.err()).contains("the limit is 4194304 bytes");
    }

    @Test
    void javaKeywordsAndNonAsciiNamesCheckClean() throws IOException {
        String text = """
                block class(int: int, new: float = 0.1) { conv(int, 3) -> batchnorm(momentum = new) -> relu }
                block public() { relu }

                network 网络 {
                  input größe: [3, 8, 8]
                  output δ: [4, 8, 8]
                  static = größe -> class(4)
                  δ = static -> public
                }

                network void {
                  input 特徴: [16]
                  output return: [10]
                  return = 特徴 -> dense(10)
                }
                """;
        Run r = run("check", file("names.adnet", text).toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.exit()).isEqualTo(Main.OK);
    }

    @Test
    void missingFile() {
        Path p = dir.resolve("nowhere.adnet");
        Run r = error(p, "ADN001", 1, 1);
        assertThat(r.err()).contains("no such file");
    }

    @Test
    void directoryAsFile() throws IOException {
        Path p = Files.createDirectory(dir.resolve("folder.adnet"));
        Run r = error(p, "ADN001", 1, 1);
        assertThat(r.err()).contains("cannot read");
    }

    @Test
    void noArguments() {
        Run r = run();
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("a command is needed");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"check", "describe", "compile", "train", "eval", "calibrate", "predict"})
    void everyCommandAnswersHelp(String command) {
        Run r = run(command, "--help");
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.out()).startsWith("Usage: adnet " + command);
        assertThat(r.err()).isEmpty();
    }

    /**
     * A network whose generated training step exceeds the JVM's 64 KB method limit (100 residual blocks) is refused
     * with one positioned line, not an internal error with the generated source.
     */
    @Test
    void aNetworkTooLargeForOneJavaMethodIsAClearError() throws IOException {
        StringBuilder src = new StringBuilder("network Deep {\n  input image: [1, 28, 28]\n  output logits: [10]\n  h = image -> conv(8, 3)");
        for (int i = 0; i < 100; i++) {
            src.append("\n    -> residual { conv(8, 3, bias = false) -> batchnorm -> relu -> conv(8, 3, bias = false) -> batchnorm } -> relu");
        }
        src.append("\n  logits = h -> global_avg_pool -> dense(10)\n"
                + "  train { loss cross_entropy(logits) optimizer sgd(lr = 0.1) batch 8 epochs 1 }\n}\n");
        Path p = dir.resolve("deep.adnet");
        Files.writeString(p, src, StandardCharsets.UTF_8);
        Run r = run("train", p.toString(), "--epochs", "1", "--limit", "64");
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith(p + ":1:1: error: this network is too large to compile")
                .contains("64 KB").doesNotContain("generated source");
        assertThat(r.err().lines()).hasSize(1);
    }

    @Test
    void checkWithoutFile() {
        Run r = run("check");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("FILE");
    }

    @Test
    void unknownOption() throws IOException {
        Run r = run("check", "--frobnicate", file("ok.adnet", VALID).toString());
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--frobnicate");
    }

    @Test
    void unknownCommand() {
        Run r = run("frobnicate");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
    }

    @Test
    void validFileChecksClean() throws IOException {
        Run r = run("check", file("valid.adnet", VALID).toString());
        assertThat(r.exit()).isEqualTo(Main.OK);
        assertThat(r.err()).isEmpty();
    }

    /**
     * A convolution whose FLOPs pass a long: {@code describe} used to print a wrapped (negative) total and exit 0; both
     * commands now print the positioned error and exit 1, and {@code describe} prints no table.
     */
    @Test
    void flopsBeyondALongAreAnErrorInCheckAndDescribe() throws IOException {
        Path p = file("huge.adnet", "network Huge {\n  input x: [1, 46340, 46340]\n  output y: [1, 46340, 46340]\n"
                + "  y = x -> conv(1, 46339) -> conv(1, 46339)\n}\n");
        Run check = error(p, "ADN904", 4, 30);
        assertThat(check.err()).contains("FLOPs per sample reach");
        Run describe = run("describe", p.toString());
        assertThat(describe.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(describe.err()).isEqualTo(check.err());
        assertThat(describe.out()).isEmpty();
    }
}
