package dev.adnet.compiler.pass;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.IrPrinter;
import dev.adnet.compiler.testing.Golden;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each pass as IR before and after: {@code golden/passes/NAME.adnet} (NAME a pass's {@link Pass#name()}) is checked,
 * the passes of the channels-last inference pipeline before NAME's run on it, and the IR that NAME receives and the
 * IR it returns are pinned as {@code NAME.before.ir.txt} and {@code NAME.after.ir.txt}. The pass must change
 * something, and running it again must change nothing.
 */
class PassGoldenTest {
    private static final Path DIR = Golden.dir("passes");

    static Stream<String> passes() {
        return Pipeline.inference(true).passes().stream().map(Pass::name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("passes")
    void rewritesAsPinned(String name) throws IOException {
        String file = name + ".adnet";
        CompileResult result = new Compiler(p -> Files.readAllBytes(DIR.resolve(p))).check(List.of(Path.of(file)));
        assertThat(result.diagnostics()).as("diagnostics of %s", file).isEmpty();
        Graph graph = result.networks().get(0).graph();
        Pass pass = null;
        for (Pass p : Pipeline.inference(true).passes()) {
            if (p.name().equals(name)) {
                pass = p;
                break;
            }
            graph = p.run(graph);
        }
        String before = IrPrinter.print(graph);
        Graph rewritten = pass.run(graph);
        String after = IrPrinter.print(rewritten);
        Golden.check(DIR.resolve(name + ".before.ir.txt"), before);
        Golden.check(DIR.resolve(name + ".after.ir.txt"), after);
        assertThat(after).as("%s rewrites its golden network", name).isNotEqualTo(before);
        assertThat(IrPrinter.print(pass.run(rewritten))).as("%s a second time", name).isEqualTo(after);
    }
}
