package dev.adnet.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GatedSelectTest {
    private static final int B = 3;
    private static final int D = 2;
    private static final int CAP = 3;

    /** Hard gates: sample 0 stops after pass 1, sample 1 after pass 2, sample 2 runs to the cap (its z_2 is open). */
    @Test
    void hardGatesSelectThePassAfterWhichEachSampleStops() {
        INDArray[] s = states(new SplittableRandom(3));
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        GatedSelect.Passes passes = GatedSelect.forward(s, gates(new double[][] {{0, 1, 1}, {1, 0, 1}}), out);
        int[] stop = {0, 1, 2};
        for (int i = 0; i < B; i++) {
            for (int e = 0; e < D; e++) {
                assertThat(out.getDouble(i, e)).isEqualTo(s[stop[i]].getDouble(i, e));
            }
        }
        assertThat(passes.meanSteps()).isCloseTo((1 + 2 + 3) / 3.0, Offset.offset(1e-12));
        Gating gating = new Gating(B, CAP);
        assertThat(gating.step(new double[] {0, 1, 1})).containsExactly(1, 0, 0);
        assertThat(gating.active()).containsExactly(1, 2);
        assertThat(gating.last()).isFalse();
        assertThat(gating.step(new double[] {0, 1})).containsExactly(1, 0);
        assertThat(gating.last()).isTrue();
        assertThat(gating.step(null)).containsExactly(1);
        assertThat(gating.done()).isTrue();
        assertThat(gating.steps()).containsExactly(1, 2, 3);
    }

    /** Soft gates, {@code L = sum(w * out)}: the backward against central differences in double. */
    @Test
    void backwardMatchesFiniteDifferencesWithSoftGates() {
        SplittableRandom rnd = new SplittableRandom(5);
        INDArray[] s = states(rnd);
        double[][] z = {{0.3, 0.8, 0.55}, {0.6, 0.1, 0.9}};
        INDArray w = Nd4j.create(DataType.DOUBLE, B, D);
        for (long i = 0; i < w.length(); i++) {
            w.putScalar(i, rnd.nextGaussian());
        }
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        GatedSelect.Passes passes = GatedSelect.forward(s, gates(z), out);
        INDArray[] gs = new INDArray[CAP];
        INDArray[] gz = new INDArray[CAP - 1];
        for (int k = 0; k < CAP; k++) {
            gs[k] = Nd4j.create(DataType.DOUBLE, B, D);
        }
        for (int k = 0; k < CAP - 1; k++) {
            gz[k] = Nd4j.create(DataType.DOUBLE, B, 1);
        }
        GatedSelect.backward(passes, s, gates(z), w, gs, gz);
        double h = 1e-6;
        for (int k = 0; k < CAP - 1; k++) {
            for (int i = 0; i < B; i++) {
                double[][] plus = copy(z);
                plus[k][i] += h;
                double[][] minus = copy(z);
                minus[k][i] -= h;
                double numeric = (loss(s, plus, w) - loss(s, minus, w)) / (2 * h);
                assertThat(gz[k].getDouble(i, 0)).as("dL/dz_%d[%d]", k + 1, i).isCloseTo(numeric, Offset.offset(1e-8));
            }
        }
        for (int k = 0; k < CAP; k++) {
            for (int i = 0; i < B; i++) {
                for (int e = 0; e < D; e++) {
                    double orig = s[k].getDouble(i, e);
                    s[k].putScalar(new int[] {i, e}, orig + h);
                    double lp = loss(s, z, w);
                    s[k].putScalar(new int[] {i, e}, orig - h);
                    double lm = loss(s, z, w);
                    s[k].putScalar(new int[] {i, e}, orig);
                    assertThat(gs[k].getDouble(i, e)).as("dL/ds_%d[%d, %d]", k + 1, i, e)
                            .isCloseTo((lp - lm) / (2 * h), Offset.offset(1e-8));
                }
            }
        }
    }

    private static double loss(INDArray[] s, double[][] z, INDArray w) {
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        GatedSelect.forward(s, gates(z), out);
        return out.mul(w).sumNumber().doubleValue();
    }

    private static double[][] copy(double[][] z) {
        double[][] c = new double[z.length][];
        for (int k = 0; k < z.length; k++) {
            c[k] = z[k].clone();
        }
        return c;
    }

    private static INDArray[] states(SplittableRandom rnd) {
        INDArray[] s = new INDArray[CAP];
        for (int k = 0; k < CAP; k++) {
            s[k] = Nd4j.create(DataType.DOUBLE, B, D);
            for (long i = 0; i < s[k].length(); i++) {
                s[k].putScalar(i, rnd.nextGaussian());
            }
        }
        return s;
    }

    private static INDArray[] gates(double[][] z) {
        INDArray[] g = new INDArray[z.length];
        for (int k = 0; k < z.length; k++) {
            g[k] = Nd4j.createFromArray(z[k]).reshape(B, 1);
        }
        return g;
    }
}
