package dev.adnet.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class HaltingMeanTest {
    private static final int B = 3;
    private static final int D = 2;
    private static final int CAP = 4;
    private static final double EPS = 0.01;

    /** Sample 0 halts at step 1, sample 1 at step 2, sample 2 at the cap; every running sum is far from 1 - eps. */
    private static final double[][] H = {{0.995, 0.6, 0.1}, {0.3, 0.5, 0.2}, {0.7, 0.1, 0.3}, {0.2, 0.4, 0.3}};

    @Test
    void forwardIsThePWeightedMeanOfEachSamplesSteps() {
        INDArray[] s = states(new SplittableRandom(3));
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.Steps steps = HaltingMean.forward(s, halts(H), EPS, out);
        double[][] p = {{1, 0, 0, 0}, {0.6, 0.4, 0, 0}, {0.1, 0.2, 0.3, 0.4}};
        for (int i = 0; i < B; i++) {
            for (int e = 0; e < D; e++) {
                double expected = 0;
                for (int n = 0; n < CAP; n++) {
                    expected += p[i][n] * s[n].getDouble(i, e);
                }
                assertThat(out.getDouble(i, e)).isCloseTo(expected, Offset.offset(1e-12));
            }
        }
        assertThat(steps.steps()).containsExactly(1, 2, 4);
        assertThat(steps.meanPonder()).isCloseTo((2 + 2.4 + 4.4) / 3, Offset.offset(1e-12));
    }

    /** {@code L = sum(w * out) + tau * mean(N + R)}: the backward against central differences in double. */
    @Test
    void backwardMatchesFiniteDifferencesWhereNoStepCountChanges() {
        SplittableRandom rnd = new SplittableRandom(5);
        INDArray[] s = states(rnd);
        double[][] h = new double[CAP][];
        for (int n = 0; n < CAP; n++) {
            h[n] = H[n].clone();
        }
        INDArray w = Nd4j.create(DataType.DOUBLE, B, D);
        for (long i = 0; i < w.length(); i++) {
            w.putScalar(i, rnd.nextDouble() * 2 - 1);
        }
        double tau = 0.3;
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.Steps steps = HaltingMean.forward(s, halts(h), EPS, out);
        INDArray[] gs = new INDArray[CAP];
        INDArray[] gh = new INDArray[CAP];
        for (int n = 0; n < CAP; n++) {
            gs[n] = Nd4j.create(DataType.DOUBLE, B, D);
            gh[n] = Nd4j.create(DataType.DOUBLE, B, 1);
        }
        HaltingMean.backward(steps, s, w, tau, gs, gh);
        double step = 1e-6;
        for (int n = 0; n < CAP; n++) {
            for (int i = 0; i < B; i++) {
                for (int e = 0; e < D; e++) {
                    double orig = s[n].getDouble(i, e);
                    s[n].putScalar(new long[] {i, e}, orig + step);
                    double plus = loss(s, h, w, tau);
                    s[n].putScalar(new long[] {i, e}, orig - step);
                    double minus = loss(s, h, w, tau);
                    s[n].putScalar(new long[] {i, e}, orig);
                    assertThat(gs[n].getDouble(i, e)).as("dL/ds_%d[%d,%d]", n, i, e).isCloseTo((plus - minus) / (2 * step),
                            Offset.offset(1e-8));
                }
                double orig = h[n][i];
                h[n][i] = orig + step;
                double plus = loss(s, h, w, tau);
                h[n][i] = orig - step;
                double minus = loss(s, h, w, tau);
                h[n][i] = orig;
                assertThat(gh[n].getDouble(i, 0)).as("dL/dh_%d[%d]", n, i).isCloseTo((plus - minus) / (2 * step),
                        Offset.offset(1e-8));
            }
        }
    }

    /**
     * Watching the steps one at a time stops where the batch's slowest sample halts; the states of the steps not taken
     * are not read (NaN here), and their gradients are zero.
     */
    @Test
    void watchedStepsStopAtTheBatchsLastHalt() {
        double[][] early = {{0.995, 0.6, 0.1}, {0.3, 0.5, 0.95}, {0.7, 0.1, 0.3}, {0.2, 0.4, 0.3}};
        INDArray[] s = states(new SplittableRandom(3));
        INDArray[] h = halts(early);
        HaltingMean.Steps steps = HaltingMean.start(B, EPS, CAP);
        int computed = 0;
        while (steps.running()) {
            steps.observe(h[computed++]);
        }
        assertThat(computed).isEqualTo(2);
        assertThat(steps.taken()).isEqualTo(2);
        assertThat(steps.steps()).containsExactly(1, 2, 2);
        s[2].assign(Double.NaN);
        s[3].assign(Double.NaN);
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.forward(steps, s, out);
        INDArray expected = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.forward(states(new SplittableRandom(3)), h, EPS, expected);
        assertThat(out).isEqualTo(expected);
        INDArray[] gs = new INDArray[CAP];
        INDArray[] gh = new INDArray[CAP];
        for (int n = 0; n < CAP; n++) {
            gs[n] = Nd4j.valueArrayOf(new long[] {B, D}, 7.0, DataType.DOUBLE);
            gh[n] = Nd4j.valueArrayOf(new long[] {B, 1}, 7.0, DataType.DOUBLE);
        }
        HaltingMean.backward(steps, s, Nd4j.ones(DataType.DOUBLE, B, D), 0.1, gs, gh);
        for (int n = 2; n < CAP; n++) {
            assertThat(gs[n].sumNumber().doubleValue()).as("dL/ds_%d", n).isZero();
            assertThat(gh[n].sumNumber().doubleValue()).as("dL/dh_%d", n).isZero();
        }
        assertThat(Double.isNaN(gs[0].sumNumber().doubleValue()) || Double.isNaN(gs[1].sumNumber().doubleValue())).isFalse();
    }

    private static double loss(INDArray[] s, double[][] h, INDArray w, double tau) {
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.Steps steps = HaltingMean.forward(s, halts(h), EPS, out);
        return out.mul(w).sumNumber().doubleValue() + tau * steps.meanPonder();
    }

    private static INDArray[] states(SplittableRandom rnd) {
        INDArray[] s = new INDArray[CAP];
        for (int n = 0; n < CAP; n++) {
            s[n] = Nd4j.create(DataType.DOUBLE, B, D);
            for (long i = 0; i < s[n].length(); i++) {
                s[n].putScalar(i, rnd.nextDouble() * 2 - 1);
            }
        }
        return s;
    }

    private static INDArray[] halts(double[][] h) {
        INDArray[] a = new INDArray[CAP];
        for (int n = 0; n < CAP; n++) {
            a[n] = Nd4j.createFromArray(h[n].clone()).reshape(B, 1);
        }
        return a;
    }
}
