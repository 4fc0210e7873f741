package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitUnit;
import dev.adnet.runtime.adaptive.GateUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** {@code Network.units()} of a generated network: what it says agrees with the cost model, and it drives the network. */
class AdaptiveUnitsTest {
    private static final String GATE_AND_EXIT = """
            block Basic(c: int) {
              conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
            }

            network GateAndExit {
              input x: [2, 8, 8]
              output y: [3]

              s = x -> conv(4, 3, bias = false) -> batchnorm -> relu
              f = s
                -> gate(target = 0.25) residual Basic(4) -> relu
                -> exit early when entropy < 0.5 { global_avg_pool -> dense(3) }
                -> gate(target = 0.75) residual Basic(4) -> relu
              y = f -> global_avg_pool -> dense(3)
            }
            """;

    @Test
    void unitsListTheConstructsInScheduleOrderWithTheCostModelsFigures() {
        CompiledNetwork compiled = GatedNetworkTest.compile(GATE_AND_EXIT);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 1);
        CostModel.Report cost = compiled.cost();

        List<AdaptiveUnit> units = net.units();
        assertThat(units).extracting(AdaptiveUnit::kind)
                .containsExactly(AdaptiveUnit.Kind.GATE, AdaptiveUnit.Kind.EXIT, AdaptiveUnit.Kind.GATE);
        assertThat(units).extracting(AdaptiveUnit::index).containsExactly(0, 0, 1);
        assertThat(units).extracting(AdaptiveUnit::name).containsExactly("f.gate1", "early", "f.gate2");
        assertThat(units).extracting(AdaptiveUnit::path).containsExactly("f.gate1", "f.early", "f.gate2");

        List<GateUnit> gates = net.units(GateUnit.class);
        List<GateCost> gateCosts = cost.units(GateCost.class);
        assertThat(gates).extracting(GateUnit::target).containsExactly(0.25, 0.75);
        for (int g = 0; g < gates.size(); g++) {
            assertThat(gates.get(g).cost().flops()).isEqualTo(gateCosts.get(g).bodyFlops()).isPositive();
            assertThat(gates.get(g).cost().saved()).isEqualTo(gateCosts.get(g).bodyFlops());
        }
        assertThat(gates.get(0).expectedFlops()).isEqualTo(0.25 * gateCosts.get(0).bodyFlops());

        ExitUnit exit = net.units(ExitUnit.class).get(0);
        ExitCost exitCost = cost.units(ExitCost.class).get(0);
        assertThat(exit.policy()).isEqualTo(ExitPolicy.ENTROPY);
        assertThat(exit.leavingFlops()).isEqualTo(exitCost.cumulativeFlops());
        assertThat(exit.cost().flops()).isEqualTo(exitCost.headFlops());
        assertThat(exit.cost().saved()).isEqualTo(cost.totalFlops() - exitCost.cumulativeFlops());
        assertThat(ExitUnit.leavingFlops(net)).containsExactly(ExitCost.leavingFlops(cost));
        assertThat(ExitUnit.fullFlops(net)).isEqualTo(ExitCost.fullFlops(cost));
    }

    @Test
    void modesAndThresholdsSetThroughTheUnitsDriveTheNetwork() {
        Network net = InMemoryCompiler.instantiate(GatedNetworkTest.compile(GATE_AND_EXIT), DataType.FLOAT, 1);
        INDArray x = Nd4j.rand(DataType.FLOAT, 6, 2, 8, 8);
        List<GateUnit> gates = net.units(GateUnit.class);
        ExitUnit exit = net.units(ExitUnit.class).get(0);

        // the mode is the network's: set through one gate, every gate reads it
        gates.get(1).mode(GateMode.ALL_OPEN);
        assertThat(gates).extracting(GateUnit::mode).containsOnly(GateMode.ALL_OPEN);
        ExitUnit.mode(net, ExitMode.FULL);
        Prediction full = net.predict(Map.of("x", x));
        for (boolean[] row : full.executed()) {
            assertThat(row).containsOnly(true);
        }
        assertThat(full.flops()).containsOnly(ExitUnit.fullFlops(net));

        exit.mode(ExitMode.ALL_HEADS);
        assertThat(net.predict(Map.of("x", x)).exitOutputs()).hasSize(1);

        exit.threshold(0.25);
        assertThat(ExitUnit.thresholds(net)).containsExactly(0.25);
        assertThatThrownBy(() -> ExitUnit.thresholds(net, new double[] {0.1, 0.2}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("GateAndExit: 1 exit thresholds expected, got 2");
    }

    @Test
    void aStaticNetworkHasNoUnits() {
        Network net = InMemoryCompiler.instantiate(GatedNetworkTest.compile("""
                network Plain {
                  input x: [4]
                  output y: [3]
                  y = x -> dense(3)
                }
                """), DataType.FLOAT, 1);
        assertThat(net.units()).isEmpty();
        assertThat(ExitUnit.leavingFlops(net)).containsExactly(net.flopsPerSample());
    }
}
