package dev.adnet.runtime.implicit;

import java.util.Locale;

/**
 * Training's account of a network's ODE solves: the function evaluations per sample in the forward solves and the
 * samples that stopped at their step cap before reaching t1, summed over the steps since the last {@link #drain()}
 * (an epoch). Thread-safe.
 */
public final class OdeTrace {
    private long samples;
    private long evaluations;
    private long unfinished;

    /** Counts one forward solve. */
    public synchronized void forward(OdeSolution s) {
        samples += s.evaluations().length;
        evaluations += s.totalEvaluations();
        unfinished += s.unfinished();
    }

    /** The counts since the last call, which starts a new count. */
    public synchronized Summary drain() {
        Summary s = new Summary(samples, evaluations, unfinished);
        samples = 0;
        evaluations = 0;
        unfinished = 0;
        return s;
    }

    /** @param unfinished samples whose solve stopped at the step cap (or on a non-number) before t1 */
    public record Summary(long samples, long evaluations, long unfinished) {
        public double meanEvaluations() {
            return samples == 0 ? 0 : evaluations / (double) samples;
        }

        /** One line for the training log. */
        public String text() {
            return String.format(Locale.ROOT, "odes: %.2f function evaluations per sample", meanEvaluations());
        }

        /** The warning when some solves stopped before t1, else null. */
        public String warning() {
            if (unfinished == 0) {
                return null;
            }
            return String.format(Locale.ROOT, "warning: %.2f%% of the ODE solves (%d of %d) stopped at their step cap "
                    + "before t1; they kept their last state", 100.0 * unfinished / samples, unfinished, samples);
        }
    }
}
