package dev.adnet.runtime.implicit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class DormandPrinceTest {
    private static final double[] RATES = {0.1, 1, 5, 30};

    /** dz/dt = -k_row z: each sample decays at its own rate, so the fast ones need more steps. */
    private static TimeMap decay(List<int[]> calls) {
        return (z, t, rows) -> {
            calls.add(rows.clone());
            INDArray r = z.dup();
            for (int j = 0; j < rows.length; j++) {
                r.getRow(j).muli(-RATES[rows[j]]);
            }
            return r;
        };
    }

    @Test
    void eachSampleTakesTheStepsItsOwnDynamicsNeed() {
        List<int[]> calls = new ArrayList<>();
        INDArray z0 = Nd4j.ones(DataType.DOUBLE, RATES.length, 2);
        OdeSolution sol = DormandPrince.solve(decay(calls), z0, new OdeSpec(0, 1, 1e-8, 1e-10, 10_000), false);
        assertThat(sol.unfinished()).isZero();
        for (int i = 0; i < RATES.length; i++) {
            double exact = Math.exp(-RATES[i]);
            assertThat(Math.abs(sol.z().getDouble(i, 0) - exact)).as("sample %d", i).isLessThan(1e-7 * exact + 1e-10);
            if (i > 0) {
                assertThat(sol.evaluations()[i]).as("evaluations of sample %d", i).isGreaterThan(sol.evaluations()[i - 1]);
            }
        }
        int[] seen = new int[RATES.length];
        for (int[] rows : calls) {
            for (int r : rows) {
                seen[r]++;
            }
        }
        assertThat(seen).containsExactly(sol.evaluations());
        assertThat(calls.get(calls.size() - 1)).containsExactly(RATES.length - 1);
    }

    @Test
    void timesArePerSampleAndTheIntervalEndsExactlyAtT1() {
        List<double[]> times = new ArrayList<>();
        TimeMap f = (z, t, rows) -> {
            times.add(t.clone());
            INDArray r = Nd4j.create(z.dataType(), z.shape());
            for (int j = 0; j < rows.length; j++) {
                r.getRow(j).assign(Math.cos(t[j]) * (rows[j] + 1));
            }
            return r;
        };
        INDArray z0 = Nd4j.createFromArray(new double[][] {{0.5}, {-1}});
        OdeSolution sol = DormandPrince.solve(f, z0, new OdeSpec(0, 2, 1e-9, 1e-12, 1000), false);
        assertThat(sol.z().getDouble(0, 0)).isCloseTo(0.5 + Math.sin(2), org.assertj.core.data.Offset.offset(1e-8));
        assertThat(sol.z().getDouble(1, 0)).isCloseTo(-1 + 2 * Math.sin(2), org.assertj.core.data.Offset.offset(1e-8));
        for (double[] t : times) {
            for (double v : t) {
                assertThat(v).isBetween(0.0, 2.0);
            }
        }
    }

    /** f(z, t) = tanh(W z) + 0.3 sin(t), with its vector-Jacobian product accumulating dL/dW. */
    private static final class TanhField implements TimeMap, TimeMapVjp {
        final INDArray w;
        final INDArray gradW;

        TanhField(INDArray w) {
            this.w = w;
            this.gradW = Nd4j.zeros(DataType.DOUBLE, w.shape());
        }

        @Override
        public INDArray apply(INDArray z, double[] t, int[] rows) {
            INDArray r = Transforms.tanh(z.mmul(w.transpose()), true);
            for (int j = 0; j < rows.length; j++) {
                r.getRow(j).addi(0.3 * Math.sin(t[j]));
            }
            return r;
        }

        @Override
        public INDArray apply(INDArray z, double[] t, int[] rows, INDArray g) {
            INDArray a = Transforms.tanh(z.mmul(w.transpose()), true);
            INDArray dPre = g.mul(a.mul(a).rsubi(1));
            gradW.addi(dPre.transpose().mmul(z));
            return dPre.mmul(w);
        }
    }

    @Test
    void theBackwardThroughTheAcceptedStepsMatchesFiniteDifferences() {
        SplittableRandom r = new SplittableRandom(7);
        int b = 3;
        int d = 3;
        INDArray w = Nd4j.create(DataType.DOUBLE, d, d);
        INDArray z0 = Nd4j.create(DataType.DOUBLE, b, d);
        INDArray weights = Nd4j.create(DataType.DOUBLE, b, d);
        for (int i = 0; i < d * d; i++) {
            w.putScalar(i, r.nextDouble(-1.5, 1.5));
        }
        for (int i = 0; i < b * d; i++) {
            z0.putScalar(i, r.nextDouble(-1, 1));
            weights.putScalar(i, r.nextDouble(-1, 1));
        }
        OdeSpec spec = new OdeSpec(0, 1.5, 1e-11, 1e-13, 100_000);
        TanhField field = new TanhField(w);
        OdeSolution sol = DormandPrince.solve(field, z0, spec, true);
        INDArray gradZ0 = DormandPrince.backward(field, field, sol, weights);

        double eps = 1e-6;
        for (int i = 0; i < b * d; i++) {
            double fd = (loss(w, bump(z0, i, eps), weights, spec) - loss(w, bump(z0, i, -eps), weights, spec)) / (2 * eps);
            assertThat(gradZ0.getDouble(i)).as("dL/dz0[%d]", i).isCloseTo(fd, org.assertj.core.data.Offset.offset(1e-7 * Math.max(1, Math.abs(fd))));
        }
        for (int i = 0; i < d * d; i++) {
            double fd = (loss(bump(w, i, eps), z0, weights, spec) - loss(bump(w, i, -eps), z0, weights, spec)) / (2 * eps);
            assertThat(field.gradW.getDouble(i)).as("dL/dW[%d]", i).isCloseTo(fd, org.assertj.core.data.Offset.offset(1e-7 * Math.max(1, Math.abs(fd))));
        }
        assertThat(sol.steps().get(0)).hasSize(sol.accepted()[0]);
    }

    private static double loss(INDArray w, INDArray z0, INDArray weights, OdeSpec spec) {
        return DormandPrince.solve(new TanhField(w), z0, spec, false).z().mul(weights).sumNumber().doubleValue();
    }

    private static INDArray bump(INDArray a, int i, double eps) {
        INDArray c = a.dup();
        c.putScalar(i, c.getDouble(i) + eps);
        return c;
    }

    @Test
    void aSampleThatReachesItsStepCapIsReportedWhereItStopped() {
        List<int[]> calls = new ArrayList<>();
        OdeSolution sol = DormandPrince.solve(decay(calls), Nd4j.ones(DataType.FLOAT, RATES.length, 2),
                new OdeSpec(0, 50, 1e-6, 1e-9, 4), false);
        assertThat(sol.unfinished()).isPositive();
        for (int i = 0; i < RATES.length; i++) {
            assertThat(sol.accepted()[i] + sol.rejected()[i]).isLessThanOrEqualTo(4);
            if (!sol.finished()[i]) {
                assertThat(sol.z().getDouble(i, 0)).isBetween(Math.exp(-50 * RATES[i]), 1.0);
            }
        }
    }

    @Test
    void badSettingsAndShapesAreClearErrors() {
        assertThatThrownBy(() -> new OdeSpec(1, 1, 1e-3, 1e-6, 10)).hasMessageContaining("t0 < t1");
        assertThatThrownBy(() -> new OdeSpec(0, 1, 0, 1e-6, 10)).hasMessageContaining("rtol");
        assertThatThrownBy(() -> new OdeSpec(0, 1, 1e-3, 1e-6, 0)).hasMessageContaining("cap");
        TimeMap wrong = (z, t, rows) -> Nd4j.zeros(z.dataType(), rows.length, 5);
        assertThatThrownBy(() -> DormandPrince.solve(wrong, Nd4j.ones(DataType.FLOAT, 2, 3), new OdeSpec(0, 1, 1e-3, 1e-6, 10), false))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 5]").hasMessageContaining("state's shape");
    }
}
