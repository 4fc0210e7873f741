package dev.adnet.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class HaltingTest {
    @Test
    void weightsFollowGravesRule() {
        Halting act = new Halting(3, 0.01, 4);
        // sample 0 halts at once (h >= 1 - eps), sample 1 after two steps, sample 2 at the cap
        assertThat(act.step(new double[] {0.995, 0.6, 0.1})).containsExactly(1, 0.6, 0.1);
        assertThat(act.active()).containsExactly(1, 2);
        double[] p = act.step(new double[] {0.5, 0.2});
        assertThat(p[0]).isCloseTo(0.4, Offset.offset(1e-15));
        assertThat(p[1]).isEqualTo(0.2);
        assertThat(act.active()).containsExactly(2);
        act.step(new double[] {0.3});
        double[] last = act.step(new double[] {0.3});
        assertThat(last[0]).isCloseTo(0.4, Offset.offset(1e-15));
        assertThat(act.done()).isTrue();
        assertThat(act.steps()).containsExactly(1, 2, 4);
        assertThat(act.remainders()[0]).isEqualTo(1);
        assertThat(act.remainders()[1]).isCloseTo(0.4, Offset.offset(1e-15));
        assertThat(act.meanPonder()).isCloseTo((2 + 2.4 + 4.4) / 3, Offset.offset(1e-12));
    }

    @Test
    void badProbabilitiesAndSettingsAreClearErrors() {
        assertThatThrownBy(() -> new Halting(2, 0, 3)).hasMessageContaining("eps");
        assertThatThrownBy(() -> new Halting(2, 0.01, 0)).hasMessageContaining("cap");
        Halting act = new Halting(2, 0.01, 3);
        assertThatThrownBy(() -> act.step(new double[] {0.5})).hasMessageContaining("2 running samples");
        assertThatThrownBy(() -> act.step(new double[] {0.5, Double.NaN})).hasMessageContaining("sample 1");
    }

    /**
     * An ACT cell s_n = tanh(W s_{n-1} + U x), h_n = sigmoid(v . s_n + c), loss w . sum_n p_n s_n + tau mean(N + R),
     * run with compaction (halted samples leave), differentiated with {@link Halting#haltingGradients}, against
     * central differences at a point where no sample's N changes under the perturbation.
     */
    @Test
    void theGradientOfAnActCellMatchesFiniteDifferences() {
        Cell cell = new Cell(new SplittableRandom(5));
        Cell.Run run = cell.run();
        assertThat(Arrays.stream(run.steps).distinct().count()).as("samples halt at different steps").isGreaterThan(1);
        double[][] grads = cell.backward(run);
        double eps = 1e-6;
        double[][] params = {cell.c, cell.v, cell.w, cell.u};
        String[] names = {"c", "v", "W", "U"};
        for (int q = 0; q < params.length; q++) {
            for (int i = 0; i < params[q].length; i++) {
                double keep = params[q][i];
                params[q][i] = keep + eps;
                Cell.Run plus = cell.run();
                params[q][i] = keep - eps;
                Cell.Run minus = cell.run();
                params[q][i] = keep;
                assertThat(plus.steps).isEqualTo(run.steps);
                assertThat(minus.steps).isEqualTo(run.steps);
                double fd = (plus.loss - minus.loss) / (2 * eps);
                assertThat(grads[q][i]).as("dL/d%s[%d]", names[q], i).isCloseTo(fd, Offset.offset(1e-8 * Math.max(1, Math.abs(fd))));
            }
        }
    }

    private static final class Cell {
        static final int B = 5;
        static final int D = 3;
        static final int X = 2;
        static final double TAU = 0.05;
        final double[] c = {-0.7};
        final double[] v = new double[D];
        final double[] w = new double[D * D];
        final double[] u = new double[D * X];
        final double[][] x = new double[B][X];
        final double[][] lossWeights = new double[B][D];

        Cell(SplittableRandom r) {
            fill(r, v, 1.5);
            fill(r, w, 0.8);
            fill(r, u, 1.2);
            for (int i = 0; i < B; i++) {
                fill(r, x[i], 1.5);
                fill(r, lossWeights[i], 1);
            }
        }

        static void fill(SplittableRandom r, double[] a, double scale) {
            for (int i = 0; i < a.length; i++) {
                a[i] = scale * r.nextDouble(-1, 1);
            }
        }

        record Run(double loss, int[] steps, Halting act, List<double[][]> states, List<double[]> halts, double[][] out) {}

        Run run() {
            Halting act = new Halting(B, 0.01, 6);
            double[][] s = new double[B][D];
            double[][] out = new double[B][D];
            List<double[][]> states = new ArrayList<>();
            List<double[]> halts = new ArrayList<>();
            while (!act.done()) {
                int[] rows = act.active();
                double[][] next = new double[rows.length][D];
                double[] h = new double[rows.length];
                for (int j = 0; j < rows.length; j++) {
                    int i = rows[j];
                    for (int a = 0; a < D; a++) {
                        double pre = 0;
                        for (int b = 0; b < D; b++) {
                            pre += w[a * D + b] * s[i][b];
                        }
                        for (int b = 0; b < X; b++) {
                            pre += u[a * X + b] * x[i][b];
                        }
                        next[j][a] = Math.tanh(pre);
                    }
                    double z = c[0];
                    for (int a = 0; a < D; a++) {
                        z += v[a] * next[j][a];
                    }
                    h[j] = 1 / (1 + Math.exp(-z));
                }
                double[] p = act.step(h);
                for (int j = 0; j < rows.length; j++) {
                    for (int a = 0; a < D; a++) {
                        out[rows[j]][a] += p[j] * next[j][a];
                    }
                    s[rows[j]] = next[j];
                }
                states.add(next);
                halts.add(h);
            }
            double loss = TAU * act.meanPonder();
            for (int i = 0; i < B; i++) {
                for (int a = 0; a < D; a++) {
                    loss += lossWeights[i][a] * out[i][a];
                }
            }
            return new Run(loss, act.steps(), act, states, halts, out);
        }

        /** dL/d{c, v, W, U} by reverse mode through the steps, with the halting gradients from the kernel. */
        double[][] backward(Run run) {
            Halting act = run.act();
            int steps = act.step();
            double[][] dots = new double[steps][];
            for (int n = 0; n < steps; n++) {
                int[] rows = act.rows(n);
                dots[n] = new double[rows.length];
                for (int j = 0; j < rows.length; j++) {
                    for (int a = 0; a < D; a++) {
                        dots[n][j] += lossWeights[rows[j]][a] * run.states().get(n)[j][a];
                    }
                }
            }
            double[][] dh = act.haltingGradients(dots, TAU);
            double[] dc = new double[1];
            double[] dv = new double[D];
            double[] dw = new double[D * D];
            double[] du = new double[D * X];
            double[][] carry = new double[B][D];
            for (int n = steps - 1; n >= 0; n--) {
                int[] rows = act.rows(n);
                double[] p = act.weights(n);
                double[][] sn = run.states().get(n);
                for (int j = 0; j < rows.length; j++) {
                    int i = rows[j];
                    double h = run.halts().get(n)[j];
                    double dz = dh[n][j] * h * (1 - h);
                    dc[0] += dz;
                    double[] ds = new double[D];
                    for (int a = 0; a < D; a++) {
                        dv[a] += dz * sn[j][a];
                        ds[a] = p[j] * lossWeights[i][a] + dz * v[a] + carry[i][a];
                    }
                    double[] prev = n == 0 ? new double[D] : stateBefore(run, n, i);
                    double[] back = new double[D];
                    for (int a = 0; a < D; a++) {
                        double dpre = ds[a] * (1 - sn[j][a] * sn[j][a]);
                        for (int b = 0; b < D; b++) {
                            dw[a * D + b] += dpre * prev[b];
                            back[b] += dpre * w[a * D + b];
                        }
                        for (int b = 0; b < X; b++) {
                            du[a * X + b] += dpre * x[i][b];
                        }
                    }
                    carry[i] = back;
                }
            }
            return new double[][] {dc, dv, dw, du};
        }

        private static double[] stateBefore(Run run, int n, int sample) {
            int[] rows = run.act().rows(n - 1);
            return run.states().get(n - 1)[Arrays.binarySearch(rows, sample)];
        }
    }
}
