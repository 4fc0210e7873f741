package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitUnit;
import dev.adnet.runtime.adaptive.GateUnit;
import java.util.Arrays;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Compacted inference on network shapes beyond a plain chain: whatever the rest of the network reads after an exit
 * must follow the samples that stay, so that every sample's output is the one it gets alone.
 */
class ExitRoutingReviewTest {

    @Test
    void skipConnectionAcrossAnExit() {
        routesLikeAlone("""
                network Skip {
                  input x: [2, 6, 6]
                  output y: [3]
                  a = x -> conv(4, 3) -> relu
                  h = a -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3) -> relu
                  y = concat(a, h) -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    @Test
    void secondInputReadAfterAnExit() {
        Nd4j.getRandom().setSeed(3);
        routesLikeAlone("""
                network TwoInputs {
                  input x: [2, 6, 6]
                  input z: [3]
                  output y: [3]
                  h = x -> conv(4, 3) -> relu
                    -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) }
                    -> conv(4, 3) -> relu -> global_avg_pool
                  y = concat(h, z) -> dense(3)
                }
                """, Map.of("z", Nd4j.rand(DataType.FLOAT, BATCH, 3)));
    }

    @Test
    void dropoutAndBatchnormAroundAnExit() {
        routesLikeAlone("""
                network Drop {
                  input x: [2, 6, 6]
                  output y: [3]
                  h = x -> conv(4, 3) -> batchnorm -> dropout(0.3)
                    -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) }
                    -> batchnorm -> relu -> conv(4, 3) -> batchnorm -> relu
                  y = h -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    /** A batchnorm before the exit whose only reader, a ReLU after it, runs fused with it: its input must follow. */
    @Test
    void batchnormFusedWithAReluAfterTheExit() {
        routesLikeAlone("""
                network FusedAcross {
                  input x: [2, 6, 6]
                  output y: [3]
                  a = x -> conv(4, 3) -> batchnorm
                  h = x -> conv(4, 3) -> relu -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3)
                  b = a -> relu
                  y = concat(b, h) -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    /** A block with a named exit, used twice: each exit's loss term is reported under its own name. */
    @Test
    void aNamedExitInABlockUsedTwiceHasTermsOfItsOwn() {
        CompiledNetwork compiled = GatedNetworkTest.compile("""
                block E(c: int) {
                  conv(c, 3) -> relu -> exit early when confidence > 0.5 { global_avg_pool -> dense(3) }
                }
                network Twice {
                  input x: [2, 6, 6]
                  output y: [3]
                  h = x -> E(4) -> E(4)
                  y = h -> global_avg_pool -> dense(3)
                  train { loss cross_entropy(y) }
                }
                """);
        List<String> shown = compiled.graph().training().terms().stream().map(t -> t.display()).toList();
        assertThat(shown).doesNotHaveDuplicates().hasSize(3);
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, 4, 3);
        for (int n = 0; n < 4; n++) {
            oneHot.putScalar(n, n % 3, 1.0);
        }
        StepResult r = net.trainStep(new Batch(Map.of("x", Nd4j.rand(DataType.DOUBLE, 4, 2, 6, 6)), Map.of("y", oneHot), Map.of()),
                new StepContext(0, 0, 0.5, 1));
        assertThat(r.terms()).hasSize(3);
        assertThat(r.terms().values().stream().mapToDouble(Double::doubleValue).sum()).isCloseTo(r.loss(),
                org.assertj.core.data.Offset.offset(1e-9));
    }

    /** Exits in a shared body share their head's weights: both exits' losses reach them. */
    @Test
    void gradientOfExitsInASharedBody() {
        for (String freeze : new String[] {"", "\n    freeze backbone"}) {
            CompiledNetwork compiled = GatedNetworkTest.compile("""
                    network Shared {
                      input x: [2, 6, 6]
                      output y: [3]
                      h = x -> conv(4, 3) -> batchnorm -> relu
                        -> repeat 2 shared { conv(4, 3) -> batchnorm -> relu -> exit e(weight = 0.7) when confidence > 0.5 { global_avg_pool -> dense(3) } }
                      y = h -> global_avg_pool -> dense(3)
                      train {
                        loss cross_entropy(y) + 0.5 * distill(y, temperature = 2)
                        exit_weights ramp(0.2 -> 1.0)%s
                      }
                    }
                    """.formatted(freeze));
            TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
            randomize(net, new SplittableRandom(5));
            SplittableRandom rnd = new SplittableRandom(9);
            INDArray x = Nd4j.create(DataType.DOUBLE, 4, 2, 6, 6);
            for (long i = 0; i < x.length(); i++) {
                x.putScalar(i, 2 * rnd.nextDouble() - 1);
            }
            INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, 4, 3);
            for (int n = 0; n < 4; n++) {
                oneHot.putScalar(n, n % 3, 1.0);
            }
            Batch data = new Batch(Map.of("x", x), Map.of("y", oneHot), Map.of());
            StepContext ctx = new StepContext(0, 0, 0.3, 1);
            net.trainStep(data, ctx);
            // distillation's teacher is detached, so its gradient is exact only for the heads
            dev.adnet.compiler.testing.NetworkGradientCheck.Result result = dev.adnet.compiler.testing.NetworkGradientCheck
                    .check(net, data, ctx, p -> p.name().contains(".e.") && net.trainableParameters().contains(p));
            assertThat(result.checked()).as(freeze).isGreaterThan(10);
            assertThat(result.worst()).as(freeze).isLessThan(1e-6);
        }
    }

    @Test
    void exitInsideAResidualBodyAndOnTheInput() {
        routesLikeAlone("""
                network InResidual {
                  input x: [2, 6, 6]
                  output y: [3]
                  h = x -> exit raw when confidence > 0.5 { flatten -> dense(3) }
                    -> conv(4, 3) -> relu
                    -> residual { conv(4, 3) -> relu -> exit inner when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3) }
                    -> relu
                  y = concat(h, x) -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    @Test
    void exitsInParallelBranches() {
        routesLikeAlone("""
                network Parallel {
                  input x: [2, 6, 6]
                  output y: [3]
                  a = x -> conv(4, 3) -> relu
                  b = a -> exit left when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3) -> relu
                  c = a -> conv(4, 3) -> relu -> exit right when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3)
                  y = concat(b, c) -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    @Test
    void exitsInsideRepeatAndBlocks() {
        routesLikeAlone("""
                block E(c: int) {
                  conv(c, 3) -> relu -> exit when confidence > 0.5 { global_avg_pool -> dense(3) }
                }
                network Rep {
                  input x: [2, 6, 6]
                  output y: [3]
                  h = x -> conv(4, 3) -> repeat 2 { E(4) } -> E(4)
                  y = h -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    @Test
    void exitsInsideRepeatShared() {
        routesLikeAlone("""
                network Shared {
                  input x: [2, 6, 6]
                  output y: [3]
                  h = x -> conv(4, 3) -> relu
                    -> repeat 2 shared { conv(4, 3) -> relu -> exit when confidence > 0.5 { global_avg_pool -> dense(3) } }
                  y = h -> global_avg_pool -> dense(3)
                }
                """, Map.of());
    }

    private static final String GATES = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Both {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> gate(open_bias = 0.1) residual B(4) -> relu
                -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) }
                -> gate(open_bias = 0.1) residual B(4) -> relu
                -> exit second when confidence > 0.5 { global_avg_pool -> dense(3) }
                -> gate(open_bias = 0.1) residual B(4)
              y = h -> global_avg_pool -> dense(3)
            }
            """;

    @Test
    void gatesAroundExitsInEveryGateMode() {
        for (dev.adnet.runtime.GateMode mode : dev.adnet.runtime.GateMode.values()) {
            routesLikeAlone(GATES, Map.of(), mode);
        }
    }

    /** Every sample leaves at the first exit: the gates after it never ran, and each sample's cost says so. */
    @Test
    void everySampleLeavesAtTheFirstExitWithGatesAfterIt() {
        CompiledNetwork compiled = GatedNetworkTest.compile(GATES);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 11);
        randomize(net, new SplittableRandom(23));
        INDArray x = inputs();
        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        Prediction all = net.predict(Map.of("x", x));
        ExitUnit.thresholds(net, new double[] {0.0, 0.5});
        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        Prediction p = net.predict(Map.of("x", x));
        long[] gateFlops = compiled.cost().units(GateCost.class).stream().mapToLong(g -> g.bodyFlops()).toArray();
        long first = ExitCost.leavingFlops(compiled.cost())[0];
        assertThat(p.exits()).containsOnly(0);
        assertThat(maxDiff(p.outputs().get("y"), all.exitOutputs().get(0))).isLessThan(1e-6);
        for (int n = 0; n < BATCH; n++) {
            assertThat(p.executed()[n][1]).isFalse();
            assertThat(p.executed()[n][2]).isFalse();
            assertThat(p.executed()[n][0]).isEqualTo(all.executed()[n][0]);
            assertThat(p.flops()[n]).isEqualTo(first - (p.executed()[n][0] ? 0 : gateFlops[0]));
        }
        // and a later call where nobody leaves does not see the earlier call's gates
        ExitUnit.thresholds(net, new double[] {1.0, 1.0});
        Prediction none = net.predict(Map.of("x", x));
        assertThat(none.exits()).containsOnly(2);
        assertThat(maxDiff(none.outputs().get("y"), all.outputs().get("y"))).isLessThan(1e-5);
    }

    /** All but one sample leave at the first exit: the rest of the network runs on a batch of one row. */
    @Test
    void oneSampleGoesOnAlone() {
        String skip = """
                network Skip {
                  input x: [2, 6, 6]
                  output y: [3]
                  a = x -> conv(4, 3) -> batchnorm -> relu
                  h = a -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) } -> conv(4, 3) -> batchnorm -> relu
                    -> exit second when confidence > 0.5 { flatten -> dense(3) }
                  y = concat(a, h) -> global_avg_pool -> dense(3)
                }
                """;
        for (String src : new String[] {skip, GATES}) {
            Network net = InMemoryCompiler.instantiate(GatedNetworkTest.compile(src), DataType.FLOAT, 11);
            randomize(net, new SplittableRandom(23));
            INDArray x = inputs();
            ExitUnit.mode(net, ExitMode.ALL_HEADS);
            Prediction all = net.predict(Map.of("x", x));
            double[] c = confidence(all.exitOutputs().get(0)).clone();
            Arrays.sort(c);
            ExitUnit.thresholds(net, new double[] {(c[0] + c[1]) / 2, 1.0});
            ExitUnit.mode(net, ExitMode.ADAPTIVE);
            Prediction p = net.predict(Map.of("x", x));
            assertThat(Arrays.stream(p.exits()).filter(e -> e == 2).count()).isEqualTo(1);
            for (int n = 0; n < BATCH; n++) {
                int e = p.exits()[n];
                INDArray expected = e == 0 ? all.exitOutputs().get(0).getRow(n) : all.outputs().get("y").getRow(n);
                assertThat(maxDiff(p.outputs().get("y").getRow(n), expected)).as("sample %d at exit %d", n, e).isLessThan(1e-5);
            }
        }
    }

    static final int BATCH = 16;

    static void routesLikeAlone(String src, Map<String, INDArray> extra) {
        routesLikeAlone(src, extra, null);
    }

    static INDArray inputs() {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, BATCH, 2, 6, 6).subi(0.5);
        for (int n = 0; n < BATCH; n++) {
            x.slice(n).muli((n - BATCH / 2.0) / 3.0).addi((n % 3) - 1.0);
        }
        return x;
    }

    static void routesLikeAlone(String src, Map<String, INDArray> extra, dev.adnet.runtime.GateMode gateMode) {
        CompiledNetwork compiled = GatedNetworkTest.compile(src);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 11);
        randomize(net, new SplittableRandom(23));
        if (gateMode != null) {
            GateUnit.mode(net, gateMode);
        }
        Map<String, INDArray> in = new HashMap<>(extra);
        in.put("x", inputs());
        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        Prediction all = net.predict(in);
        int exits = net.units(ExitUnit.class).size();
        double[] t = new double[exits];
        for (int k = 0; k < exits; k++) {
            t[k] = median(confidence(all.exitOutputs().get(k)));
        }
        ExitUnit.thresholds(net, t);
        assertThat(ExitUnit.thresholds(net)).containsExactly(t, org.assertj.core.data.Offset.offset(1e-6));
        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        Prediction adaptive = net.predict(in);
        int[] histogram = new int[exits + 1];
        for (int e : adaptive.exits()) {
            histogram[e]++;
        }
        assertThat(histogram[0]).as(Arrays.toString(histogram)).isPositive();
        assertThat(histogram[exits]).as(Arrays.toString(histogram)).isLessThan(BATCH);
        for (int n = 0; n < BATCH; n++) {
            Map<String, INDArray> one = new HashMap<>();
            for (Map.Entry<String, INDArray> e : in.entrySet()) {
                one.put(e.getKey(), e.getValue().get(NDArrayIndex.interval(n, n + 1)).dup());
            }
            INDArray alone = net.forward(one).get("y");
            int e = adaptive.exits()[n];
            INDArray expected = e < exits ? all.exitOutputs().get(e).getRow(n) : all.outputs().get("y").getRow(n);
            assertThat(maxDiff(adaptive.outputs().get("y").getRow(n), expected)).as("sample %d at exit %d", n, e).isLessThan(1e-5);
            assertThat(maxDiff(alone.reshape(3), expected)).as("sample %d alone", n).isLessThan(1e-5);
        }
    }

    static double[] confidence(INDArray logits) {
        double[] h = logits.castTo(DataType.DOUBLE).dup('c').data().asDouble();
        int rows = (int) logits.size(0);
        int classes = (int) logits.size(1);
        double[] s = new double[rows];
        for (int r = 0; r < rows; r++) {
            s[r] = ExitPolicy.confidence(h, r * classes, classes);
        }
        return s;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }


}
