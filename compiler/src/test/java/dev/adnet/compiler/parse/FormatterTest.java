package dev.adnet.compiler.parse;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.ir.IrPrinter;
import dev.adnet.compiler.source.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FormatterTest {
    private static final Pattern COMMENT = Pattern.compile("//[^\n]*|/\\*(?s:.*?)\\*/");

    static Stream<Path> files() throws IOException {
        List<Path> files = new ArrayList<>();
        for (String dir : List.of("src/test/resources/golden/corpus", "../samples/src/main/adnet")) {
            try (Stream<Path> walk = Files.walk(Path.of(dir))) {
                walk.filter(p -> p.toString().endsWith(".adnet")).sorted().forEach(files::add);
            }
        }
        assertThat(files).hasSizeGreaterThan(20);
        return files.stream();
    }

    private static String format(String text) {
        Formatter.Result r = Formatter.format(new SourceFile("t.adnet", text));
        assertThat(r.diagnostics()).isEmpty();
        return r.text().orElseThrow();
    }

    @ParameterizedTest
    @MethodSource("files")
    void idempotentKeepsCommentsAndMeaning(Path file) throws IOException {
        String original = Files.readString(file);
        String once = format(original);
        assertThat(format(once)).as("formatting %s twice", file).isEqualTo(once);
        assertThat(comments(once)).as("comments of %s", file).isEqualTo(comments(original));
        assertThat(astWithoutPositions(once)).isEqualTo(astWithoutPositions(original));
        assertThat(irWithoutPositions(once, file)).isEqualTo(irWithoutPositions(original, file));
    }

    @Test
    void oneCanonicalLayout() {
        String messy = """


                // a block
                block   B( c :int,s:int=1 ){conv(c,3,stride=s)->relu}
                network N{
                input x:[1,8,8]   // the image
                output y : [ 10 ]  // classes



                h=x->B( 4 )->gate( target=0.5 )residual B(4)
                -> ( relu )
                /* pooled */ y = h -> global_avg_pool -> dense(10) -> scale(-1)

                    train { loss cross_entropy(y)
                batch 2
                    }
                }
                """;
        String expected = """
                // a block
                block B(c: int, s: int = 1) { conv(c, 3, stride = s) -> relu }
                network N {
                  input x: [1, 8, 8] // the image
                  output y: [10]     // classes

                  h = x -> B(4) -> gate(target = 0.5) residual B(4)
                    -> (relu)
                  /* pooled */ y = h -> global_avg_pool -> dense(10) -> scale(-1)

                  train { loss cross_entropy(y)
                    batch 2
                  }
                }
                """;
        assertThat(format(messy)).isEqualTo(expected);
        assertThat(format(expected)).isEqualTo(expected);
    }

    @Test
    void continuationsAndNestedBodies() {
        String text = """
                network N {
                input x: [4]
                output y: [4]
                y = x
                -> repeat 2 {
                dense(4) // inside
                -> relu
                // before the brace
                }
                -> { a => b = a -> dense(4); b + a }(x)
                }
                """;
        assertThat(format(text)).isEqualTo("""
                network N {
                  input x: [4]
                  output y: [4]
                  y = x
                    -> repeat 2 {
                      dense(4) // inside
                        -> relu
                      // before the brace
                    }
                    -> { a => b = a -> dense(4); b + a }(x)
                }
                """);
    }

    @Test
    void aFileThatDoesNotParseIsNotFormatted() {
        Formatter.Result r = Formatter.format(new SourceFile("bad.adnet", "network N {\n  y = x ->\n}\n"));
        assertThat(r.text()).isEmpty();
        assertThat(r.diagnostics()).singleElement().satisfies(d -> assertThat(d.headline()).startsWith("bad.adnet:3:1: error"));
        assertThat(Formatter.format("bin.adnet", new byte[] {(byte) 0xff}).diagnostics()).hasSize(1);
    }

    private static List<String> comments(String text) {
        List<String> found = new ArrayList<>();
        Matcher m = COMMENT.matcher(text);
        while (m.find()) {
            found.add(m.group());
        }
        return found;
    }

    /** The AST printed without its spans: equal when only the layout differs. */
    private static String astWithoutPositions(String text) {
        var parsed = SourceParser.parse(new SourceFile("t.adnet", text));
        assertThat(parsed.diagnostics()).isEmpty();
        return parsed.unit().orElseThrow().toString().replaceAll(",? ?(path)?[sS]pan=[^,\\]]*", "");
    }

    /** Every network's IR with its source positions removed. */
    private static String irWithoutPositions(String text, Path file) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Compiler compiler = new Compiler(p -> {
            if (p.equals(file)) {
                return bytes;
            }
            if (Files.exists(p)) {
                return Files.readAllBytes(p);
            }
            throw new NoSuchFileException(p.toString());
        });
        CompileResult result = compiler.check(List.of(file));
        assertThat(result.diagnostics()).as("diagnostics of %s", file).isEmpty();
        return result.networks().stream().map(CompiledNetwork::graph).map(IrPrinter::print)
                .map(s -> s.replaceAll("@\\d+:\\d+", "")).collect(Collectors.joining("\n"));
    }
}
