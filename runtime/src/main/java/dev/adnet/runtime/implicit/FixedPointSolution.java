package dev.adnet.runtime.implicit;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The result of a solve: each sample's fixed point (the last value of f it was evaluated at), how many evaluations
 * of f it took, its last relative residual, and whether that residual met the tolerance. A sample that did not
 * converge keeps its last iterate; nothing is thrown, the caller counts and reports it.
 */
public record FixedPointSolution(INDArray z, int[] iterations, double[] residuals, boolean[] converged) {
    public int batchSize() {
        return iterations.length;
    }

    /** Evaluations of f summed over samples: the work done, in samples times body evaluations. */
    public long evaluations() {
        long s = 0;
        for (int i : iterations) {
            s += i;
        }
        return s;
    }

    public double meanIterations() {
        return iterations.length == 0 ? 0 : (double) evaluations() / iterations.length;
    }

    public int maxIterations() {
        return Arrays.stream(iterations).max().orElse(0);
    }

    /** Samples whose residual did not meet the tolerance within the cap (or became NaN or infinite). */
    public int unconverged() {
        int n = 0;
        for (boolean c : converged) {
            n += c ? 0 : 1;
        }
        return n;
    }

    /** The largest residual among the samples that did not converge, or 0 when all did. */
    public double worstResidual() {
        double w = 0;
        for (int i = 0; i < residuals.length; i++) {
            if (!converged[i]) {
                w = Double.isNaN(residuals[i]) || Double.isNaN(w) ? Double.NaN : Math.max(w, residuals[i]);
            }
        }
        return w;
    }
}
