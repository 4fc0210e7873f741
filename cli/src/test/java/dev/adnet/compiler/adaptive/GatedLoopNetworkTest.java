package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.compiler.testing.TestNetworks;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Gated loops (dynamic recursion) compiled from source: inference against a plain-Java loop written from the
 * language's definition (each sample stops after the first pass whose gate closes, or at the cap), predict's passes
 * and FLOPs, the training step's mean passes and target-rate term, and the whole network's gradient with the soft
 * estimator against finite differences.
 */
class GatedLoopNetworkTest {
    static final int CAP = 4;
    static final int STATE = 6;

    private static final String DRNN = """
            network Drnn {
              input x: [5]
              output y: [3]
              h = x -> dense(6) -> tanh
              r = h -> repeat upto 4 shared gate(target = 0.5, hidden = 4, estimator = "ESTIMATOR") { dense(6) -> tanh }
              y = r -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    static CompiledNetwork compile(String estimator) {
        return HaltingNetworkTest.compile(DRNN.replace("ESTIMATOR", estimator));
    }

    @Test
    void inferenceStopsEachSampleAtItsFirstClosedGate() {
        Network net = InMemoryCompiler.instantiate(compile("straight_through"), DataType.DOUBLE, 3);
        randomize(net);
        Batch b = HaltingNetworkTest.batch(16, 5);
        INDArray y = net.forward(b.inputs()).get("y");
        Reference ref = new Reference(net);
        for (int i = 0; i < 16; i++) {
            double[] expected = ref.output(b.inputs().get("x").getRow(i).toDoubleVector());
            for (int k = 0; k < 3; k++) {
                assertThat(y.getDouble(i, k)).as("sample %d logit %d", i, k).isCloseTo(expected[k], Offset.offset(1e-12));
            }
        }
        assertThat(ref.passesTaken).as("the samples stop after different numbers of passes").hasSizeGreaterThan(1);
    }

    /** predict's trace: each sample's passes, and its FLOPs: the network to the cap less the passes it did not take. */
    @Test
    void predictionCarriesPassesAndFlops() {
        CompiledNetwork compiled = compile("straight_through");
        Network net = InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        randomize(net);
        Batch b = HaltingNetworkTest.batch(16, 5);
        Prediction p = net.predict(b.inputs());
        long full = compiled.cost().totalFlops();
        LoopCost loop = compiled.cost().units(LoopCost.class).get(0);
        assertThat(loop.flops()).isEqualTo(CAP * loop.stepFlops() - loop.decisionFlops());
        for (int i = 0; i < 16; i++) {
            Reference ref = new Reference(net);
            ref.output(b.inputs().get("x").getRow(i).toDoubleVector());
            int n = ref.passesTaken.first();
            assertThat(p.steps()[i]).as("sample %d", i).containsExactly(n);
            long spent = full - loop.flops() + Math.round(loop.flopsAt(n));
            assertThat(p.flops()[i]).as("sample %d", i).isEqualTo(spent);
        }
        assertThat(p.outputs().get("y")).isEqualTo(net.forward(b.inputs()).get("y"));
    }

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
            }
            """;

    /**
     * Convolutions and batchnorm in the body, compacted: each sample's output equals, row for row, the output of the
     * same weights repeated (fixed {@code repeat k shared}) as many times as the sample's passes.
     */
    @Test
    void eachSampleOfAConvolutionalLoopEqualsTheFixedRepeatOfItsPasses() {
        Network gated = InMemoryCompiler.instantiate(HaltingNetworkTest.compile(CONV.replace("LOOP", "repeat upto 3 shared gate(hidden = 4)")),
                DataType.DOUBLE, 3);
        TestNetworks.randomize(gated, new SplittableRandom(9));
        for (Parameter p : gated.parameters()) {
            if (p.name().endsWith("gate.dense2.weight")) {
                p.value().muli(30);
            } else if (p.name().endsWith("gate.dense2.bias")) {
                p.value().assign(0);
            }
        }
        SplittableRandom rnd = new SplittableRandom(10);
        for (Buffer b : gated.buffers()) {
            for (long i = 0; i < b.value().length(); i++) {
                b.value().putScalar(i, b.name().endsWith("running_var") ? 0.5 + rnd.nextDouble() : 0.3 * rnd.nextGaussian());
            }
        }
        Batch batch = TestNetworks.batch(24, new SplittableRandom(11), DataType.DOUBLE);
        // the first bias of the execute logit, going down, at which the samples' passes differ
        Parameter bias = gated.parameters().stream().filter(q -> q.name().endsWith("gate.dense2.bias")).findFirst().orElseThrow();
        Prediction p = null;
        for (double b = 0; b > -200 && (p == null || java.util.Arrays.stream(p.steps()).mapToInt(s -> s[0]).distinct().count() < 2);
                b = b == 0 ? -1 : 1.5 * b) {
            bias.value().putScalar(1, b);
            p = gated.predict(batch.inputs());
        }
        INDArray[] fixed = new INDArray[4];
        for (int k = 1; k <= 3; k++) {
            Network repeat = InMemoryCompiler.instantiate(HaltingNetworkTest.compile(CONV.replace("LOOP", "repeat " + k + " shared")),
                    DataType.DOUBLE, 3);
            copy(gated, repeat);
            fixed[k] = repeat.forward(batch.inputs()).get("y");
        }
        TreeSet<Integer> seen = new TreeSet<>();
        for (int i = 0; i < 24; i++) {
            int n = p.steps()[i][0];
            seen.add(n);
            INDArray row = p.outputs().get("y").getRow(i);
            assertThat(TestNetworks.maxDiff(row, fixed[n].getRow(i))).as("sample %d after %d passes", i, n).isLessThan(1e-12);
        }
        assertThat(seen).as("the samples stop after different numbers of passes").hasSizeGreaterThan(1);
    }

