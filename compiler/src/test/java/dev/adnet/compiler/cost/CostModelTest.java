package dev.adnet.compiler.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.emit.TestGraphs;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class CostModelTest {
    @Test
    void cnn() {
        long conv1 = 2L * 4 * 8 * 8 * 2 * 9 + 4 * 64;
        long bn = 2L * 256;
        long relu1 = 256;
        long pool = 64L * 4;
        long conv2 = 2L * 64 * 4 * 9;
        long relu2 = 64;
        long add = 64;
        long gap = 64;
        long fc = 2L * 4 * 3 + 3;
        assertThat(CostModel.of(TestGraphs.cnn()).totalFlops())
                .isEqualTo(conv1 + bn + relu1 + pool + conv2 + relu2 + add + gap + fc);
    }

    /**
     * A halting loop: its step (body, halting unit, accumulation) once per step taken; the table's total is every
     * loop at its cap, min one step, and a state costs nothing.
     */
    @Test
    void haltingLoopCostsItsStepTimesTheStepsTaken() {
        String source = """
                network L {
                  input x: [8]
                  output y: [2]
                  state s: [16] = zeros(16)
                  r = s -> repeat upto 5 shared halt act(ponder = 0.01) { s => tanh(dense(16)(s) + dense(16)(x)) }
                  y = r -> dense(2)
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("l.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        CostModel.Report cost = r.networks().get(0).cost();
        long body = (2L * 16 * 16 + 16) + (2L * 8 * 16 + 16) + 16 + 16; // two dense layers, add, tanh
        long halting = 2L * 16 + 1 + 1; // dense to one output, sigmoid
        long step = body + halting + 2 * 16; // and the p-weighted accumulation
        long head = 2L * 16 * 2 + 2;
        assertThat(cost.units(LoopCost.class)).singleElement().satisfies(l -> {
            assertThat(l.stepFlops()).isEqualTo(step);
            assertThat(l.cap()).isEqualTo(5);
        });
        assertThat(cost.totalFlops()).isEqualTo(5 * step + head);
        assertThat(LoopCost.minFlops(cost)).isEqualTo(step + head);
    }

    /**
     * A gated loop's pass costs its body, its gate and the accumulation; the cap's pass computes no gate. With each
     * gate open at its target t, pass k + 1 runs with probability t^k.
     */
    @Test
    void aGatedLoopCostsItsPassesAndTheExpectedOnesFollowFromTheTarget() {
        String source = """
                network G {
                  input x: [16]
                  output y: [2]
                  r = x -> repeat upto 3 shared gate(target = 0.5, hidden = 4) { dense(16) -> tanh }
                  y = r -> dense(2)
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("g.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        CostModel.Report cost = r.networks().get(0).cost();
        long body = (2L * 16 * 16 + 16) + 16; // dense and tanh
        long gate = (2L * 16 * 4 + 4) + 2 * 4 + 4 + (2L * 4 * 2 + 2) + 2; // dense, batchnorm, relu, dense, decision
        long pass = body + gate + 2 * 16;
        long head = 2L * 16 * 2 + 2;
        assertThat(cost.units(LoopCost.class)).singleElement().satisfies(l -> {
            assertThat(l.gated()).isTrue();
            assertThat(l.stepFlops()).isEqualTo(pass);
            assertThat(l.decisionFlops()).isEqualTo(gate);
            assertThat(l.flops()).isEqualTo(3 * pass - gate);
            assertThat(l.expectedPasses()).isEqualTo(1 + 0.5 + 0.25);
            assertThat(l.expectedFlops()).isEqualTo(1.75 * pass - 0.25 * gate);
        });
        assertThat(cost.totalFlops()).isEqualTo(3 * pass - gate + head);
        assertThat(LoopCost.minFlops(cost)).isEqualTo(pass + head);
    }

    /** Each exit costs everything before it, earlier heads included; the final output costs the whole network. */
    @Test
    void exitsCostWhatComesBeforeThem() {
        String source = """
                network E {
                  input x: [16]
                  output y: [4]
                  h = x -> dense(8) -> relu
                    -> exit a when confidence > 0.9 { dense(4) }
                    -> dense(8) -> relu
                    -> exit b when entropy < 0.5 { dense(4) }
                  y = h -> dense(4)
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("e.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        CostModel.Report cost = r.networks().get(0).cost();
        // per sample: dense 2*in*out + out (bias), relu 1 per element, exit decision 3 per logit
        long dense1 = 2L * 16 * 8 + 8;
        long relu = 8;
        long head = 2L * 8 * 4 + 4;
        long decision = 3L * 4;
        long dense2 = 2L * 8 * 8 + 8;
        long last = 2L * 8 * 4 + 4;
        List<ExitCost> exits = cost.units(ExitCost.class);
        assertThat(exits).hasSize(2);
        assertThat(exits.get(0).headFlops()).isEqualTo(head + decision);
        long[] leaving = ExitCost.leavingFlops(cost);
        assertThat(leaving).containsExactly(dense1 + relu + head + decision,
                dense1 + relu + head + decision + dense2 + relu + head + decision,
                cost.totalFlops());
        assertThat(exits.get(0).saved()).isEqualTo(cost.totalFlops() - leaving[0]);
        assertThat(ExitCost.fullFlops(cost)).isEqualTo(cost.totalFlops() - 2 * (head + decision))
                .isEqualTo(dense1 + relu + dense2 + relu + last);
        double[] p = {0.5, 0.25, 0.25};
        assertThat(ExitCost.expectedFlops(cost, p)).isEqualTo(0.5 * leaving[0] + 0.25 * leaving[1] + 0.25 * leaving[2]);
    }

    /**
     * The largest legal network of its kind: a tensor of 2,147,395,600 elements (within the runtime's 2^31 - 1) and
     * one convolution whose FLOPs per sample, 2 * 46340^2 * 46339^2, are within 0.02% of the largest long. The
     * checker accepts it and the cost model gives the exact count, which plain long arithmetic of one more such
     * layer would wrap to a negative number.
     */
    @Test
    void largestLegalNetworkIsCountedExactly() {
        String source = """
                network Largest {
                  input x: [1, 46340, 46340]
                  output y: [1, 46340, 46340]
                  y = x -> conv(1, 46339, bias = false) -> relu
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("l.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        CostModel.Report cost = r.networks().get(0).cost();
        BigInteger pixels = BigInteger.valueOf(46340L * 46340);
        BigInteger conv = BigInteger.TWO.multiply(pixels).multiply(BigInteger.valueOf(46339L * 46339));
        BigInteger total = conv.add(pixels);
        assertThat(cost.rows().get(0).flops()).isEqualTo(conv.longValueExact()).isEqualTo(9_222_217_688_845_095_200L);
        assertThat(cost.totalFlops()).isEqualTo(total.longValueExact());
        assertThat(cost.totalParams()).isEqualTo(46339L * 46339);
        assertThat(Long.MAX_VALUE - cost.totalFlops()).isLessThan(cost.rows().get(0).flops() / 1000);
    }
}
