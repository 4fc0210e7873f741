package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.compiler.testing.TestNetworks;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Halting loops (ACT) compiled from source: inference against a plain-Java ACT written from the paper, and the whole
 * network's gradient (ponder term included) against finite differences where no sample's step count N changes.
 */
class HaltingNetworkTest {
    static final int IN = 5;
    static final int STATE = 6;
    static final int CAP = 5;
    static final double TAU = 0.05;
    static final double EPS = 0.01;

    private static final String ACT = """
            network Act {
              input x: [5]
              output y: [3]
              state s: [6] = zeros(6)
              r = s -> repeat upto 5 shared halt act(ponder = 0.05, eps = 0.01) {
                s => tanh(dense(6)(s) + dense(6)(x))
              }
              y = r -> dense(3)
              train { loss cross_entropy(y) + 2 * ponder() }
            }
            """;

    /** The same network, each step with its own cell and halting unit (no {@code shared}). */
    private static final String ACT_OWN_WEIGHTS = ACT.replace("repeat upto 5 shared halt", "repeat upto 5 halt");

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("act.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    @Test
    void inferenceIsGravesActOnEverySample() {
        Network net = InMemoryCompiler.instantiate(compile(ACT), DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch b = batch(9, 5);
        INDArray y = net.forward(b.inputs()).get("y");
        Reference ref = new Reference(net);
        for (int i = 0; i < 9; i++) {
            double[] expected = ref.output(b.inputs().get("x").getRow(i).toDoubleVector());
            for (int k = 0; k < 3; k++) {
                assertThat(y.getDouble(i, k)).as("sample %d logit %d", i, k).isCloseTo(expected[k],
                        org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        assertThat(ref.stepsTaken).as("the samples halt after different numbers of steps").hasSizeGreaterThan(1);
    }

    /** predict's trace: each sample's steps, and its FLOPs: the network to the cap less the steps it did not take. */
    @Test
    void predictionCarriesStepsAndFlops() {
        CompiledNetwork compiled = compile(ACT);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch b = batch(9, 5);
        Prediction p = net.predict(b.inputs());
        long full = compiled.cost().totalFlops();
        long step = compiled.cost().units(LoopCost.class).get(0).stepFlops();
        for (int i = 0; i < 9; i++) {
            Reference ref = new Reference(net);
            ref.output(b.inputs().get("x").getRow(i).toDoubleVector());
            int n = ref.stepsTaken.iterator().next();
            assertThat(p.steps()[i]).as("sample %d", i).containsExactly(n);
            assertThat(p.flops()[i]).as("sample %d", i).isEqualTo(full - (CAP - n) * step);
        }
        assertThat(p.outputs().get("y")).isEqualTo(net.forward(b.inputs()).get("y"));
    }

    /**
     * A step with a fusable add + ReLU: the passes leave networks with halting loops unfused, so the loop's emitter
     * still finds each unrolled step (before, compiling this was an internal error).
     */
    @Test
    void aStepWithAFusableAddReluCompilesAndRuns() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ACT.replace("tanh(", "relu(")),
                DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch b = batch(9, 5);
        assertThat(net.predict(b.inputs()).outputs().get("y")).isEqualTo(net.forward(b.inputs()).get("y"));
        assertThat(net.trainStep(b, new StepContext(0, 0, 0, 99)).loss()).isFinite().isPositive();
    }

    @Test
    void wholeNetworkGradientWhereNoStepCountChanges() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ACT), DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch data = batch(6, 5);
        Reference ref = new Reference(net);
        for (int i = 0; i < 6; i++) {
            ref.output(data.inputs().get("x").getRow(i).toDoubleVector());
        }
        // central differences of step H move each h_n by far less than this; no N changes under them
        assertThat(ref.margin).as("every sample's running sum stays clear of 1 - eps").isGreaterThan(1e-3);
        assertThat(ref.stepsTaken).hasSizeGreaterThan(1);
        checkGradient(net, data, ref);
    }

    /**
     * Every sample halts before the cap: the training step computes only the steps the slowest sample took. A first step
     * with a lower halting bias (most samples at the cap) leaves the arrays of the steps skipped later holding values, so
     * a skipped step that still counted would show in the gradient.
     */
    @Test
    void wholeNetworkGradientWhenTheBatchHaltsBeforeTheCap() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ACT), DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch data = batch(6, 5);
        net.trainStep(data, new StepContext(0, 0, 0, 99));
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith("halt.bias")) {
                p.value().assign(-0.2);
            }
        }
        Reference ref = new Reference(net);
        for (int i = 0; i < 6; i++) {
            ref.output(data.inputs().get("x").getRow(i).toDoubleVector());
        }
        assertThat(ref.margin).as("every sample's running sum stays clear of 1 - eps").isGreaterThan(1e-3);
        assertThat(ref.stepsTaken).as("steps taken").hasSizeGreaterThan(1).allMatch(n -> n < CAP);
        checkGradient(net, data, ref);
    }

    private static void checkGradient(TrainableNetwork net, Batch data, Reference ref) {
        StepContext ctx = new StepContext(0, 0, 0, 99);
        StepResult r = net.trainStep(data, ctx);
        assertThat(r.terms()).containsKeys("cross_entropy(y)", "ponder()");
        assertThat(r.terms().get("ponder()")).isCloseTo(2 * TAU * ref.meanPonder(), org.assertj.core.data.Offset.offset(1e-12));
        assertThat(r.measures().get("ponder r.repeat1")).isCloseTo(ref.meanPonder(), org.assertj.core.data.Offset.offset(1e-12));
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        for (Parameter p : net.parameters()) {
            assertThat(result.analytic().get(p.name()).norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
        }
        System.out.printf("ACT: %d gradient entries checked, max relative error %.3g%n", result.checked(), result.worst());
        assertThat(result.worst()).isLessThan(1e-6);
    }

    /**
     * Without {@code shared}, step k runs its own cell and halting unit ({@code NAME.passK.*} from step 2), at
     * inference on the samples still running: each sample's output is Graves' ACT with those steps' weights.
     */
    @Test
    void ownWeightsPerStepAtInference() {
        Network net = InMemoryCompiler.instantiate(compile(ACT_OWN_WEIGHTS), DataType.DOUBLE, 3);
        assertThat(net.parameters().stream().map(Parameter::name)).contains("r.repeat1.step.dense1.pass5.weight",
                "r.repeat1.halt.pass5.bias").doesNotContain("r.repeat1.step.dense1.pass6.weight");
        randomize(net, 11);
        Batch b = batch(9, 5);
        Prediction p = net.predict(b.inputs());
        Reference ref = new Reference(net);
        for (int i = 0; i < 9; i++) {
            double[] expected = ref.output(b.inputs().get("x").getRow(i).toDoubleVector());
            for (int k = 0; k < 3; k++) {
                assertThat(p.outputs().get("y").getDouble(i, k)).as("sample %d logit %d", i, k).isCloseTo(expected[k],
                        org.assertj.core.data.Offset.offset(1e-12));
            }
        }
        assertThat(ref.stepsTaken).as("the samples halt after different numbers of steps").hasSizeGreaterThan(1);
    }

    @Test
    void wholeNetworkGradientWithOwnWeightsPerStep() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(ACT_OWN_WEIGHTS), DataType.DOUBLE, 3);
        randomize(net, 11);
        Batch data = batch(6, 5);
        Reference ref = new Reference(net);
        for (int i = 0; i < 6; i++) {
            ref.output(data.inputs().get("x").getRow(i).toDoubleVector());
        }
        assertThat(ref.margin).as("every sample's running sum stays clear of 1 - eps").isGreaterThan(1e-3);
        assertThat(ref.stepsTaken).hasSizeGreaterThan(1);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        StepResult r = net.trainStep(data, ctx);
        assertThat(r.measures().get("ponder r.repeat1")).isCloseTo(ref.meanPonder(), org.assertj.core.data.Offset.offset(1e-12));
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        int[] reached = new int[1];
        ref.stepsTaken.forEach(n -> reached[0] = Math.max(reached[0], n));
        for (Parameter p : net.parameters()) {
            // a step that no sample reaches gets no gradient (its weight in every output is 0), nor does the halting
            // unit of a sample's last step N (p_N is the remainder R, which the h_n before N make); step 1's cell
            // weight on the state multiplies the zero state
            int k = stepOf(p.name());
            boolean used = !p.name().startsWith("r.repeat1.") || (p.name().contains(".halt.") ? k < reached[0] : k <= reached[0])
                    && !p.name().equals("r.repeat1.step.dense1.weight");
            assertThat(result.analytic().get(p.name()).norm2Number().doubleValue() > 0).as("gradient of %s", p.name())
                    .isEqualTo(used);
        }
        System.out.printf("ACT with own weights per step: %d gradient entries checked, max relative error %.3g%n",
                result.checked(), result.worst());
        assertThat(result.worst()).isLessThan(1e-6);
    }

    private static int stepOf(String name) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\.pass(\\d+)\\.").matcher(name);
        return m.find() ? Integer.parseInt(m.group(1)) : 1;
    }

    /** Parameters in +-0.6; the halting bias lower so that samples take several steps. */
    static void randomize(Network net, long seed) {
        TestNetworks.randomize(net, new SplittableRandom(seed));
        for (Parameter p : net.parameters()) {
            if (p.name().contains("halt.") && p.name().endsWith(".bias")) {
                p.value().assign(-1.2);
            } else if (p.name().contains("halt.") && p.name().endsWith(".weight")) {
                p.value().muli(3);
            }
        }
    }

    static Batch batch(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray x = Nd4j.create(DataType.DOUBLE, n, IN);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int b = 0; b < n; b++) {
            oneHot.putScalar(b, rnd.nextInt(3), 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("y", oneHot), Map.of());
    }

    /** ACT for one sample, written from the paper with the network's parameters. */
    static final class Reference {
        private final Map<String, INDArray> p = new java.util.HashMap<>();
        final java.util.Set<Integer> stepsTaken = new java.util.TreeSet<>();
        double margin = Double.MAX_VALUE;
        private double ponderSum;
        private int samples;

        Reference(Network net) {
            net.parameters().forEach(q -> p.put(q.name(), q.value()));
        }

        double meanPonder() {
            return ponderSum / samples;
        }

        double[] output(double[] x) {
            double[] s = new double[STATE];
            double[] out = new double[STATE];
            double cumulative = 0;
            for (int n = 1; n <= CAP; n++) {
                double[] a = add(dense(s, atStep("r.repeat1.step.dense1", n)), dense(x, atStep("r.repeat1.step.dense2", n)));
                for (int e = 0; e < STATE; e++) {
                    s[e] = Math.tanh(a[e]);
                }
                double h = 1 / (1 + Math.exp(-dense(s, atStep("r.repeat1.halt", n))[0]));
                boolean halts = cumulative + h >= 1 - EPS || n == CAP;
                if (n < CAP) {
                    margin = Math.min(margin, Math.abs(cumulative + h - (1 - EPS)));
                }
                double weight = halts ? 1 - cumulative : h;
                for (int e = 0; e < STATE; e++) {
                    out[e] += weight * s[e];
                }
                if (halts) {
                    stepsTaken.add(n);
                    ponderSum += n + 1 - cumulative;
                    samples++;
                    break;
                }
                cumulative += h;
            }
            return dense(out, "y.dense1");
        }

        /** Step n's layer: its own ({@code LAYER.passN}) in a loop with weights per step, else the shared one. */
        private String atStep(String layer, int n) {
            return p.containsKey(layer + ".pass" + n + ".weight") ? layer + ".pass" + n : layer;
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

        private static double[] add(double[] a, double[] b) {
            double[] o = a.clone();
            for (int i = 0; i < o.length; i++) {
                o[i] += b[i];
            }
            return o;
        }
    }
}
