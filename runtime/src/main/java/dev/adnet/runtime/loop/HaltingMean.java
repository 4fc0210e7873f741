package dev.adnet.runtime.loop;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * ACT's combination of a halting loop's steps when every sample's steps are at hand, as in an unrolled training
 * step: from each step's state {@code s_n} and halting probability {@code h_n} (whole batch, {@code [B, ...]} and
 * {@code [B, 1]}), the p-weighted mean {@code sum_n p_n s_n} under {@link Halting}'s rule. A sample's steps after its
 * halting step get weight 0 and no gradient, so they do not change the result or the gradient.
 *
 * <p>The backward gives {@code dL/ds_n = p_n g} and {@code dL/dh_n} from {@link Halting#haltingGradients} (N not
 * differentiated, R is), with the ponder term's weight folded in.
 */
public final class HaltingMean {
    private HaltingMean() {}

    /** What the backward and the ponder term need of a forward. */
    public static final class Steps {
        private final Halting halting;
        private final int batch;

        private Steps(Halting halting, int batch) {
            this.halting = halting;
            this.batch = batch;
        }

        /** The batch mean of N + R. */
        public double meanPonder() {
            return halting.meanPonder();
        }

        /** Each sample's number of steps N. */
        public int[] steps() {
            return halting.steps();
        }

        /** The mean of N over the batch. */
        public double meanSteps() {
            return Arrays.stream(halting.steps()).average().orElse(0);
        }

        int batch() {
            return batch;
        }

        Halting halting() {
            return halting;
        }
    }

    /**
     * @param states each step's state, {@code [B, ...]}, as many as the loop's cap
     * @param halts each step's halting probability, {@code [B, 1]}
     * @param out receives the weighted mean, shaped like a state
     */
    public static Steps forward(INDArray[] states, INDArray[] halts, double eps, INDArray out) {
        if (states.length != halts.length || states.length == 0) {
            throw new IllegalArgumentException("halting mean: " + states.length + " states and " + halts.length + " halting"
                    + " probabilities");
        }
        int b = Math.toIntExact(out.size(0));
        Halting halting = new Halting(b, eps, states.length);
        int d = Math.toIntExact(out.length() / Math.max(1, b));
        double[] acc = new double[b * d];
        for (int n = 0; n < states.length && !halting.done(); n++) {
            double[] h = halts[n].dup('c').data().asDouble();
            double[] s = states[n].dup('c').data().asDouble();
            int[] active = halting.active();
            double[] hActive = new double[active.length];
            for (int j = 0; j < active.length; j++) {
                hActive[j] = h[active[j]];
            }
            double[] p = halting.step(hActive);
            for (int j = 0; j < active.length; j++) {
                int i = active[j];
                for (int e = 0; e < d; e++) {
                    acc[i * d + e] += p[j] * s[i * d + e];
                }
            }
        }
        out.assign(Nd4j.createFromArray(acc).reshape(out.shape()).castTo(out.dataType()));
        return new Steps(halting, b);
    }

    /**
     * @param gradOut {@code dL/d(out)}
     * @param ponderWeight the weight of {@code mean(N + R)} in the loss (0 without a ponder term)
     * @param gradStates receives {@code dL/ds_n} (overwritten; null where not needed)
     * @param gradHalts receives {@code dL/dh_n} (overwritten; null where not needed)
     */
    public static void backward(Steps steps, INDArray[] states, INDArray gradOut, double ponderWeight,
            INDArray[] gradStates, INDArray[] gradHalts) {
        Halting halting = steps.halting();
        int b = steps.batch();
        int d = Math.toIntExact(gradOut.length() / Math.max(1, b));
        double[] g = gradOut.dup('c').data().asDouble();
        int taken = halting.step();
        double[][] dots = new double[taken][];
        for (int n = 0; n < states.length; n++) {
            double[] gs = new double[b * d];
            if (n < taken) {
                int[] rows = halting.rows(n);
                double[] p = halting.weights(n);
                double[] s = states[n].dup('c').data().asDouble();
                dots[n] = new double[rows.length];
                for (int j = 0; j < rows.length; j++) {
                    int i = rows[j];
                    double dot = 0;
                    for (int e = 0; e < d; e++) {
                        gs[i * d + e] = p[j] * g[i * d + e];
                        dot += g[i * d + e] * s[i * d + e];
                    }
                    dots[n][j] = dot;
                }
            }
            if (gradStates[n] != null) {
                gradStates[n].assign(Nd4j.createFromArray(gs).reshape(gradStates[n].shape()).castTo(gradStates[n].dataType()));
            }
        }
        double[][] gh = halting.haltingGradients(dots, ponderWeight);
        for (int n = 0; n < gradHalts.length; n++) {
            if (gradHalts[n] == null) {
                continue;
            }
            double[] full = new double[b];
            if (n < taken) {
                int[] rows = halting.rows(n);
                for (int j = 0; j < rows.length; j++) {
                    full[rows[j]] = gh[n][j];
                }
            }
            gradHalts[n].assign(Nd4j.createFromArray(full).reshape(gradHalts[n].shape()).castTo(gradHalts[n].dataType()));
        }
    }
}
