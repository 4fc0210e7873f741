package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.batch;
import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.adaptive.BatchOrder;
import dev.adnet.runtime.adaptive.GateUnit;
import dev.adnet.runtime.train.Batch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gated networks compiled from source: the gate's gradients (soft mode entirely, the straight-through estimator
 * where its defined gradient is the true one), and inference with batch compaction against the masked reference
 * and against per-sample runs.
 */
class GatedNetworkTest {
    private static final String TWO_GATES = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Gated {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> gate(estimator = "%1$s", open_bias = 0.1) residual B(4) -> relu
                -> gate(estimator = "%1$s", target = 0.3, hidden = 5, open_bias = 0.1)
                     residual(shortcut = projection(6)) B(6)
              y = h -> global_avg_pool -> dense(3)
              train {
                loss cross_entropy(y) + 0.5 * target_rate([0.3, 0.7]) + 0.3 * flops_budget(0.2)
                temperature 0.7
              }
            }
            """;

    private static final String ONE_GATE = """
            network OneGate {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> gate(estimator = "straight_through", open_bias = 0.1)
                     residual(shortcut = projection(4)) { conv(4, 3) -> relu -> conv(4, 3) }
              y = h -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate(0.5) }
            }
            """;

    /**
     * The gated block's shortcut is read again after it (by the concat), so inference must not add into it in place
     * (the ReLU is still fused into the scatter); the first gate of TWO_GATES is the in-place case.
     */
    private static final String SHORTCUT_READ_LATER = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Reused {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
              a = h -> gate(estimator = "straight_through", open_bias = 0.1) residual B(4) -> relu
              y = concat(a, h) -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate(0.5) }
            }
            """;

    /**
     * ConvNet-AIG's blocks, ending with a batchnorm: when a gate's open rows are one range of the batch (all open, or
     * a window), the block's last convolution adds into that range of the shortcut inside oneDNN and the next gate
     * head's means are pooled from the range alone. The third gate's body is one convolution, which reads the
     * shortcut's rows it would write: it keeps the separate add.
     */
    private static final String ADDING_BLOCKS = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm }
            network Adding {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> repeat 2 { gate(estimator = "straight_through", open_bias = 0.1) residual B(4) -> relu }
                -> gate(estimator = "straight_through", open_bias = 0.1) residual { conv(4, 3, bias = false) -> batchnorm }
                -> relu
              y = h -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate(0.5) }
            }
            """;

    /**
     * The first gate's input is read again at the end, across both gates, and the network has two outputs: a
     * window must reorder that input with the batch, and both outputs come back in input order.
     */
    private static final String READ_ACROSS_GATES = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Across {
              input x: [2, 6, 6]
              output y: [3]
              output m: [4]
              h = x -> conv(4, 3) -> relu
              a = h -> gate(estimator = "straight_through", open_bias = 0.1) residual B(4) -> relu
                -> gate(estimator = "straight_through", open_bias = 0.1) residual B(4) -> relu
              y = concat(a, h) -> global_avg_pool -> dense(3)
              m = a -> global_avg_pool
              train { loss cross_entropy(y) + 0.5 * target_rate(0.5) }
            }
            """;

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("gated.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    @Test
    void softGatesWholeNetworkGradientCheck() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(String.format(TWO_GATES, "soft")),
                DataType.DOUBLE, 3);
        double worst = check(net, p -> true);
        System.out.printf("soft gates: max relative error %.3g%n", worst);
        assertThat(worst).isLessThan(1e-6);
    }

    /**
     * With one gate, nothing after the gate's decision influences it: for the block's body and the head after it,
     * the straight-through gradient is the true gradient of the hard forward, so finite differences must match.
     */
    @Test
    void straightThroughGradientOfParametersTheDecisionDoesNotDependOn() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ONE_GATE), DataType.DOUBLE, 3);
        double worst = check(net, p -> p.name().contains(".body.") || p.name().contains(".shortcut.") || p.name().startsWith("y."));
        assertThat(worst).isLessThan(1e-6);
    }

    /** The ST gradient of the gate head is the soft sample's: nonzero although the hard forward is flat there. */
    @Test
    void straightThroughPassesGradientToTheGateHead() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ONE_GATE), DataType.DOUBLE, 3);
        randomize(net, new SplittableRandom(17));
        net.trainStep(batch(4, new SplittableRandom(5), DataType.DOUBLE), new StepContext(0, 0, 0, 99));
        for (Parameter p : net.parameters()) {
            if (p.name().contains(".gate1.dense2.")) {
                assertThat(p.gradient().norm2Number().doubleValue()).as(p.name()).isGreaterThan(0);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(BatchOrder.Policy.class)
    void compactionEqualsMaskAndPerSampleRuns(BatchOrder.Policy policy) {
        withPolicy(policy, () -> compactionEqualsMaskAndPerSampleRuns(compile(String.format(TWO_GATES, "straight_through"))));
    }

    @ParameterizedTest
    @EnumSource(BatchOrder.Policy.class)
    void compactionEqualsMaskWhenTheShortcutIsReadAfterTheBlock(BatchOrder.Policy policy) {
        CompiledNetwork compiled = compile(SHORTCUT_READ_LATER);
        assertThat(compiled.toJava("t").toString()).contains("scatterResidual").doesNotContain("addRowsInPlace");
        withPolicy(policy, () -> compactionEqualsMaskAndPerSampleRuns(compiled));
    }

    /**
     * Windows (the open rows swapped into one range of the batch, the batch left in its new order) give what gathers
     * give: the same outputs in input order, the same trace of which gates ran for which sample.
     */
    @Test
    void windowsGiveTheOutputsAndTracesOfGathers() {
        for (String source : List.of(String.format(TWO_GATES, "straight_through"), SHORTCUT_READ_LATER, READ_ACROSS_GATES,
                ADDING_BLOCKS)) {
            CompiledNetwork compiled = compile(source);
            assertThat(compiled.toJava("t").toString()).contains("order.window(");
            Network net = randomGates(compiled, 29);
            Map<String, INDArray> in = Map.of("x", mixedBatch(24));
            Prediction gathered = withPolicy(BatchOrder.Policy.GATHER, () -> net.predict(in));
            for (BatchOrder.Policy p : List.of(BatchOrder.Policy.WINDOW, BatchOrder.Policy.CHEAPER)) {
                Prediction windowed = withPolicy(p, () -> net.predict(in));
                assertThat(windowed.executed()).as("%s %s", compiled.graph().name(), p).isDeepEqualTo(gathered.executed());
                assertThat(windowed.flops()).isEqualTo(gathered.flops());
                assertThat(windowed.outputs().keySet()).isEqualTo(gathered.outputs().keySet());
                for (String name : gathered.outputs().keySet()) {
                    assertThat(maxDiff(windowed.outputs().get(name), gathered.outputs().get(name)))
                            .as("%s %s output %s", compiled.graph().name(), p, name).isLessThan(1e-6);
                }
            }
        }
    }

    /** A gate on the network's input would reorder the caller's array: it gathers. */
    @Test
    void aGateOnTheNetworkInputGathers() {
        assertThat(compile(ONE_GATE).toJava("t").toString()).contains("Compaction.gather(").doesNotContain("order.window(");
    }

    private static <T> T withPolicy(BatchOrder.Policy policy, java.util.function.Supplier<T> body) {
        BatchOrder.Policy saved = BatchOrder.policy();
        BatchOrder.policy(policy);
        try {
            return body.get();
        } finally {
            BatchOrder.policy(saved);
        }
    }

    private static void withPolicy(BatchOrder.Policy policy, Runnable body) {
        withPolicy(policy, () -> {
            body.run();
            return null;
        });
    }

    /** The network with random parameters and its gate heads' last biases at 0. */
    private static Network randomGates(CompiledNetwork compiled, long seed) {
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 11);
        randomize(net, new SplittableRandom(seed));
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith(".dense2.bias")) {
                p.value().assign(0.0); // decisions then follow each sample's features, not a dominant bias
            }
        }
        return net;
    }

    /** Samples of very different scale and sign, so that the gates' decisions differ between them. */
    private static INDArray mixedBatch(int batch) {
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 2, 6, 6).subi(0.5);
        for (int n = 0; n < batch; n++) {
            x.slice(n).muli((n - batch / 2.0 + 0.5) / 2.0).addi((n % 3) - 1.0);
        }
        return x;
    }

    @ParameterizedTest
    @EnumSource(BatchOrder.Policy.class)
    void compactionEqualsMaskWhenTheLastConvolutionAddsIntoTheShortcut(BatchOrder.Policy policy) {
        CompiledNetwork compiled = compile(ADDING_BLOCKS);
        String java = compiled.toJava("t").toString();
        assertThat(java.split("ChannelsLast\\.convBatchNormAdd\\(", -1)).as("two gated blocks add in oneDNN").hasSize(3);
        assertThat(java).contains("Compaction.windowMeans(");
        assertThat(compile(String.format(TWO_GATES, "straight_through")).toJava("t").toString())
                .as("blocks that do not end with a batchnorm").doesNotContain("convBatchNormAdd(");
        withPolicy(policy, () -> compactionEqualsMaskAndPerSampleRuns(compiled));
    }

    @Test
    void anIdentityShortcutReadByNothingLaterIsUpdatedInPlace() {
        assertThat(compile(String.format(TWO_GATES, "straight_through")).toJava("t").toString()).contains("addRowsInPlace");
    }

    private static void compactionEqualsMaskAndPerSampleRuns(CompiledNetwork compiled) {
        Network net = randomGates(compiled, 23);
        int batch = 16;
        INDArray x = mixedBatch(batch);

        Prediction adaptive = net.predict(Map.of("x", x));
        int[] open = new int[net.units(GateUnit.class).size()];
        for (boolean[] row : adaptive.executed()) {
            for (int g = 0; g < row.length; g++) {
                open[g] += row[g] ? 1 : 0;
            }
        }
        assertThat(java.util.Arrays.stream(open).anyMatch(k -> k > 0 && k < batch)).as("a mix of open and closed samples exercises gather and scatter: %s", java.util.Arrays.toString(open)).isTrue();

        GateUnit.mode(net, GateMode.MASK);
        INDArray masked = net.forward(Map.of("x", x)).get("y");
        GateUnit.mode(net, GateMode.ADAPTIVE);
        assertThat(maxDiff(adaptive.outputs().get("y"), masked)).isLessThan(1e-5);
        for (int n = 0; n < batch; n++) {
            INDArray one = net.forward(Map.of("x", x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(n, n + 1)).dup())).get("y");
            assertThat(maxDiff(one, adaptive.outputs().get("y").getRow(n).reshape(1, 3))).as("sample %d", n).isLessThan(1e-5);
        }

        long full = compiled.cost().totalFlops();
        long min = GateCost.minFlops(compiled.cost());
        for (int n = 0; n < batch; n++) {
            long expected = min;
            for (int g = 0; g < net.units(GateUnit.class).size(); g++) {
                expected += adaptive.executed()[n][g] ? compiled.cost().units(GateCost.class).get(g).bodyFlops() : 0;
            }
            assertThat(adaptive.flops()[n]).isEqualTo(expected).isBetween(min, full);
        }
        GateUnit.mode(net, GateMode.ALL_OPEN);
        Prediction all = net.predict(Map.of("x", x));
        assertThat(all.flops()).containsOnly(full);
    }




    /** Max relative error of trainStep's gradients against central differences, over the selected parameters. */
    private static double check(TrainableNetwork net, Predicate<Parameter> which) {
        SplittableRandom rnd = new SplittableRandom(17);
        randomize(net, rnd);
        Batch data = batch(4, rnd, DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, which);
        assertThat(result.checked()).isGreaterThan(20);
        return result.worst();
    }
}
