package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.OdeCost;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.implicit.OdeNetwork;
import dev.adnet.runtime.implicit.OdeTrace;
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
 * Continuous-depth layers compiled from source, in double: the gradient of every parameter (the body's, and those
 * before and after it, through the start and through the values the body reads) by the backward pass through the
 * accepted steps against finite differences of the whole network's loss; inference against training; the trace.
 */
class OdeNetworkTest {
    /** A convolutional ODE reading its time and an injected value; {@code %s} is the ode's options. */
    private static final String CONV = """
            network OdeConv {
              input x: [2, 4, 4]
              output y: [3]
              h = x -> conv(2, 3) -> relu
              e = h -> ode(%s) {
                z, t => tanh(0.5 * conv(2, 3)(z) + t * conv(2, 1)(h))
              }
              y = e -> global_avg_pool -> dense(3)
              train {
                loss cross_entropy(y)
              }
            }
            """;

    /** The start is also what the body reads: its gradient has both parts. */
    private static final String MLP = """
            network OdeMlp {
              input x: [2, 4, 4]
              output y: [3]
              u = x -> global_avg_pool -> dense(4)
              e = u -> ode(t0 = -0.5, t1 = 1, rtol = 1e-10, atol = 1e-10, max_steps = 1000) {
                z => tanh(dense(4)(z) -> layernorm + u)
              }
              y = e -> dense(3)
              train {
                loss cross_entropy(y)
              }
            }
            """;

    private static final String TIGHT = "rtol = 1e-7, atol = 1e-7, max_steps = 1000";

    /** {@code n} random inputs {@code x [n, 2, 4, 4]} in +-1 with random one-hot targets {@code y [n, 3]}. */
    private static Batch batch(int n, SplittableRandom rnd) {
        INDArray x = Nd4j.create(DataType.DOUBLE, n, 2, 4, 4);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, n, 3);
        for (int b = 0; b < n; b++) {
            oneHot.putScalar(b, rnd.nextInt(3), 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("y", oneHot), Map.of());
    }

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("ode.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    private static TrainableNetwork network(String source) {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(source), DataType.DOUBLE, 3);
        randomize(net, new SplittableRandom(17));
        return net;
    }

    @Test
    void gradientThroughTheAcceptedStepsMatchesFiniteDifferences() {
        double worst = check(network(String.format(CONV, TIGHT)));
        System.out.printf("ode, conv body with time: max relative error %.3g%n", worst);
        assertThat(worst).isLessThan(1e-5);
    }

    @Test
    void gradientOfAStartTheBodyAlsoReads() {
        double worst = check(network(MLP));
        System.out.printf("ode, dense body reading its start: max relative error %.3g%n", worst);
        assertThat(worst).isLessThan(1e-5);
    }

    /**
     * The gradients one step writes against central differences of the loss, for the first entries of every parameter.
     * The backward treats the step sizes as constants; the solves are tight enough that their dependence on the
     * parameters stays below the check's tolerance.
     */
    private static double check(TrainableNetwork net) {
        Batch data = batch(3, new SplittableRandom(5));
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.parameters().forEach(p -> p.gradient().assign(7.0)); // a stale gradient must not survive the step
        net.trainStep(data, ctx);
        OdeTrace.Summary s = ((OdeNetwork) net).odeTrace().drain();
        System.out.printf("%s: %.1f function evaluations per sample%n", net.name(), s.meanEvaluations());
        assertThat(s.unfinished()).as("every solve reaches t1").isZero();
        assertThat(s.meanEvaluations()).isGreaterThan(OdeCost.MIN_EVALUATIONS);
        Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            analytic.put(p.name(), p.gradient().dup());
            assertThat(p.gradient().norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
        }
        double worst = 0;
        for (Parameter p : net.parameters()) {
            for (long i = 0; i < Math.min(2, p.value().length()); i++) {
                double orig = p.value().getDouble(i);
                p.value().putScalar(i, orig + NetworkGradientCheck.H);
                double plus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig - NetworkGradientCheck.H);
                double minus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig);
                double numeric = (plus - minus) / (2 * NetworkGradientCheck.H);
                double a = analytic.get(p.name()).getDouble(i);
                double err = Math.abs(a - numeric) / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), 1e-3);
                assertThat(err).as("%s[%d]: analytic %s, numeric %s", p.name(), i, a, numeric).isLessThan(1e-5);
                worst = Math.max(worst, err);
            }
        }
        return worst;
    }

    @Test
    void inferenceAgreesWithTrainingAndTracesEachSamplesEvaluations() {
        String source = String.format(CONV, "rtol = 1e-6, atol = 1e-6");
        TrainableNetwork net = network(source);
        Batch data = batch(5, new SplittableRandom(9));
        StepResult r = net.trainStep(data, new StepContext(0, 0, 0, 1));
        Map<String, INDArray> out = net.forward(data.inputs());
        assertThat(maxDiff(out.get("y"), r.outputs().get("y"))).isLessThan(1e-12);
        Prediction p = net.predict(data.inputs());
        assertThat(maxDiff(p.outputs().get("y"), out.get("y"))).isZero();
        long perEvaluation = OdeCost.of(compile(source).cost()).get(0).perEvaluation();
        for (int n = 0; n < 5; n++) {
            int evaluations = p.iterations()[n][0];
            assertThat(evaluations).isBetween(OdeCost.MIN_EVALUATIONS, 2 + 6 * 100);
            assertThat((evaluations - 2) % 6).as("two to start, six per step").isZero();
            assertThat(p.flops()[n] - (long) (evaluations - 1) * perEvaluation).isEqualTo(net.flopsPerSample());
        }
        // a tighter tolerance takes more evaluations and moves the result by less than the looser one's error
        TrainableNetwork tight = network(String.format(CONV, TIGHT));
        Prediction q = tight.predict(data.inputs());
        for (int n = 0; n < 5; n++) {
            assertThat(q.iterations()[n][0]).isGreaterThan(p.iterations()[n][0]);
        }
        assertThat(maxDiff(q.outputs().get("y"), out.get("y"))).isLessThan(1e-4);
    }

    @Test
    void aSolveThatReachesItsStepCapKeepsItsLastStateAndIsCounted() {
        TrainableNetwork net = network(String.format(CONV, "rtol = 1e-12, atol = 1e-12, max_steps = 2"));
        StepResult r = net.trainStep(batch(3, new SplittableRandom(3)), new StepContext(0, 0, 0, 1));
        assertThat(Double.isFinite(r.loss())).isTrue();
        OdeTrace.Summary s = ((OdeNetwork) net).odeTrace().drain();
        assertThat(s.unfinished()).isEqualTo(3);
        assertThat(s.evaluations()).isEqualTo(3 * (2 + 6 * 2));
        assertThat(s.warning()).contains("stopped at their step cap");
    }
}
