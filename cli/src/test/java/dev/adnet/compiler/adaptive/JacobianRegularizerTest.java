package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.implicit.JacobianTerm;
import dev.adnet.runtime.ops.Init;
import dev.adnet.runtime.train.Batch;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The fixed point's Jacobian regulariser {@code jacobian()}, in double: its value against the closed form of a body
 * whose Jacobian is known, and the gradient of the whole loss (cross-entropy plus the term, whose gradient is a second
 * derivative of the body) against finite differences. The probe is drawn from the step's seed, so every evaluation of
 * the loss uses the same eps.
 */
class JacobianRegularizerTest {
    private static final String DEQ = """
            network DeqJacobian {
              input x: [2, 4, 4]
              output y: [3]
              h = x -> conv(2, 3) -> relu
              e = h -> fixedpoint(backward_tol = 1e-13, backward_max = 300) solver anderson(m = 4, tol = 1e-13, max = 300) {
                z => %s
              }
              y = e -> global_avg_pool -> dense(3)
              train {
                loss cross_entropy(y) + %s * jacobian()
              }
            }
            """;

    private static TrainableNetwork network(String body, double weight) {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(
                FixedPointNetworkTest.compile(String.format(DEQ, body, weight)), DataType.DOUBLE, 3);
        randomize(net, new SplittableRandom(17));
        return net;
    }

    private static Batch batch(int n) {
        SplittableRandom rnd = new SplittableRandom(5);
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

    @Test
    void theTermIsTheSquaredNormOfEpsTimesTheJacobian() {
        // f(z) = 0.5 z + conv(h): J_f = 0.5 I, so ||eps J||^2 / N = 0.25 ||eps||^2 / N
        TrainableNetwork net = network("0.5 * z + conv(2, 1)(h)", 1.0);
        StepContext ctx = new StepContext(0, 0, 0, 42);
        double term = net.trainStep(batch(3), ctx).terms().get("jacobian()");
        INDArray eps = JacobianTerm.probe(Nd4j.zeros(DataType.DOUBLE, 3, 2, 4, 4), Init.seedFor(42, -1));
        double expected = 0.25 * eps.norm2Number().doubleValue() * eps.norm2Number().doubleValue() / eps.length();
        assertThat(term).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-12));
        assertThat(expected).isBetween(0.1, 0.5);
    }

    @Test
    void gradientOfTheLossWithTheTermMatchesFiniteDifferences() {
        TrainableNetwork net = network("tanh(0.15 * conv(2, 3)(z) + conv(2, 1)(h))", 2.0);
        TrainableNetwork without = network("tanh(0.15 * conv(2, 3)(z) + conv(2, 1)(h))", 0.0);
        Batch data = batch(3);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.parameters().forEach(p -> p.gradient().assign(7.0)); // a stale gradient must not survive the step
        double term = net.trainStep(data, ctx).terms().get("jacobian()");
        assertThat(term).isGreaterThan(0);
        without.trainStep(data, ctx);
        Map<String, INDArray> analytic = new LinkedHashMap<>();
        double changed = 0;
        for (int k = 0; k < net.parameters().size(); k++) {
            Parameter p = net.parameters().get(k);
            analytic.put(p.name(), p.gradient().dup());
            changed = Math.max(changed, p.gradient().sub(without.parameters().get(k).gradient()).norm2Number().doubleValue());
        }
        assertThat(changed).as("the term moves the gradient").isGreaterThan(1e-4);
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
        System.out.printf("jacobian(): term %.4g, max relative error %.3g%n", term, worst);
    }
}
