package dev.adnet.compiler.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code repeat n shared}: later passes reuse the first pass's tensors, also when repeats nest. */
class WeightSharingTest {

    private static Graph compile(String body) {
        String source = """
                network N {
                  input x: [4, 6, 6]
                  output y: [3]
                  h = x -> %s
                  y = h -> global_avg_pool -> dense(3)
                }
                """.formatted(body);
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("n.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0).graph();
    }

    /** Distinct convolution weights among the convolutions of the network, and how many convolutions run. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "repeat 3 shared { conv(4, 3) -> batchnorm } | 1 | 3",
        "repeat 2 shared { conv(4, 3) -> repeat 2 shared { conv(4, 3) } -> conv(4, 3) } | 3 | 8",
        "repeat 2 shared { conv(4, 3) -> repeat 2 { conv(4, 3) } -> conv(4, 3) } | 4 | 8",
        "repeat 2 { conv(4, 3) -> repeat 3 shared { conv(4, 3) } } | 4 | 8",
        "repeat 2 shared { repeat 2 shared { repeat 2 shared { conv(4, 3) } } } | 1 | 8"})
    void nestedRepeatsShareWhatTheirSharedLevelsSay(String body, int distinct, int convs) {
        Graph g = compile(body);
        List<Op.Conv2d> ops = g.ops().stream().filter(o -> o instanceof Op.Conv2d).map(o -> (Op.Conv2d) o).toList();
        assertThat(ops).hasSize(convs);
        assertThat(ops.stream().map(Op.Conv2d::weight).distinct().count()).isEqualTo(distinct);
        assertThat(g.params().stream().filter(p -> p.name().endsWith(".weight") && p.shape().length == 4).count())
                .as("declared convolution weights").isEqualTo(distinct);
    }

    @Test
    void batchnormStateIsSharedWithItsWeights() {
        Graph g = compile("repeat 2 shared { conv(4, 3) -> batchnorm -> repeat 2 shared { batchnorm } }");
        List<Op.BatchNorm> bns = g.ops().stream().filter(o -> o instanceof Op.BatchNorm).map(o -> (Op.BatchNorm) o).toList();
        assertThat(bns).hasSize(6);
        assertThat(bns.stream().map(Op.BatchNorm::runningMean).distinct().count()).isEqualTo(2);
        assertThat(g.buffers()).hasSize(4);
    }
}
