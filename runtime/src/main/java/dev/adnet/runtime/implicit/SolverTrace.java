package dev.adnet.runtime.implicit;

import java.util.Locale;

/**
 * Training's account of a network's fixed-point solves: the forward and backward iterations per sample and the samples
 * that did not converge, summed over the steps since the last {@link #drain()} (an epoch). Thread-safe.
 */
public final class SolverTrace {
    private long forwardSamples;
    private long forwardIterations;
    private long backwardSamples;
    private long backwardIterations;
    private long unconverged;
    private double worstResidual;

    /** Counts one forward solve. */
    public synchronized void forward(FixedPointSolution s) {
        forwardSamples += s.batchSize();
        forwardIterations += s.evaluations();
        count(s);
    }

    /** Counts one backward solve. */
    public synchronized void backward(FixedPointSolution s) {
        backwardSamples += s.batchSize();
        backwardIterations += s.evaluations();
        count(s);
    }

    private void count(FixedPointSolution s) {
        int u = s.unconverged();
        if (u > 0) {
            unconverged += u;
            double w = s.worstResidual();
            worstResidual = Double.isNaN(w) || Double.isNaN(worstResidual) ? Double.NaN : Math.max(worstResidual, w);
        }
    }

    /** The counts since the last call, which starts a new count. */
    public synchronized Summary drain() {
        Summary s = new Summary(forwardSamples, forwardIterations, backwardSamples, backwardIterations, unconverged,
                worstResidual);
        forwardSamples = 0;
        forwardIterations = 0;
        backwardSamples = 0;
        backwardIterations = 0;
        unconverged = 0;
        worstResidual = 0;
        return s;
    }

    /**
     * @param unconverged forward and backward solves of a sample that ended at the cap (or on a residual that is not
     *     a number), keeping their last iterate
     */
    public record Summary(long forwardSamples, long forwardIterations, long backwardSamples, long backwardIterations,
            long unconverged, double worstResidual) {
        public double meanForward() {
            return forwardSamples == 0 ? 0 : forwardIterations / (double) forwardSamples;
        }

        public double meanBackward() {
            return backwardSamples == 0 ? 0 : backwardIterations / (double) backwardSamples;
        }

        /** The share of solves (forward and backward, per sample) that did not converge. */
        public double unconvergedShare() {
            long solves = forwardSamples + backwardSamples;
            return solves == 0 ? 0 : unconverged / (double) solves;
        }

        /** One line for the training log. */
        public String text() {
            return String.format(Locale.ROOT, "fixed points: %.2f forward and %.2f backward iterations per sample",
                    meanForward(), meanBackward());
        }

        /** The warning when some solves did not converge, else null. */
        public String warning() {
            if (unconverged == 0) {
                return null;
            }
            return String.format(Locale.ROOT, "warning: %.2f%% of the fixed-point solves (%d of %d, forward and backward) "
                    + "stopped at their cap without converging (worst residual %.3g); they kept their last iterate",
                    100 * unconvergedShare(), unconverged, forwardSamples + backwardSamples, worstResidual);
        }
    }
}
