package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.ir.FusionReport;
import dev.adnet.compiler.ir.IrPrinter;
import dev.adnet.compiler.pass.Pipeline;
import dev.adnet.compiler.testing.Golden;
import java.io.IOException;
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
 * The corpus of IR and generated Java, the safety net of every lowering and emitter change ("process replay"): each
 * {@code NAME.adnet}
 * in {@code golden/corpus/} (one network each) and each sample in {@code samples/src/main/adnet/dev/adnet/samples/}
 * is compiled exactly as {@code adnet compile} compiles it; its printed IR ({@link IrPrinter}, what
 * {@code adnet describe --ir} prints) must equal {@code NAME.ir.txt} and its Java {@code NAME.java.txt} beside it
 * ({@code corpus/samples/} for a sample). Where the network runs channels-last, its channels-first
 * emission ({@link CompiledNetwork#toJava(String, boolean)}) is pinned too, as {@code NAME.nchw.java.txt}. Adding a
 * case is adding a source file; the first line of each corpus file names the emitter path it pins.
 *
 * <p>A file is compiled under its bare name through a {@link Compiler.SourceReader} that reads from its directory,
 * so the generated header does not depend on the machine; the source hash is the SHA-256 of the file's bytes. Only
 * the front end runs: no network is instantiated. Update with {@link Golden#UPDATE_COMMAND} and review the diff.
 */
class GoldenCorpusTest {
    private static final Path CORPUS = Golden.dir("corpus");
    private static final Path SAMPLES = Golden.fromRoot("samples/src/main/adnet/dev/adnet/samples");

    /** One source file and the directory of its golden Java. */
    record Case(Path sourceDir, String file, Path goldenDir) {
        String stem() {
            return file.replaceFirst("\\.adnet$", "");
        }

        @Override
        public String toString() {
            return goldenDir.equals(CORPUS) ? stem() : CORPUS.relativize(goldenDir) + "/" + stem();
        }
    }

    static Stream<Case> cases() throws IOException {
        return Stream.concat(
                Golden.files(CORPUS, ".adnet").map(f -> new Case(CORPUS, f, CORPUS)),
                Golden.files(SAMPLES, ".adnet").map(f -> new Case(SAMPLES, f, CORPUS.resolve("samples"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void matchesGolden(Case c) throws IOException, NoSuchAlgorithmException {
        CompileResult result = new Compiler(p -> Files.readAllBytes(c.sourceDir().resolve(p))).check(List.of(Path.of(c.file())));
        assertThat(result.diagnostics()).as("diagnostics of %s", c).isEmpty();
        assertThat(result.networks()).as("networks in %s", c).hasSize(1);
        CompiledNetwork n = result.networks().get(0);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(Files.readAllBytes(c.sourceDir().resolve(c.file()))));
        assertThat(n.sourceFile()).isEqualTo(c.file());
        assertThat(n.sourceHash()).as("the source hash is the SHA-256 of the file").isEqualTo(sha);

        Golden.check(c.goldenDir().resolve(c.stem() + ".ir.txt"), IrPrinter.print(n.graph())
                + "\nfusions:\n" + FusionReport.describe(n.graph(), Pipeline.inference(true).run(n.graph())));
        String java = n.toJava("adnet.generated").toString();
        assertThat(java).contains(sha);
        Golden.check(c.goldenDir().resolve(c.stem() + ".java.txt"), java);
        String channelsFirst = n.toJava("adnet.generated", false).toString();
        Path nchw = c.goldenDir().resolve(c.stem() + ".nchw.java.txt");
        if (channelsFirst.equals(java)) {
            Golden.checkAbsent(nchw, "the network runs channels-first either way");
        } else {
            Golden.check(nchw, channelsFirst);
        }
    }
}
