package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.batch;
import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitSimulation;
import dev.adnet.runtime.adaptive.ExitUnit;
import dev.adnet.runtime.train.Batch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Multi-exit networks compiled from source: the gradient of the multi-exit loss, and inference where samples
 * leave the batch, against the recorded heads (where each sample must have left and with which output), against
 * per-sample runs, and together with gates.
 */
class ExitNetworkTest {
    private static final String EXITS = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Exits {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> exit first(weight = 0.5) when confidence > 0.5 { global_avg_pool -> dense(3) }
                -> residual B(4) -> relu
                -> exit second when entropy < 0.9 { flatten -> dense(3) }
                -> conv(6, 3) -> relu
              y = h -> global_avg_pool -> dense(3)
              train {
                loss cross_entropy(y) + 0.1 * mse(y)
                exit_weights ramp(0.2 -> 1.0)
              }
            }
            """;

    private static final String EXITS_AND_GATES = """
            block B(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Both {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu
                -> gate(open_bias = 0.1) residual B(4) -> relu
                -> exit first when confidence > 0.5 { global_avg_pool -> dense(3) }
                -> gate(open_bias = 0.1) residual B(4) -> relu
                -> exit second when patience(2) { global_avg_pool -> dense(3) }
                -> gate(open_bias = 0.1) residual B(4)
              y = h -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.2 * target_rate(0.5) }
            }
            """;

    @Test
    void multiExitLossWholeNetworkGradientCheck() {
        CompiledNetwork compiled = GatedNetworkTest.compile(EXITS);
        long exitTerms = compiled.graph().training().terms().stream().filter(t -> t instanceof TrainSpec.ExitLoss).count();
        assertThat(exitTerms).as("two exits times two loss terms").isEqualTo(4);
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(17);
        randomize(net, rnd);
        Batch data = batch(4, rnd, DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0.5, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        System.out.printf("multi-exit loss: max relative error %.3g over %d entries%n", result.worst(), result.checked());
        assertThat(result.checked()).isGreaterThan(20);
        assertThat(result.worst()).isLessThan(1e-6);
        for (Parameter p : net.parameters()) {
            if (p.name().contains("first.") || p.name().contains("second.")) {
                assertThat(p.gradient().norm2Number().doubleValue()).as("exit head %s learns", p.name()).isGreaterThan(0);
            }
        }
    }

    /**
     * Distillation treats the final output as a fixed teacher, so its defined gradient is the true one exactly for
     * the exit heads' own parameters (they do not influence the teacher).
     */
    @Test
    void distillationGradientOfTheExitHeads() {
        CompiledNetwork compiled = GatedNetworkTest.compile(EXITS.replace("loss cross_entropy(y) + 0.1 * mse(y)",
                "loss cross_entropy(y) + 0.5 * distill(y, temperature = 2)"));
        assertThat(compiled.graph().training().terms().stream().filter(t -> t instanceof TrainSpec.ExitLoss el
                && el.base() instanceof TrainSpec.Distill).count()).isEqualTo(2);
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(19);
        randomize(net, rnd);
        Batch data = batch(4, rnd, DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0.25, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx,
                p -> p.name().contains("first.") || p.name().contains("second."));
        assertThat(result.checked()).isGreaterThan(20);
        assertThat(result.worst()).isLessThan(1e-6);
    }

    /**
     * {@code freeze backbone}: only the exit heads are trainable; the backbone runs as at inference (its batchnorm
     * statistics stay put) and the heads' gradients are exact.
     */
    @Test
    void frozenBackboneTrainsOnlyTheHeads() {
        CompiledNetwork compiled = GatedNetworkTest.compile(EXITS.replace("exit_weights ramp(0.2 -> 1.0)",
                "exit_weights ramp(0.2 -> 1.0)\n    freeze backbone"));
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(31);
        randomize(net, rnd);
        assertThat(net.trainableParameters()).extracting(Parameter::name)
                .allMatch(n -> n.startsWith("h.first.") || n.startsWith("h.second."))
                .hasSize(4);
        java.util.Map<String, INDArray> before = new java.util.HashMap<>();
        net.buffers().forEach(b -> before.put(b.name(), b.value().dup()));
        Batch data = batch(4, rnd, DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0.5, 99);
        net.trainStep(data, ctx);
        net.buffers().forEach(b -> assertThat(maxDiff(b.value(), before.get(b.name()))).as(b.name()).isEqualTo(0.0));
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx,
                p -> net.trainableParameters().contains(p));
        assertThat(result.checked()).isGreaterThan(20);
        assertThat(result.worst()).isLessThan(1e-6);
    }

    @Test
    void samplesLeaveWhereTheRecordedHeadsSayWithThoseHeadsOutputs() {
        CompiledNetwork compiled = GatedNetworkTest.compile(EXITS);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 11);
        randomize(net, new SplittableRandom(23));
        int batch = 24;
        INDArray x = inputs(batch);

        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        Prediction all = net.predict(Map.of("x", x));
        assertThat(all.exitOutputs()).hasSize(2);
        assertThat(all.exits()).containsOnly(2);
        // thresholds at the medians, so that samples leave at every exit and some go on to the end
        double[] confidence = stat(all.exitOutputs().get(0), true);
        double[] entropy = stat(all.exitOutputs().get(1), false);
        ExitUnit.thresholds(net, new double[] {median(confidence), median(entropy)});
        double[] thresholds = ExitUnit.thresholds(net); // as stored, in the network's data type
        assertThat(thresholds).containsExactly(new double[] {median(confidence), median(entropy)},
                org.assertj.core.data.Offset.offset(1e-6));

        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        Prediction adaptive = net.predict(Map.of("x", x));
        int[] histogram = new int[3];
        for (int e : adaptive.exits()) {
            histogram[e]++;
        }
        assertThat(Arrays.stream(histogram).allMatch(h -> h > 0)).as("samples leave at each exit and reach the end: %s",
                Arrays.toString(histogram)).isTrue();

        List<double[]> heads = new ArrayList<>();
        for (INDArray h : all.exitOutputs()) {
            heads.add(host(h));
        }
        int[] labels = new int[batch];
        ExitSimulation sim = new ExitSimulation(heads, host(all.outputs().get("y")), labels, 3, ExitUnit.leavingFlops(net), ExitUnit.policies(net));
        assertThat(adaptive.exits()).as("the offline replay routes as the network did").containsExactly(sim.outcome(thresholds).exits());

        long[] exitFlops = ExitCost.leavingFlops(compiled.cost());
        for (int n = 0; n < batch; n++) {
            int e = adaptive.exits()[n];
            INDArray expected = e < 2 ? all.exitOutputs().get(e).getRow(n) : all.outputs().get("y").getRow(n);
            assertThat(maxDiff(adaptive.outputs().get("y").getRow(n), expected)).as("sample %d, exit %d", n, e).isLessThan(1e-5);
            assertThat(adaptive.flops()[n]).isEqualTo(exitFlops[e]);
            INDArray one = net.forward(Map.of("x", x.get(NDArrayIndex.interval(n, n + 1)).dup())).get("y");
            assertThat(maxDiff(one.reshape(3), expected)).as("sample %d alone", n).isLessThan(1e-5);
        }

        ExitUnit.mode(net, ExitMode.FULL);
        Prediction full = net.predict(Map.of("x", x));
        assertThat(maxDiff(full.outputs().get("y"), all.outputs().get("y"))).isLessThan(1e-5);
        assertThat(full.flops()).containsOnly(ExitCost.fullFlops(compiled.cost()));
    }

    @Test
    void exitsAndGatesTogether() {
        CompiledNetwork compiled = GatedNetworkTest.compile(EXITS_AND_GATES);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 5);
        randomize(net, new SplittableRandom(29));
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith(".dense2.bias")) {
                p.value().assign(0.0);
            }
        }
        int batch = 24;
        INDArray x = inputs(batch);
        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        Prediction all = net.predict(Map.of("x", x));
        ExitUnit.thresholds(net, new double[] {median(stat(all.exitOutputs().get(0), true)), 2});
        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        Prediction adaptive = net.predict(Map.of("x", x));
        int[] histogram = new int[3];
        for (int e : adaptive.exits()) {
            histogram[e]++;
        }
        assertThat(histogram[0]).isPositive();
        assertThat(histogram[0] + histogram[1]).isLessThan(batch);

        long[] gateFlops = compiled.cost().units(GateCost.class).stream().mapToLong(g -> g.bodyFlops()).toArray();
        long[] exitFlops = ExitCost.leavingFlops(compiled.cost());
        for (int n = 0; n < batch; n++) {
            int e = adaptive.exits()[n];
            // gates after a sample's exit never ran for it; the gate before the first exit ran as decided
            if (e == 0) {
                assertThat(adaptive.executed()[n][1]).isFalse();
            }
            if (e <= 1) {
                assertThat(adaptive.executed()[n][2]).isFalse();
            }
            long expected = exitFlops[e];
            int gatesBefore = e == 0 ? 1 : e == 1 ? 2 : 3;
            for (int g = 0; g < gatesBefore; g++) {
                expected -= adaptive.executed()[n][g] ? 0 : gateFlops[g];
            }
            assertThat(adaptive.flops()[n]).as("sample %d", n).isEqualTo(expected);
            INDArray one = net.forward(Map.of("x", x.get(NDArrayIndex.interval(n, n + 1)).dup())).get("y");
            assertThat(maxDiff(one.reshape(3), adaptive.outputs().get("y").getRow(n))).as("sample %d alone", n).isLessThan(1e-5);
        }
    }

    private static INDArray inputs(int batch) {
        Nd4j.getRandom().setSeed(7);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 2, 6, 6).subi(0.5);
        for (int n = 0; n < batch; n++) {
            x.slice(n).muli((n - batch / 2.0) / 3.0).addi((n % 3) - 1.0);
        }
        return x;
    }

    /** Per row: the softmax confidence, or its entropy. */
    private static double[] stat(INDArray logits, boolean confidence) {
        double[] h = host(logits);
        int rows = (int) logits.size(0);
        int classes = (int) logits.size(1);
        double[] s = new double[rows];
        for (int r = 0; r < rows; r++) {
            s[r] = confidence ? ExitPolicy.confidence(h, r * classes, classes) : ExitPolicy.entropy(h, r * classes, classes);
        }
        return s;
    }

    /** Halfway between the two middle values, so that no sample sits on the threshold. */
    private static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    private static double[] host(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }



}
