package dev.adnet.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.adnet.runtime.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class OptimizersTest {
    static final double[][] GRADS = {{0.5, 0.25}, {-0.5, 0.5}, {0.1, -0.3}};

    static Parameter param(boolean decay) {
        return new Parameter("w", Nd4j.createFromArray(1.0, -2.0), Nd4j.zeros(DataType.DOUBLE, 2), decay);
    }

    static double[] run(OptimizerConfig c, boolean decay, int steps) {
        Optimizer o = Optimizers.create(c);
        Parameter p = param(decay);
        for (int s = 0; s < steps; s++) {
            p.gradient().assign(Nd4j.createFromArray(GRADS[s]));
            o.step(List.of(p), c.learningRate());
        }
        return p.value().toDoubleVector();
    }

    static void assertClose(double[] actual, double... expected) {
        assertThat(actual).hasSize(expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i).isCloseTo(expected[i], within(1e-12));
        }
    }

    @Test
    void sgdMomentumWithCoupledDecayMatchesHandComputation() {
        // step 1: g' = g + 0.01 p = [0.51, 0.23]; buf = g'; p = [0.949, -2.023]
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, false, 0.01), true, 1), 0.949, -2.023);
        // step 2: g' = [0.50949, 0.22977]... buf = 0.9 buf + g' = [0.96849, 0.43677]
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, false, 0.01), true, 2), 0.949 - 0.1 * (0.9 * 0.51 + (-0.5 + 0.00949)),
                -2.023 - 0.1 * (0.9 * 0.23 + (0.5 - 0.02023)));
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, false, 0.01), true, 3), 0.944034749, -2.121394623);
    }

    @Test
    void sgdNesterov() {
        // step 1: d = g' + 0.9 buf = 1.9 g' = [0.969, 0.437]
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, true, 0.01), true, 1), 1 - 0.0969, -2 - 0.0437);
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, true, 0.01), true, 3), 0.936848958191, -2.147967023757);
    }

    @Test
    void plainSgdAndNoDecayWhereParameterSaysSo() {
        assertClose(run(OptimizerConfig.sgd(0.1, 0, false, 0.5), false, 1), 1 - 0.05, -2 - 0.025);
        assertClose(run(OptimizerConfig.sgd(0.1, 0, false, 0.5), true, 1), 1 - 0.1 * (0.5 + 0.5), -2 - 0.1 * (0.25 - 1.0));
        assertClose(run(OptimizerConfig.sgd(0.1, 0.9, true, 0.5), false, 3), run(OptimizerConfig.sgd(0.1, 0.9, true, 0), true, 3));
    }

    @Test
    void adamCoupledL2() {
        // step 1 moves every element by lr against the sign of its gradient
        assertThat(run(OptimizerConfig.adam(0.1, 0.1, 0.9, 0.999, 1e-8), true, 1))
                .containsExactly(new double[] {0.9, -2.1}, within(1e-7));
        assertClose(run(OptimizerConfig.adam(0.1, 0.1, 0.9, 0.999, 1e-8), true, 3), 0.8606554013099887, -2.1614597559535436);
    }

    @Test
    void adamwDecoupled() {
        // step 1: p * (1 - lr wd) - lr sign(g) = [0.99 - 0.1, -1.98 - 0.1]
        assertThat(run(OptimizerConfig.adamw(0.1, 0.1, 0.9, 0.999, 1e-8), true, 1))
                .containsExactly(new double[] {0.89, -2.08}, within(1e-7));
        assertClose(run(OptimizerConfig.adamw(0.1, 0.1, 0.9, 0.999, 1e-8), true, 3), 0.8725760591854909, -2.169671179344848);
        assertClose(run(OptimizerConfig.adamw(0.1, 0.1, 0.9, 0.999, 1e-8), false, 3),
                run(OptimizerConfig.adam(0.1, 0, 0.9, 0.999, 1e-8), false, 3));
    }

    @Test
    void floatParametersAreUpdatedInPlace() {
        Parameter p = new Parameter("w", Nd4j.createFromArray(1f, -2f), Nd4j.createFromArray(0.5f, 0.25f), true);
        var valueBefore = p.value();
        Optimizers.create(OptimizerConfig.sgd(0.1, 0, false, 0)).step(List.of(p), 0.1);
        assertThat(p.value()).isSameAs(valueBefore);
        assertThat(p.value().toFloatVector()).containsExactly(0.95f, -2.025f);
    }

    /**
     * SGD with momentum on FLOAT parameters (its bulk-copy path) gives the same bits as the update written per element
     * with the arithmetic in double and the momentum buffer and parameter rounded to float where they are stored.
     */
    @Test
    void floatMomentumStepIsBitIdenticalToThePerElementUpdate() {
        for (boolean nesterov : new boolean[] {true, false}) {
            java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
            int n = 1000;
            float[] value = new float[n];
            for (int i = 0; i < n; i++) {
                value[i] = (float) (2 * rnd.nextDouble() - 1);
            }
            Parameter p = new Parameter("w", Nd4j.createFromArray(value.clone()), Nd4j.zeros(DataType.FLOAT, n), true);
            Optimizer o = Optimizers.create(OptimizerConfig.sgd(0.05, 0.9, nesterov, 5e-4));
            float[] buffer = new float[n];
            for (int step = 0; step < 4; step++) {
                float[] grad = new float[n];
                for (int i = 0; i < n; i++) {
                    grad[i] = (float) (2 * rnd.nextDouble() - 1);
                }
                p.gradient().assign(Nd4j.createFromArray(grad));
                o.step(List.of(p), 0.05);
                for (int i = 0; i < n; i++) {
                    double pi = value[i];
                    double gi = grad[i] + 5e-4 * pi;
                    buffer[i] = (float) (step == 0 ? gi : 0.9 * buffer[i] + gi);
                    double d = nesterov ? gi + 0.9 * buffer[i] : buffer[i];
                    value[i] = (float) (pi - 0.05 * d);
                }
                assertThat(p.value().toFloatVector()).as("step %d, nesterov %s", step, nesterov).containsExactly(value);
            }
        }
    }

    @Test
    void stateRoundTripContinuesIdentically() {
        for (OptimizerConfig c : List.of(OptimizerConfig.sgd(0.1, 0.9, true, 0.01),
                OptimizerConfig.adamw(0.1, 0.1, 0.9, 0.999, 1e-8))) {
            Optimizer a = Optimizers.create(c);
            Parameter p = param(true);
            p.gradient().assign(Nd4j.createFromArray(GRADS[0]));
            a.step(List.of(p), 0.1);
            OptimizerState st = a.state();
            Optimizer b = Optimizers.create(c);
            b.loadState(new OptimizerState(st.kind(), st.tensors(), st.scalars()));
            Parameter q = new Parameter("w", p.value().dup(), p.gradient().dup(), true);
            for (int s = 1; s < 3; s++) {
                p.gradient().assign(Nd4j.createFromArray(GRADS[s]));
                q.gradient().assign(Nd4j.createFromArray(GRADS[s]));
                a.step(List.of(p), 0.1);
                b.step(List.of(q), 0.1);
            }
            assertThat(q.value().toDoubleVector()).containsExactly(p.value().toDoubleVector());
            assertThat(b.steps()).isEqualTo(3);
        }
    }
}
