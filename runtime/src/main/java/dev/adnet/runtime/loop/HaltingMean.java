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
        /** Whether step n's values hold only the rows of the samples running at n ({@link #start}). */
        private final boolean compact;

        private Steps(Halting halting, int batch, boolean compact) {
            this.halting = halting;
            this.batch = batch;
            this.compact = compact;
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

        /** How many steps the batch took: those of its slowest sample. */
        public int taken() {
            return halting.step();
        }

        /** Whether a sample of the batch has not halted yet: the next step must run. */
        public boolean running() {
            return !halting.done();
        }

        /**
         * The rows of the next step's values: one per running sample, at least one (a step no sample takes is
         * declared at one row and never computed).
         */
        public int width() {
            return Math.max(1, halting.active().length);
        }

        /**
         * Takes the next step: {@code h} is its halting probability for each running sample ({@code [k, 1]}, in the
         * order of the batch).
         */
        public void observe(INDArray h) {
            halting.step(LoopRows.column(h));
        }

        /**
         * The rows of {@code x} (one per sample of the last step taken) that belong to the samples still running:
         * what the next step reads of a value of the last step or of the loop's captured values; {@code x} itself when
         * no sample left (or none runs on).
         */
        public INDArray keep(INDArray x) {
            int[] after = halting.active();
            int[] before = halting.rows(halting.step() - 1);
            return after.length == 0 || after.length == before.length ? x : LoopRows.carry(x, before, after);
        }

        /**
         * Adds the gradient {@code part} of what step {@code n} (0-based) read through {@link #keep} (one row per sample
         * of step n) into {@code into}, the gradient of the value kept (one row per sample of step n - 1).
         */
        public void addKept(int n, INDArray into, INDArray part) {
            int[] before = halting.rows(n - 1);
            int[] after = halting.rows(n);
            int d = Math.toIntExact(part.length() / Math.max(1, after.length));
            if (into.length() != (long) before.length * d || part.length() != (long) after.length * d) {
                throw new IllegalArgumentException("halting loop: a gradient of " + part.length() + " values for " + after.length
                        + " rows into one of " + into.length() + " for " + before.length);
            }
            int[] positions = new int[after.length];
            for (int i = 0, j = 0; i < after.length; i++) {
                while (before[j] != after[i]) {
                    j++;
                }
                positions[i] = j;
            }
            RowSums.addRows(into, part, positions, d);
        }

        int batch() {
            return batch;
        }

        Halting halting() {
            return halting;
        }
    }

    /**
     * Starts watching a training step's unrolled loop: the step feeds each step's halting probabilities to
     * {@link Steps#observe} as it computes them, and runs step n + 1 only while {@link Steps#running()}, on the rows
     * of the samples still running ({@link Steps#keep}). A sample's steps after its halting step have weight 0 and no
     * gradient, so leaving them out changes nothing.
     */
    public static Steps start(long batch, double eps, int cap) {
        return new Steps(new Halting(Math.toIntExact(batch), eps, cap), Math.toIntExact(batch), true);
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
        for (int n = 0; n < states.length && !halting.done(); n++) {
            double[] h = LoopRows.column(halts[n]);
            int[] active = halting.active();
            double[] running = new double[active.length];
            for (int j = 0; j < active.length; j++) {
                running[j] = h[active[j]];
            }
            halting.step(running);
        }
        Steps steps = new Steps(halting, b, false);
        forward(steps, states, out);
        return steps;
    }

    /**
     * The weighted mean of the steps {@code steps} took; the states of the steps it did not take are not read.
     *
     * @param states each step's state: {@code [B, ...]}, or for watched steps ({@link #start}) one row per sample
     *     running at that step
     * @param out receives the weighted mean, shaped like a state
     */
    public static void forward(Steps steps, INDArray[] states, INDArray out) {
        Halting halting = steps.halting();
        if (steps.compact) {
            out.assign(0.0);
            for (int n = 0; n < halting.step(); n++) {
                WeightedRows.accumulate(out, states[n], halting.rows(n), halting.weights(n));
            }
            return;
        }
        int b = steps.batch();
        int d = Math.toIntExact(out.length() / Math.max(1, b));
        double[] acc = new double[b * d];
        for (int n = 0; n < halting.step(); n++) {
            double[] s = states[n].dup('c').data().asDouble();
            int[] rows = halting.rows(n);
            double[] p = halting.weights(n);
            for (int j = 0; j < rows.length; j++) {
                int i = rows[j];
                for (int e = 0; e < d; e++) {
                    acc[i * d + e] += p[j] * s[i * d + e];
                }
            }
        }
        out.assign(Nd4j.createFromArray(acc).reshape(out.shape()).castTo(out.dataType()));
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
        if (steps.compact) {
            compactBackward(halting, states, gradOut, ponderWeight, gradStates, gradHalts);
            return;
        }
        int b = steps.batch();
        int d = Math.toIntExact(gradOut.length() / Math.max(1, b));
        double[] g = gradOut.dup('c').data().asDouble();
        int taken = halting.step();
        double[][] dots = new double[taken][];
        for (int n = 0; n < states.length; n++) {
            if (n >= taken) {
                // a step after the batch's last halt (a training step that watched the halts did not compute it)
                if (gradStates[n] != null) {
                    gradStates[n].assign(0.0);
                }
                continue;
            }
            double[] gs = new double[b * d];
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

    /** The backward of watched steps: step n's values and gradients hold one row per sample running at n. */
    private static void compactBackward(Halting halting, INDArray[] states, INDArray gradOut, double ponderWeight,
            INDArray[] gradStates, INDArray[] gradHalts) {
        int taken = halting.step();
        double[][] dots = new double[taken][];
        for (int n = 0; n < taken; n++) {
            dots[n] = WeightedRows.dots(gradOut, halting.rows(n), states[n]);
            if (gradStates[n] != null) {
                gradStates[n].assign(WeightedRows.scaled(gradOut, halting.rows(n), halting.weights(n), states[n]));
            }
        }
        double[][] gh = halting.haltingGradients(dots, ponderWeight);
        for (int n = 0; n < states.length; n++) {
            if (n >= taken) {
                // a step no sample took: declared, never computed, and read by nothing
                if (gradStates[n] != null) {
                    gradStates[n].assign(0.0);
                }
                if (gradHalts[n] != null) {
                    gradHalts[n].assign(0.0);
                }
            } else if (gradHalts[n] != null) {
                gradHalts[n].assign(Nd4j.createFromArray(gh[n]).reshape(gradHalts[n].shape()).castTo(gradHalts[n].dataType()));
            }
        }
    }
}
