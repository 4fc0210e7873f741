package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.Prediction;

/**
 * What the gates of a network did over an evaluation: each gate's execution rate, overall and per class (the
 * figure ConvNet-AIG uses to show that inputs of one class share a computation path), and the FLOPs spent.
 */
public final class GateStatistics {
    private final int gates;
    private final int classes;
    private final long[] executed;
    private final long[][] executedByClass;
    private final long[] samplesByClass;
    private long samples;
    private double flops;

    public GateStatistics(int gates, int classes) {
        this.gates = gates;
        this.classes = classes;
        this.executed = new long[gates];
        this.executedByClass = new long[classes][gates];
        this.samplesByClass = new long[classes];
    }

    /** Adds a batch's trace; {@code labels[n]} is sample n's class. */
    public void add(Prediction p, int[] labels) {
        for (int n = 0; n < labels.length; n++) {
            int c = labels[n];
            samplesByClass[c]++;
            for (int g = 0; g < gates; g++) {
                if (p.executed()[n][g]) {
                    executed[g]++;
                    executedByClass[c][g]++;
                }
            }
            flops += p.flops()[n];
        }
        samples += labels.length;
    }

    public int gates() {
        return gates;
    }

    public int classes() {
        return classes;
    }

    public long samples() {
        return samples;
    }

    /** The fraction of samples for which gate {@code g}'s block ran. */
    public double rate(int g) {
        return samples == 0 ? 0 : (double) executed[g] / samples;
    }

    /** The fraction of class {@code c}'s samples for which gate {@code g}'s block ran. */
    public double rate(int c, int g) {
        return samplesByClass[c] == 0 ? 0 : (double) executedByClass[c][g] / samplesByClass[c];
    }

    public long samplesOf(int c) {
        return samplesByClass[c];
    }

    /** Mean FLOPs actually spent per sample. */
    public double meanFlops() {
        return samples == 0 ? 0 : flops / samples;
    }
}
