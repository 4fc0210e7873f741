package dev.adnet.runtime.loop;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Adaptive Computation Time's halting rule for one batch (Graves 2016, section 2). At step {@code n} each running
 * sample has a halting probability {@code h_n}; it halts at the first {@code N} with
 * {@code h_1 + ... + h_N >= 1 - eps}, or at the cap. Its state and output are the mean of the steps' values weighted
 * by {@code p_n = h_n} for {@code n < N} and by the remainder {@code R = 1 - (h_1 + ... + h_{N-1})} at {@code N};
 * its ponder cost is {@code N + R}.
 *
 * <p>A sample that halts leaves {@link #active()}, so the next step's body runs on the others only. The steps'
 * rows and weights are recorded for the backward ({@link #haltingGradients}): the gradient of the weighted mean and
 * of the ponder cost with respect to each {@code h_n}, with {@code N} not differentiated, as in the paper.
 */
public final class Halting {
    private final double threshold;
    private final int cap;
    private final double[] cumulative;
    private final int[] steps;
    private final double[] remainder;
    private int[] active;
    private final List<int[]> rowsPerStep = new ArrayList<>();
    private final List<double[]> weightsPerStep = new ArrayList<>();

    public Halting(int batch, double eps, int cap) {
        if (!(eps > 0 && eps < 1)) {
            throw new IllegalArgumentException("ACT's eps must be in (0, 1), got " + eps);
        }
        if (cap < 1) {
            throw new IllegalArgumentException("ACT's step cap must be at least 1, got " + cap);
        }
        this.threshold = 1 - eps;
        this.cap = cap;
        this.cumulative = new double[batch];
        this.steps = new int[batch];
        this.remainder = new double[batch];
        this.active = new int[batch];
        Arrays.setAll(active, i -> i);
    }

    /** The samples still running, ascending: the rows the next step's body runs on. */
    public int[] active() {
        return active;
    }

    public boolean done() {
        return active.length == 0;
    }

    /** Steps taken so far. */
    public int step() {
        return rowsPerStep.size();
    }

    /**
     * Takes one step: {@code h[j]} is the halting probability of {@code active()[j]} after this step's body.
     *
     * @return the weight {@code p_n} of this step's state for each of those samples; the samples that halt now
     *     (weight R) leave {@link #active()}
     */
    public double[] step(double[] h) {
        if (h.length != active.length) {
            throw new IllegalArgumentException("ACT step " + (step() + 1) + ": " + h.length
                    + " halting probabilities for " + active.length + " running samples");
        }
        int n = step() + 1;
        double[] p = new double[h.length];
        int[] rows = active;
        int kept = 0;
        int[] next = new int[rows.length];
        for (int j = 0; j < rows.length; j++) {
            int i = rows[j];
            double hj = h[j];
            if (!(hj >= 0 && hj <= 1)) {
                throw new IllegalArgumentException("ACT step " + n + ": halting probability " + hj + " of sample " + i
                        + " is not in [0, 1]");
            }
            steps[i] = n;
            if (cumulative[i] + hj >= threshold || n == cap) {
                remainder[i] = 1 - cumulative[i];
                p[j] = remainder[i];
            } else {
                cumulative[i] += hj;
                p[j] = hj;
                next[kept++] = i;
            }
        }
        rowsPerStep.add(rows);
        weightsPerStep.add(p);
        active = Arrays.copyOf(next, kept);
        return p;
    }

    /** Each sample's number of steps N (so far, while it runs). */
    public int[] steps() {
        return steps.clone();
    }

    /** Each halted sample's remainder R. */
    public double[] remainders() {
        return remainder.clone();
    }

    /** The batch mean of the ponder cost N + R (Graves' rho), over halted samples. */
    public double meanPonder() {
        double s = 0;
        for (int i = 0; i < steps.length; i++) {
            s += steps[i] + remainder[i];
        }
        return steps.length == 0 ? 0 : s / steps.length;
    }

    /** The rows of step {@code n} (0-based) and their weights, as {@link #step} returned them. */
    public int[] rows(int n) {
        return rowsPerStep.get(n);
    }

    public double[] weights(int n) {
        return weightsPerStep.get(n);
    }

    /**
     * The gradient with respect to each step's halting probabilities, for the loss
     * {@code L(sum_n p_n s_n) + ponderWeight * mean(N + R)}.
     *
     * @param dots {@code dots[n][j] = g_i . s_n} for step n's rows, where {@code g_i = dL/d(weighted state)} of
     *     sample {@code i = rows(n)[j]} and {@code s_n} is the value the step weighted (state and outputs together)
     * @return {@code dL/dh_n} for step n's rows: {@code g . (s_n - s_N) - ponderWeight / B} before the halting
     *     step, and 0 at it (R does not depend on {@code h_N}, and N is not differentiated)
     */
    public double[][] haltingGradients(double[][] dots, double ponderWeight) {
        int b = steps.length;
        double[] atHalt = new double[b];
        for (int n = 0; n < rowsPerStep.size(); n++) {
            int[] rows = rowsPerStep.get(n);
            for (int j = 0; j < rows.length; j++) {
                if (steps[rows[j]] == n + 1) {
                    atHalt[rows[j]] = dots[n][j];
                }
            }
        }
        double[][] grads = new double[rowsPerStep.size()][];
        for (int n = 0; n < rowsPerStep.size(); n++) {
            int[] rows = rowsPerStep.get(n);
            double[] g = new double[rows.length];
            for (int j = 0; j < rows.length; j++) {
                int i = rows[j];
                g[j] = steps[i] == n + 1 ? 0 : dots[n][j] - atHalt[i] - ponderWeight / b;
            }
            grads[n] = g;
        }
        return grads;
    }
}
