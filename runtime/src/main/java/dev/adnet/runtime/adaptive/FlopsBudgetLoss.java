package dev.adnet.runtime.adaptive;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A compute-budget loss over the gates: the expected fraction of the full network's FLOPs,
 * {@code e = (fixed + sum_l gateFlops_l * mean_n z_l[n]) / (fixed + sum_l gateFlops_l)}, penalised above the
 * budget: {@code L = max(0, e - budget)^2}, so
 * {@code dL/dz_l[n] = 2 max(0, e - budget) * gateFlops_l / (B_l * (fixed + sum gateFlops))}. Unlike the
 * target-rate loss it leaves the network free to distribute its compute across layers and samples; the weight
 * lambda is the caller's.
 */
public final class FlopsBudgetLoss {
    private FlopsBudgetLoss() {}

    /**
     * @param z one {@code [B]} gate vector per gated block
     * @param gateFlops the FLOPs of each gated block per sample
     * @param fixedFlops FLOPs per sample that always run
     * @param budget the allowed fraction of the full network's FLOPs
     * @param gradZ gradient outputs, overwritten; null (the array or an entry) skips
     * @return L
     */
    public static double forward(INDArray[] z, double[] gateFlops, double fixedFlops, double budget,
            INDArray[] gradZ) {
        int g = z.length;
        if (gateFlops.length != g || (gradZ != null && gradZ.length != g)) {
            throw new IllegalArgumentException("expected one FLOP count and gradient per gate (" + g + "), got "
                    + gateFlops.length + " counts" + (gradZ == null ? "" : " and " + gradZ.length + " gradients"));
        }
        double total = fixedFlops;
        for (double f : gateFlops) {
            if (!(f >= 0)) {
                throw new IllegalArgumentException("gate FLOPs must be non-negative, got " + f);
            }
            total += f;
        }
        if (!(total > 0) || fixedFlops < 0) {
            throw new IllegalArgumentException("total FLOPs must be positive, got fixed " + fixedFlops
                    + " + gated " + (total - fixedFlops));
        }
        double[][] v = new double[g][];
        double expected = fixedFlops;
        for (int l = 0; l < g; l++) {
            v[l] = Buffers.read(z[l]);
            if (v[l].length == 0) {
                throw new IllegalArgumentException("gate " + l + " has no samples");
            }
            expected += gateFlops[l] * TargetRateLoss.mean(v[l]);
        }
        double excess = Math.max(0, expected / total - budget);
        if (gradZ != null) {
            for (int l = 0; l < g; l++) {
                if (gradZ[l] != null) {
                    double[] gv = new double[v[l].length];
                    Arrays.fill(gv, 2 * excess * gateFlops[l] / (v[l].length * total));
                    Buffers.write(gv, gradZ[l]);
                }
            }
        }
        return excess * excess;
    }
}
