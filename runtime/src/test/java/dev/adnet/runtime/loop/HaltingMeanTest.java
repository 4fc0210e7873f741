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
     * Watched steps (a training step's) hold only the running samples' rows: they give what the whole-batch steps give,
     * stop where the batch's slowest sample halts, and the steps not taken are not read (NaN here).
     */
    @Test
    void watchedStepsRunOnTheRunningRowsAndStopAtTheLastHalt() {
        double[][] early = {{0.995, 0.6, 0.1}, {0.3, 0.5, 0.95}, {0.7, 0.1, 0.3}, {0.2, 0.4, 0.3}};
        INDArray[] s = states(new SplittableRandom(3));
        INDArray[] h = halts(early);
        HaltingMean.Steps steps = HaltingMean.start(B, EPS, CAP);
        steps.observe(h[0]);
        assertThat(steps.width()).isEqualTo(2);
        INDArray kept = steps.keep(s[0]);
        assertThat(kept.getRow(0)).isEqualTo(s[0].getRow(1));
        assertThat(kept.getRow(1)).isEqualTo(s[0].getRow(2));
        INDArray running = s[1].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)).dup('c');
        steps.observe(h[1].get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)).dup('c'));
        assertThat(steps.running()).isFalse();
        assertThat(steps.taken()).isEqualTo(2);
        assertThat(steps.steps()).containsExactly(1, 2, 2);
        INDArray unused = Nd4j.valueArrayOf(new long[] {1, D}, Double.NaN, DataType.DOUBLE);
        INDArray[] compact = {s[0], running, unused, unused};
        INDArray out = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.forward(steps, compact, out);
        INDArray expected = Nd4j.create(DataType.DOUBLE, B, D);
        HaltingMean.Steps whole = HaltingMean.forward(s, h, EPS, expected);
        assertThat(out).isEqualTo(expected);
        INDArray g = Nd4j.rand(DataType.DOUBLE, B, D);
        INDArray[] gs = {Nd4j.create(DataType.DOUBLE, B, D), Nd4j.create(DataType.DOUBLE, 2, D), unused.dup(), unused.dup()};
        INDArray[] gh = {Nd4j.create(DataType.DOUBLE, B, 1), Nd4j.create(DataType.DOUBLE, 2, 1), Nd4j.create(DataType.DOUBLE, 1, 1),
            Nd4j.create(DataType.DOUBLE, 1, 1)};
        HaltingMean.backward(steps, compact, g, 0.1, gs, gh);
        INDArray[] gsWhole = new INDArray[CAP];
        INDArray[] ghWhole = new INDArray[CAP];
        for (int n = 0; n < CAP; n++) {
            gsWhole[n] = Nd4j.create(DataType.DOUBLE, B, D);
            ghWhole[n] = Nd4j.create(DataType.DOUBLE, B, 1);
        }
        HaltingMean.backward(whole, s, g, 0.1, gsWhole, ghWhole);
        assertThat(gs[0]).isEqualTo(gsWhole[0]);
        assertThat(gh[0]).isEqualTo(ghWhole[0]);
        for (int j = 0; j < 2; j++) {
            assertThat(gs[1].getRow(j)).isEqualTo(gsWhole[1].getRow(j + 1));
            assertThat(gh[1].getDouble(j, 0)).isEqualTo(ghWhole[1].getDouble(j + 1, 0));
        }
        INDArray into = Nd4j.ones(DataType.DOUBLE, B, D);
        steps.addKept(1, into, gs[1]);
        assertThat(into.getRow(0)).isEqualTo(Nd4j.ones(DataType.DOUBLE, D));
        assertThat(into.getRow(2)).isEqualTo(gs[1].getRow(1).add(1.0));
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
