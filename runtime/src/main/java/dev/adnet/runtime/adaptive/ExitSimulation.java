package dev.adnet.runtime.adaptive;

import java.util.List;
import java.util.OptionalDouble;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Replays a multi-exit network's routing offline, from every exit head's output on every sample (recorded once in
 * {@link dev.adnet.runtime.ExitMode#ALL_HEADS}): where each sample would leave under given thresholds, the accuracy
 * and the mean FLOPs that gives, and the threshold that meets a compute budget. It uses the same
 * {@link ExitPolicy#fires} and the same streak rule as {@link ExitRouting}, so a replay matches a real run.
 *
 * <p>Costs are the cost model's per-exit FLOPs ({@code exitFlops[k]}: everything up to exit {@code k}, with every
 * gated block executed), so with gates the mean is an upper bound of what the gates leave to spend.
 */
public final class ExitSimulation {
    private final List<double[]> heads;
    private final double[] last;
    private final int[] labels;
    private final int classes;
    private final long[] exitFlops;
    private final ExitPolicy[] policies;
    private final int samples;

    /** Where the samples leave under one set of thresholds. */
    public record Outcome(double accuracy, double meanFlops, int[] exits, int[] histogram) {}

    /**
     * @param heads each exit head's logits, {@code [samples * classes]} row-major, in exit order
     * @param last the final output's logits
     * @param labels each sample's class
     * @param exitFlops FLOPs of a sample leaving at each exit, then at the final output
     */
    public ExitSimulation(List<double[]> heads, double[] last, int[] labels, int classes, long[] exitFlops,
            ExitPolicy[] policies) {
        if (heads.size() != policies.length || exitFlops.length != policies.length + 1) {
            throw new IllegalArgumentException(heads.size() + " heads, " + policies.length + " policies and "
                    + exitFlops.length + " exit costs do not match");
        }
        this.heads = List.copyOf(heads);
        this.last = last;
        this.labels = labels;
        this.classes = classes;
        this.exitFlops = exitFlops.clone();
        this.policies = policies.clone();
        this.samples = labels.length;
        for (double[] h : heads) {
            if (h.length != samples * classes) {
                throw new IllegalArgumentException("an exit head has " + h.length + " values for " + samples + " samples");
            }
        }
    }

    public Outcome outcome(double[] thresholds) {
        int exitCount = policies.length;
        int[] exits = new int[samples];
        int[] histogram = new int[exitCount + 1];
        long correct = 0;
        double flops = 0;
        for (int n = 0; n < samples; n++) {
            int offset = n * classes;
            int exit = exitCount;
            int lastClass = -1;
            int streak = 0;
            for (int k = 0; k < exitCount; k++) {
                double[] h = heads.get(k);
                int c = ExitPolicy.argmax(h, offset, classes);
                streak = c == lastClass ? streak + 1 : 1;
                lastClass = c;
                if (policies[k].fires(h, offset, classes, thresholds[k], streak)) {
                    exit = k;
                    break;
                }
            }
            double[] taken = exit == exitCount ? last : heads.get(exit);
            if (ExitPolicy.argmax(taken, offset, classes) == labels[n]) {
                correct++;
            }
            exits[n] = exit;
            histogram[exit]++;
            flops += exitFlops[exit];
        }
        return new Outcome((double) correct / samples, flops / samples, exits, histogram);
    }

    /**
     * The largest confidence threshold, shared by the exits marked in {@code calibrated} (the others keep theirs),
     * whose mean FLOPs stay within {@code budgetFlops}; empty when even a threshold of 0 (every such sample leaves at
     * the first of those exits) costs more. Lowering a confidence threshold never moves a sample to a later exit, so
     * the cost is monotone in it and bisection finds the boundary.
     */
    public OptionalDouble calibrate(double budgetFlops, boolean[] calibrated, double[] thresholds) {
        double[] t = thresholds.clone();
        if (cost(t, calibrated, 0.0) > budgetFlops) {
            return OptionalDouble.empty();
        }
        if (cost(t, calibrated, 1.0) <= budgetFlops) {
            return OptionalDouble.of(1.0);
        }
        double lo = 0.0;
        double hi = 1.0;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (cost(t, calibrated, mid) <= budgetFlops) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return OptionalDouble.of(lo);
    }

    /**
     * {@link #calibrate(double, boolean[], double[])} for a network that stores its thresholds in {@code storedAs}:
     * the largest threshold representable in that type whose mean FLOPs stay within {@code budgetFlops}. Rounding the
     * bisection's threshold to the nearest representable value can move it above the confidence of the last sample
     * that has to leave, and then the stored threshold misses the budget.
     */
    public OptionalDouble calibrate(double budgetFlops, boolean[] calibrated, double[] thresholds, DataType storedAs) {
        OptionalDouble found = calibrate(budgetFlops, calibrated, thresholds);
        if (found.isEmpty()) {
            return found;
        }
        double[] t = thresholds.clone();
        double s = stored(found.getAsDouble(), storedAs);
        while (s > 0 && cost(t, calibrated, s) > budgetFlops) {
            // the next representable value below s: step down until rounding no longer brings it back
            double step = Math.ulp(s);
            double below = stored(s - step, storedAs);
            while (below >= s) {
                step *= 2;
                below = stored(s - step, storedAs);
            }
            s = Math.max(0.0, below);
        }
        return OptionalDouble.of(s);
    }

    /** {@code v} as a buffer of type {@code type} holds it. */
    private static double stored(double v, DataType type) {
        return type == DataType.DOUBLE ? v : Nd4j.scalar(DataType.DOUBLE, v).castTo(type).getDouble(0);
    }

    private double cost(double[] t, boolean[] calibrated, double threshold) {
        for (int k = 0; k < t.length; k++) {
            if (calibrated[k]) {
                t[k] = threshold;
            }
        }
        return outcome(t).meanFlops();
    }
}
