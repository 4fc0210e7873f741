package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.FixedPointCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.implicit.FixedPointNetwork;
import dev.adnet.runtime.implicit.SolverTrace;
import dev.adnet.runtime.implicit.Stopping;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Fixed points compiled from source, in double: the implicit gradient of every parameter (the body's and those
 * before and after it, through the injected input) against finite differences of the loss at the converged
 * solution, for each solver; the solution against the plain iteration of the body; per-sample stopping against
 * stopping when the whole batch has converged.
 */
class FixedPointNetworkTest {
    /** The body is scaled to be a contraction for weights in +-0.6, so that every solver converges. */
    private static final String DEQ = """
            network Deq {
              input x: [2, 4, 4]
              output y: [3]
              h = x -> conv(2, 3) -> relu
              e = h -> fixedpoint(init = "%2$s", backward_tol = 1e-13, backward_max = 300) solver %1$s {
                z => tanh(0.15 * conv(2, 3)(z) + conv(2, 1)(h))
              }
              y = e -> global_avg_pool -> dense(3)
              train {
                loss cross_entropy(y)
              }
            }
            """;

    private static final String MLP = """
            network DeqMlp {
              input x: [2, 4, 4]
              output y: [3]
              u = x -> global_avg_pool -> dense(4)
              e = u -> fixedpoint solver anderson(m = 3, tol = 1e-13, max = 300) {
                z => tanh(0.2 * dense(4)(z) -> layernorm + u)
              }
              y = e -> dense(3)
              train {
                loss cross_entropy(y)
              }
            }
            """;

    /** {@code n} random inputs {@code x [n, 2, 4, 4]} in +-1 with random one-hot targets {@code y [n, 3]}. */
    private static Batch batch(int n, SplittableRandom rnd, DataType type) {
        INDArray x = Nd4j.create(type, n, 2, 4, 4);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray oneHot = Nd4j.zeros(type, n, 3);
        for (int b = 0; b < n; b++) {
            oneHot.putScalar(b, rnd.nextInt(3), 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("y", oneHot), Map.of());
    }

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("deq.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    private static TrainableNetwork network(String source) {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(source), DataType.DOUBLE, 3);
        randomize(net, new SplittableRandom(17));
        return net;
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"anderson(m = 4, tol = 1e-13, max = 300)", "broyden(tol = 1e-13, max = 300)",
            "iterate(tol = 1e-13, max = 300)"})
    void implicitGradientMatchesFiniteDifferencesOfTheSolution(String solver) {
        TrainableNetwork net = network(String.format(DEQ, solver, "zeros"));
        double worst = check(net);
        System.out.printf("fixed point, %s: max relative error %.3g%n", solver, worst);
        assertThat(worst).isLessThan(1e-6);
    }

    @Test
    void implicitGradientThroughLayerNormAndAStartAtTheInput() {
        TrainableNetwork net = network(MLP);
        assertThat(check(net)).isLessThan(1e-6);
        TrainableNetwork fromInput = network(String.format(DEQ, "anderson(tol = 1e-13, max = 300)", "input"));
        assertThat(check(fromInput)).isLessThan(1e-6);
    }

