package dev.adnet.compiler.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.check.Catalogue;
import dev.adnet.compiler.index.SymbolIndex.Kind;
import dev.adnet.compiler.index.SymbolIndex.Occurrence;
import dev.adnet.compiler.source.Span;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SymbolIndexTest {
    private static final String LIB = """
            block Basic(c: int, stride: int = 1) {
              conv(c, 3, stride = stride) -> batchnorm -> relu
            }
            """;
    private static final String MAIN = """
            import Basic from "lib/blocks.adnet"
            block Twice(c: int) { x => h = x -> Basic(c); h -> Basic(c) }
            network Net {
              input image: [1, 8, 8]
              output logits: [10]
              stem = image -> conv(4, 3)
              body = stem -> residual Basic(4, stride = 1) -> Twice(4)
              logits = body -> global_avg_pool -> dense(10)
            }
            """;

    private static CompileResult compile(String lib) {
        Map<Path, String> files = Map.of(Path.of("app/main.adnet"), MAIN, Path.of("app/lib/blocks.adnet"), lib);
        Compiler compiler = new Compiler(p -> {
            // Imports are read by absolute path.
            String text = files.get(p.isAbsolute() ? Path.of("").toAbsolutePath().relativize(p) : p);
            if (text == null) {
                throw new NoSuchFileException(p.toString());
            }
            return text.getBytes(StandardCharsets.UTF_8);
        });
        return compiler.check(List.of(Path.of("app/main.adnet")));
    }

    private static SymbolIndex index(CompileResult r, String file) {
        return SymbolIndex.of(file, r.units()).orElseThrow();
    }

    @Test
    void resolvesValuesBlocksParametersAndImportsAcrossFiles() {
        CompileResult r = compile(LIB);
        assertThat(r.diagnostics()).isEmpty();
        SymbolIndex main = index(r, "app/main.adnet");
        SymbolIndex lib = index(r, "app/lib/blocks.adnet");

        Occurrence stemUse = main.at(7, 10).orElseThrow();
        assertThat(stemUse.symbol().kind()).isEqualTo(Kind.VALUE);
        assertThat(stemUse.symbol().declaration()).isEqualTo(Span.of("app/main.adnet", 6, 3, 4));
        assertThat(main.occurrencesOf(stemUse.symbol().declaration())).extracting(o -> o.span().line()).containsExactly(6, 7);

        // The block of another file: its import, its uses, and its declaration in the other file's index.
        Occurrence basic = main.at(7, 29).orElseThrow();
        Span declared = Span.of("app/lib/blocks.adnet", 1, 7, 5);
        assertThat(basic.symbol().declaration()).isEqualTo(declared);
        assertThat(main.occurrencesOf(declared)).extracting(o -> o.span().line()).containsExactly(1, 2, 2, 7);
        assertThat(lib.occurrencesOf(declared)).singleElement().satisfies(o -> assertThat(o.declaration()).isTrue());

        // A named argument names the block's parameter.
        Occurrence strideArg = main.at(7, 41).orElseThrow();
        assertThat(strideArg.symbol().kind()).isEqualTo(Kind.PARAM);
        assertThat(strideArg.symbol().declaration()).isEqualTo(Span.of("app/lib/blocks.adnet", 1, 21, 6));
        assertThat(main.parametersOf(basic.symbol())).extracting(SymbolIndex.Symbol::detail).containsExactly("c: int", "stride: int = 1");
        assertThat(lib.occurrencesOf(strideArg.symbol().declaration())).hasSize(2); // conv's own stride is not it

        // Body inputs and bindings are scoped to their body; an output and its assignment are one symbol.
        assertThat(main.at(2, 32).orElseThrow().symbol().declaration()).isEqualTo(Span.of("app/main.adnet", 2, 23, 1));
        Occurrence logits = main.at(8, 3).orElseThrow();
        assertThat(logits.symbol().kind()).isEqualTo(Kind.OUTPUT);
        assertThat(main.occurrencesOf(logits.symbol().declaration())).allMatch(Occurrence::declaration).hasSize(2);

        assertThat(main.at(6, 19).orElseThrow().symbol()).satisfies(s -> {
            assertThat(s.kind()).isEqualTo(Kind.LAYER);
            assertThat(s.detail()).startsWith("conv(channels: int, kernel: int, stride: int = 1");
        });
    }

    @Test
    void outlineAndNamesInScope() {
        SymbolIndex main = index(compile(LIB), "app/main.adnet");
        assertThat(main.outline()).extracting(o -> o.symbol().name()).containsExactly("Twice", "Net");
        assertThat(main.outline().get(0).endLine()).isEqualTo(2);
        assertThat(main.outline().get(1).children()).extracting(o -> o.symbol().name())
                .containsExactly("image", "logits", "stem", "body");
        assertThat(main.visibleAt(7)).extracting(SymbolIndex.Symbol::name).contains("image", "stem", "Basic", "Twice")
                .doesNotContain("h", "c");
        assertThat(main.visibleAt(2)).extracting(SymbolIndex.Symbol::name).contains("c", "h", "Basic").doesNotContain("stem");
    }

    @Test
    void theCheckerRecordsShapesAndParameterValues() {
        CompileResult r = compile(LIB);
        assertThat(r.facts().at(Span.of("app/main.adnet", 6, 3, 4))).containsExactly("tensor [4, 8, 8]");
        assertThat(r.facts().at(Span.of("app/lib/blocks.adnet", 1, 13, 1))).containsExactly("4");
    }

    @Test
    void aFileWithCheckErrorsIsStillIndexed() {
        CompileResult r = compile(LIB.replace("relu", "relu -> nosuch"));
        assertThat(r.hasErrors()).isTrue();
        assertThat(index(r, "app/lib/blocks.adnet").at(2, 8).orElseThrow().symbol().kind()).isEqualTo(Kind.PARAM);
        assertThat(SymbolIndex.of("app/none.adnet", r.units())).isEmpty();
    }

    @Test
    void catalogueListsEveryLayerWithDocumentation() {
        assertThat(Catalogue.layers()).isNotEmpty().allSatisfy(l -> assertThat(l.doc()).as(l.name()).isNotBlank());
        assertThat(Catalogue.construct("gate").orElseThrow().label()).contains("target: float = 0.6");
        assertThat(Catalogue.trainSettings()).contains("loss", "optimizer", "batch");
    }
}
