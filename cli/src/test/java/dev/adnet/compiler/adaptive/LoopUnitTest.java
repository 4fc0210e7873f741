package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.GateUnit;
import dev.adnet.runtime.loop.LoopUnit;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Loops as adaptive units: {@code units()} describes each loop with the cost model's figures, and a gated loop's
 * gates follow the network's gate mode, set through the units as for gated blocks.
 */
class LoopUnitTest {
    private static final String ACT = """
            network Act {
              input x: [5]
              output y: [3]
              state s: [6] = zeros(6)
              r = s -> repeat upto 5 shared halt act(ponder = 0.05) { s => tanh(dense(6)(s) + dense(6)(x)) }
              y = r -> dense(3)
            }
            """;

    @Test
    void aGatedLoopIsAUnitWhoseGatesFollowTheGateMode() {
        CompiledNetwork compiled = GatedLoopNetworkTest.compile("straight_through");
        Network net = InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        GatedLoopNetworkTest.randomize(net);
        LoopCost cost = compiled.cost().units(LoopCost.class).get(0);
        assertThat(net.units()).singleElement().extracting(AdaptiveUnit::kind).isEqualTo(AdaptiveUnit.Kind.LOOP);
        LoopUnit loop = net.units(LoopUnit.class).get(0);
        assertThat(loop.path()).isEqualTo("r.repeat1");
        assertThat(loop.gated()).isTrue();
        assertThat(loop.cap()).isEqualTo(GatedLoopNetworkTest.CAP);
        assertThat(loop.target()).isEqualTo(0.5);
        assertThat(loop.stepFlops()).isEqualTo(cost.stepFlops());
        assertThat(loop.cost().flops()).isEqualTo(cost.flops());
        assertThat(loop.cost().saved()).isEqualTo(cost.saved());

        var inputs = HaltingNetworkTest.batch(16, 5).inputs();
        assertThat(passes(net.predict(inputs))).as("adaptive: the samples stop after different passes").hasSizeGreaterThan(1);
        GateUnit.mode(net, GateMode.ALL_OPEN);
        assertThat(loop.mode()).isEqualTo(GateMode.ALL_OPEN);
        assertThat(passes(net.predict(inputs))).as("all open: every sample to the cap").containsExactly(GatedLoopNetworkTest.CAP);
        loop.mode(GateMode.ADAPTIVE);
        assertThat(passes(net.predict(inputs))).hasSizeGreaterThan(1);
    }

    @Test
    void aHaltingLoopIsAUnitWithoutGates() {
        Network net = InMemoryCompiler.instantiate(HaltingNetworkTest.compile(ACT), DataType.DOUBLE, 3);
        LoopUnit loop = net.units(LoopUnit.class).get(0);
        assertThat(loop.gated()).isFalse();
        assertThat(loop.cap()).isEqualTo(5);
        assertThat(loop.target()).isNaN();
        assertThatThrownBy(loop::mode).isInstanceOf(UnsupportedOperationException.class).hasMessageContaining("r.repeat1");
        GateUnit.mode(net, GateMode.ALL_OPEN); // no gates: nothing to set, nothing thrown
    }

    private static int[] passes(Prediction p) {
        return Arrays.stream(p.steps()).mapToInt(s -> s[0]).distinct().sorted().toArray();
    }
}