    /** The loop's parameters and buffers into the fixed repeat's, in order, leaving out the gate's. */
    private static void copy(Network from, Network to) {
        java.util.List<Parameter> src = from.parameters().stream().filter(q -> !q.name().contains(".gate.")).toList();
        assertThat(src).hasSameSizeAs(to.parameters());
        for (int i = 0; i < src.size(); i++) {
            to.parameters().get(i).value().assign(src.get(i).value());
        }
        java.util.List<Buffer> bsrc = from.buffers().stream().filter(q -> !q.name().contains(".gate.")).toList();
        assertThat(bsrc).hasSameSizeAs(to.buffers());
        for (int i = 0; i < bsrc.size(); i++) {
            to.buffers().get(i).value().assign(bsrc.get(i).value());
        }
    }

    /** Training runs every pass with straight-through masks: the measure is the batch mean of the passes taken. */
    @Test
    void trainingReportsMeanPassesAndTheTargetRateOfEveryPassBoundary() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile("straight_through"), DataType.DOUBLE, 3);
        randomize(net);
        StepResult r = net.trainStep(HaltingNetworkTest.batch(16, 5), new StepContext(0, 0, 0, 99));
        double passes = r.measures().get("passes r.repeat1");
        assertThat(passes).isBetween(1.0, (double) CAP);
        assertThat(passes * 16).as("a whole number of passes per sample").isCloseTo(Math.rint(passes * 16), Offset.offset(1e-9));
        assertThat(r.terms()).containsKeys("cross_entropy(y)", "target_rate()");
        assertThat(r.loss()).isFinite().isPositive();
    }

    @Test
    void wholeNetworkGradientWithTheSoftEstimator() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile("soft"), DataType.DOUBLE, 3);
        randomize(net);
        Batch data = HaltingNetworkTest.batch(6, 5);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        StepResult r = net.trainStep(data, ctx);
        assertThat(r.measures().get("passes r.repeat1")).as("soft gates: the expected passes").isBetween(1.0, (double) CAP);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        for (Parameter p : net.parameters()) {
            assertThat(result.analytic().get(p.name()).norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
        }
        System.out.printf("gated loop (soft): %d gradient entries checked, max relative error %.3g%n", result.checked(),
                result.worst());
        assertThat(result.worst()).isLessThan(1e-6);
    }

    /** Parameters in +-0.6; the gate's layers larger and its bias near even, so that its decisions differ between samples. */
    static void randomize(Network net) {
        TestNetworks.randomize(net, new SplittableRandom(5));
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith("gate.dense1.weight") || p.name().endsWith("gate.dense2.weight")) {
                p.value().muli(4);
            } else if (p.name().endsWith("gate.dense2.bias")) {
                p.value().putScalar(0, 0.0);
                p.value().putScalar(1, 0.4);
            }
        }
    }

    /** The gated loop for one sample, written from the language's definition with the network's parameters. */
    static final class Reference {
        private final Map<String, INDArray> p = new java.util.HashMap<>();
        final TreeSet<Integer> passesTaken = new TreeSet<>();

        Reference(Network net) {
            net.parameters().forEach(q -> p.put(q.name(), q.value()));
            for (Buffer b : net.buffers()) {
                p.put(b.name(), b.value());
            }
        }

        double[] output(double[] x) {
            double[] s = tanh(dense(x, "h.dense1"));
            for (int n = 1; n <= CAP; n++) {
                s = tanh(dense(s, "r.repeat1.step.dense1"));
                if (n == CAP || !open(s)) {
                    passesTaken.add(n);
                    break;
                }
            }
            return dense(s, "y.dense1");
        }

        /** The gate's head at inference: dense, batchnorm on running statistics, relu, dense; argmax of [skip, execute]. */
        private boolean open(double[] s) {
            double[] h = dense(s, "r.repeat1.gate.dense1");
            for (int j = 0; j < h.length; j++) {
                double norm = (h[j] - p.get("r.repeat1.gate.batchnorm.running_mean").getDouble(j))
                        / Math.sqrt(p.get("r.repeat1.gate.batchnorm.running_var").getDouble(j) + 1e-5);
                h[j] = Math.max(0, norm * p.get("r.repeat1.gate.batchnorm.gamma").getDouble(j)
                        + p.get("r.repeat1.gate.batchnorm.beta").getDouble(j));
            }
            double[] logits = dense(h, "r.repeat1.gate.dense2");
            return logits[1] > logits[0];
        }

        private double[] dense(double[] in, String layer) {
            INDArray w = p.get(layer + ".weight");
            INDArray b = p.get(layer + ".bias");
            double[] o = new double[(int) w.size(1)];
            for (int j = 0; j < o.length; j++) {
                double v = b.getDouble(j);
                for (int i = 0; i < in.length; i++) {
                    v += in[i] * w.getDouble(i, j);
                }
                o[j] = v;
            }
            return o;
        }

        private static double[] tanh(double[] a) {
            double[] o = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                o[i] = Math.tanh(a[i]);
            }
            return o;
        }
    }
}
