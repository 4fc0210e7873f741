package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.compiler.testing.TestNetworks;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.adaptive.GateUnit;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A gated loop without {@code shared} (each pass its own weights, batchnorms and gate head) compiled from source:
 * inference under compaction against the fixed {@code repeat k} of each sample's passes with the same weights, every
 * gate forced open against the fixed {@code repeat cap}, its parameters and cost, training's measure, and the whole
 * network's gradient with the soft estimator against finite differences.
 */
class UnsharedGatedLoopNetworkTest {
    private static final String CONV = """
            network Conv {
              input x: [2, 6, 6]
              output y: [3]
              block Basic(c: int) {
                conv(c, 3) -> batchnorm -> relu -> conv(c, 3) -> batchnorm
              }
              h = x -> conv(4, 3) -> relu
              r = h -> LOOP { residual Basic(4) -> relu }
              y = r -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    private static final String DENSE = """
            network Drnn {
              input x: [5]
              output y: [3]
              h = x -> dense(6) -> tanh
              r = h -> repeat upto 4 SHARED gate(target = 0.5, hidden = 4, estimator = "ESTIMATOR") { dense(6) -> tanh }
              y = r -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    private static CompiledNetwork conv(String loop) {
        return HaltingNetworkTest.compile(CONV.replace("LOOP", loop));
    }

    private static CompiledNetwork dense(boolean shared, String estimator) {
        return HaltingNetworkTest.compile(DENSE.replace("SHARED", shared ? "shared" : "").replace("ESTIMATOR", estimator));
    }

    /** A conv loop of 3 passes with random weights and statistics, each pass's different, and decisive gates. */
    private static Network randomLoop() {
        Network loop = InMemoryCompiler.instantiate(conv("repeat upto 3 gate(hidden = 4)"), DataType.DOUBLE, 3);
        TestNetworks.randomize(loop, new SplittableRandom(9));
        for (Parameter p : loop.parameters()) {
            if (p.name().contains("gate.dense2.") && p.name().endsWith(".weight")) {
                p.value().muli(30);
            }
        }
        SplittableRandom rnd = new SplittableRandom(10);
        for (Buffer b : loop.buffers()) {
            for (long i = 0; i < b.value().length(); i++) {
                b.value().putScalar(i, b.name().endsWith("running_var") ? 0.5 + rnd.nextDouble() : 0.3 * rnd.nextGaussian());
            }
            if (b.name().contains(".gate.")) {
                // the gate heads' hidden units centred, so that their decisions follow the images, not their statistics
                b.value().assign(b.name().endsWith("running_var") ? 0.01 : 0.0);
            }
        }
        return loop;
    }

    private static Network fixed(int passes) {
        // no gates in a fixed repeat: no target_rate() term
        return InMemoryCompiler.instantiate(HaltingNetworkTest.compile(CONV.replace("LOOP", "repeat " + passes)
                .replace(" + 0.5 * target_rate()", "")), DataType.DOUBLE, 3);
    }

    /**
     * Compaction: each sample's output equals, row for row, the fixed {@code repeat k} (own weights per copy) of as
     * many passes as it took, copy k holding the loop's pass-k weights and statistics. Pass 2's gate is pass 2's own.
     */
    @Test
    void eachSampleEqualsTheFixedRepeatOfItsPassesWithThosePassesWeights() {
        Network loop = randomLoop();
        Batch batch = TestNetworks.batch(24, new SplittableRandom(11), DataType.DOUBLE);
        List<Parameter> biases = loop.parameters().stream().filter(q -> q.name().contains("gate.dense2.")
                && q.name().endsWith(".bias")).toList();
        assertThat(biases).extracting(Parameter::name).containsExactly("r.repeat1.gate.dense2.bias", "r.repeat1.gate.dense2.pass2.bias");
        // pass 1's gate: the first bias of its execute logit, from -40 up, at which some samples stop (pass 2's
        // gate open meanwhile); then pass 2's, at which the samples that went on split again
        for (Parameter bias : biases) {
            bias.value().putScalar(0, 0.0);
            bias.value().putScalar(1, 1000.0);
        }
        Prediction p = split(loop, batch, biases.get(0), 2);
        p = split(loop, batch, biases.get(1), 3);
        INDArray[] outputs = new INDArray[4];
        for (int k = 1; k <= 3; k++) {
            Network repeat = fixed(k);
            LoopyBatchNormNetworkTest.copyByPass(loop, repeat);
            outputs[k] = repeat.forward(batch.inputs()).get("y");
        }
        TreeSet<Integer> seen = new TreeSet<>();
        for (int i = 0; i < 24; i++) {
            int n = p.steps()[i][0];
            seen.add(n);
            INDArray row = p.outputs().get("y").getRow(i);
            assertThat(TestNetworks.maxDiff(row, outputs[n].getRow(i))).as("sample %d after %d passes", i, n).isLessThan(1e-12);
        }
        assertThat(seen).as("the samples take 1, 2 and 3 passes").containsExactly(1, 2, 3);
        assertThat(p.outputs().get("y")).isEqualTo(loop.forward(batch.inputs()).get("y"));
    }

    /** Raises {@code bias}'s execute logit from -40 until the samples' passes take {@code distinct} values. */
    private static Prediction split(Network loop, Batch batch, Parameter bias, int distinct) {
        Prediction p = null;
        for (double b = -40; b < 40 && (p == null || Arrays.stream(p.steps()).mapToInt(s -> s[0]).distinct().count() < distinct);
                b += 0.25) {
            bias.value().putScalar(1, b);
            p = loop.predict(batch.inputs());
        }
        return p;
    }

    /** Every gate forced open: the loop is the fixed {@code repeat 3} without {@code shared}, given the same weights. */
    @Test
    void allGatesOpenEqualsTheFixedRepeatWithoutShared() {
        Network loop = randomLoop();
        Batch batch = TestNetworks.batch(16, new SplittableRandom(12), DataType.DOUBLE);
        GateUnit.mode(loop, GateMode.ALL_OPEN);
        Prediction p = loop.predict(batch.inputs());
        assertThat(Arrays.stream(p.steps()).mapToInt(s -> s[0]).distinct().toArray()).containsExactly(3);
        Network repeat = fixed(3);
        LoopyBatchNormNetworkTest.copyByPass(loop, repeat);
        INDArray expected = repeat.forward(batch.inputs()).get("y");
        assertThat(TestNetworks.maxDiff(p.outputs().get("y"), expected)).isLessThan(1e-12);
    }

    /**
     * Pass k's tensors are named {@code NAME.passK.*} from pass 2 (pass 1 keeps the shared loop's names); the gate
     * heads stop at pass cap - 1. The cost is the shared loop's FLOPs and its parameters times the passes.
     */
    @Test
    void ownWeightsPerPassAreNamedCountedAndCostTheSharedLoopsFlops() {
        CompiledNetwork own = dense(false, "straight_through");
        CompiledNetwork shared = dense(true, "straight_through");
        Network net = InMemoryCompiler.instantiate(own, DataType.DOUBLE, 3);
        List<String> names = net.parameters().stream().map(Parameter::name).toList();
        assertThat(names).contains("r.repeat1.step.dense1.weight", "r.repeat1.step.dense1.pass2.weight",
                "r.repeat1.step.dense1.pass4.bias", "r.repeat1.gate.dense1.weight", "r.repeat1.gate.dense2.pass3.bias",
                "r.repeat1.gate.batchnorm.pass3.gamma");
        assertThat(names).doesNotContain("r.repeat1.gate.dense1.pass4.weight");
        assertThat(net.buffers().stream().map(Buffer::name)).contains("r.repeat1.gate.batchnorm.pass3.running_mean");
        LoopCost a = own.cost().units(LoopCost.class).get(0);
        LoopCost b = shared.cost().units(LoopCost.class).get(0);
        assertThat(a.stepFlops()).isEqualTo(b.stepFlops());
        assertThat(a.decisionFlops()).isEqualTo(b.decisionFlops());
        assertThat(a.expectedFlops()).isEqualTo(b.expectedFlops());
        assertThat(own.cost().totalFlops()).isEqualTo(shared.cost().totalFlops());
        // body: dense 6x6 + 6; gate head: dense 6x4 + 4, batchnorm gamma and beta 2 x 4, dense 4x2 + 2
        long body = 6 * 6 + 6;
        long gate = 6 * 4 + 4 + 2 * 4 + 4 * 2 + 2;
        assertThat(own.cost().totalParams() - shared.cost().totalParams()).isEqualTo(3 * body + 2 * gate);
        assertThat(own.cost().totalParams()).isEqualTo(net.parameters().stream().mapToLong(q -> q.value().length()).sum());
    }

    @Test
    void trainingReportsMeanPasses() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(dense(false, "straight_through"), DataType.DOUBLE, 3);
        GatedLoopNetworkTest.randomize(net);
        StepResult r = net.trainStep(HaltingNetworkTest.batch(16, 5), new StepContext(0, 0, 0, 99));
        double passes = r.measures().get("passes r.repeat1");
        assertThat(passes).isBetween(1.0, 4.0);
        assertThat(r.terms()).containsKeys("cross_entropy(y)", "target_rate()");
        assertThat(r.loss()).isFinite().isPositive();
    }

    @Test
    void wholeNetworkGradientWithTheSoftEstimator() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(dense(false, "soft"), DataType.DOUBLE, 3);
        GatedLoopNetworkTest.randomize(net);
        Batch data = HaltingNetworkTest.batch(6, 5);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        for (Parameter p : net.parameters()) {
            assertThat(result.analytic().get(p.name()).norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
        }
        System.out.printf("gated loop with own weights per pass (soft): %d gradient entries checked, max relative error %.3g%n",
                result.checked(), result.worst());
        assertThat(result.worst()).isLessThan(1e-6);
    }
}
