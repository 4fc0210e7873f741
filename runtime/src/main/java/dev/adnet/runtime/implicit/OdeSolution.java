package dev.adnet.runtime.implicit;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Each sample's state at {@code t1} (or where its step cap stopped it), its evaluations of f, accepted and
 * rejected steps, and whether it reached {@code t1}. When recorded for training, {@code steps} holds each sample's
 * accepted steps (start time, size, start state), all the backward pass needs: it recomputes the stages.
 */
public record OdeSolution(INDArray z, int[] evaluations, int[] accepted, int[] rejected, boolean[] finished,
        List<List<Step>> steps) {
    /** One accepted step of one sample: from {@code y} at {@code t}, size {@code h}. */
    public record Step(double t, double h, double[] y) {}

    public long totalEvaluations() {
        long s = 0;
        for (int e : evaluations) {
            s += e;
        }
        return s;
    }

    public double meanEvaluations() {
        return evaluations.length == 0 ? 0 : (double) totalEvaluations() / evaluations.length;
    }

    public int unfinished() {
        int n = 0;
        for (boolean f : finished) {
            n += f ? 0 : 1;
        }
        return n;
    }
}
