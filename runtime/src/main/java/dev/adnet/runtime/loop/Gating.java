package dev.adnet.runtime.loop;

import java.util.Arrays;

/**
 * A gated loop's stopping rule for one batch at inference (dynamic recursion): every sample takes the first pass;
 * after pass {@code k < cap} its gate decides whether it takes pass {@code k + 1}. A sample whose gate closes (or that
 * reaches the cap) stops there, keeps that pass's value and leaves {@link #active()}, so the next pass runs on the
 * others only.
 */
public final class Gating {
    private final int cap;
    private final int[] passes;
    private int[] active;
    private int taken;

    public Gating(int batch, int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("a gated loop's cap must be at least 1, got " + cap);
        }
        this.cap = cap;
        this.passes = new int[batch];
        this.active = new int[batch];
        Arrays.setAll(active, i -> i);
    }

    /** The samples still running, ascending: the rows the next pass runs on. */
    public int[] active() {
        return active;
    }

    public boolean done() {
        return active.length == 0;
    }

    /** Whether the pass about to run is the cap's, after which no gate decides. */
    public boolean last() {
        return taken + 1 == cap;
    }

    /**
     * Ends a pass: {@code z[j]} is the gate's decision (1 open, 0 closed) for {@code active()[j]} after it, or null after
     * the last pass.
     *
     * @return the weight of this pass's value for each of those samples: 1 for those that stop now (they leave
     *     {@link #active()}), 0 for those that go on
     */
    public double[] step(double[] z) {
        if (z != null && z.length != active.length) {
            throw new IllegalArgumentException("gated loop pass " + (taken + 1) + ": " + z.length + " decisions for "
                    + active.length + " running samples");
        }
        taken++;
        double[] weight = new double[active.length];
        int[] next = new int[active.length];
        int kept = 0;
        for (int j = 0; j < active.length; j++) {
            passes[active[j]] = taken;
            if (z == null || taken == cap || !(z[j] >= 0.5)) {
                weight[j] = 1;
            } else {
                next[kept++] = active[j];
            }
        }
        active = Arrays.copyOf(next, kept);
        return weight;
    }

    /** Each sample's passes taken (so far, while it runs). */
    public int[] steps() {
        return passes.clone();
    }
}