    /**
     * The gradients one step writes against central differences of the loss, for the first entries of every parameter
     * (every solve of a step iterates to 1e-13, so the check covers a few entries of each, not all of them).
     */
    private static double check(TrainableNetwork net) {
        Batch data = batch(3, new SplittableRandom(5), DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.parameters().forEach(p -> p.gradient().assign(7.0)); // a stale gradient must not survive the step
        net.trainStep(data, ctx);
        SolverTrace.Summary s = ((FixedPointNetwork) net).solverTrace().drain();
        System.out.printf("%s: %.1f forward, %.1f backward iterations per sample%n", net.name(), s.meanForward(),
                s.meanBackward());
        assertThat(s.unconverged()).as("every solve converges").isZero();
        assertThat(s.meanForward()).isGreaterThan(1);
        assertThat(s.meanBackward()).isGreaterThan(1);
        Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            analytic.put(p.name(), p.gradient().dup());
            assertThat(p.gradient().norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
        }
        double worst = 0;
        for (Parameter p : net.parameters()) {
            for (long i = 0; i < Math.min(3, p.value().length()); i++) {
                double orig = p.value().getDouble(i);
                p.value().putScalar(i, orig + NetworkGradientCheck.H);
                double plus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig - NetworkGradientCheck.H);
                double minus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig);
                double numeric = (plus - minus) / (2 * NetworkGradientCheck.H);
                double a = analytic.get(p.name()).getDouble(i);
                double err = Math.abs(a - numeric) / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), 1e-3);
                assertThat(err).as("%s[%d]: analytic %s, numeric %s", p.name(), i, a, numeric).isLessThan(1e-6);
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    @Test
    void theSolutionIsAFixedPointOfTheBodyAndInferenceAgreesWithTraining() {
        String source = String.format(DEQ, "broyden(tol = 1e-12, max = 300)", "zeros");
        TrainableNetwork net = network(source);
        Batch data = batch(5, new SplittableRandom(9), DataType.DOUBLE);
        StepResult r = net.trainStep(data, new StepContext(0, 0, 0, 1));
        Map<String, INDArray> out = net.forward(data.inputs());
        assertThat(maxDiff(out.get("y"), r.outputs().get("y"))).isLessThan(1e-9);
        // the trace: each sample's iterations, and its FLOPs one iteration's worth more per further iteration
        Prediction p = net.predict(data.inputs());
        assertThat(maxDiff(p.outputs().get("y"), out.get("y"))).isZero();
        long perIteration = FixedPointCost.of(compile(source).cost()).get(0).perIteration();
        for (int n = 0; n < 5; n++) {
            assertThat(p.iterations()[n][0]).isBetween(2, 300);
            assertThat(p.flops()[n] - (long) (p.iterations()[n][0] - 1) * perIteration).isEqualTo(net.flopsPerSample());
        }
        // the same network iterated plainly to convergence gives the same outputs
        TrainableNetwork plain = network(String.format(DEQ, "iterate(tol = 1e-12, max = 1000)", "zeros"));
        assertThat(maxDiff(plain.forward(data.inputs()).get("y"), out.get("y"))).isLessThan(1e-9);
    }

    @Test
    void perSampleStoppingSpendsNoMoreIterationsThanTheWholeBatchAndAgrees() {
        TrainableNetwork net = network(String.format(DEQ, "anderson(tol = 1e-6, max = 100)", "zeros"));
        Batch data = batch(16, new SplittableRandom(3), DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0, 1);
        FixedPointNetwork f = (FixedPointNetwork) net;
        StepResult perSample = net.trainStep(data, ctx);
        SolverTrace.Summary a = f.solverTrace().drain();
        f.fixedPointStopping(Stopping.WHOLE_BATCH);
        StepResult wholeBatch = net.trainStep(data, ctx);
        SolverTrace.Summary b = f.solverTrace().drain();
        assertThat(a.forwardIterations()).isLessThanOrEqualTo(b.forwardIterations());
        assertThat(b.forwardIterations() % 16).as("every sample iterates as long as the slowest").isZero();
        assertThat(Math.abs(perSample.loss() - wholeBatch.loss())).isLessThan(1e-5);
    }

    @Test
    void aSolveThatDoesNotConvergeKeepsItsLastIterateAndIsCounted() {
        TrainableNetwork net = network(String.format(DEQ, "iterate(tol = 1e-12, max = 2)", "zeros"));
        StepResult r = net.trainStep(batch(3, new SplittableRandom(3), DataType.DOUBLE), new StepContext(0, 0, 0, 1));
        assertThat(Double.isFinite(r.loss())).isTrue();
        SolverTrace.Summary s = ((FixedPointNetwork) net).solverTrace().drain();
        assertThat(s.forwardIterations()).isEqualTo(6);
        assertThat(s.unconverged()).isGreaterThanOrEqualTo(3);
        assertThat(s.warning()).contains("stopped at their cap without converging");
    }
}
