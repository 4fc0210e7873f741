package dev.adnet.runtime.adaptive;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * ConvNet-AIG's target-rate loss {@code L = mean over gates l of (t_l - mean_n z_l[n])^2}, with gradient
 * {@code dL/dz_l[n] = -2 (t_l - mean_n z_l) / (G * B_l)}. The weight lambda is applied by the caller.
 */
public final class TargetRateLoss {
    private TargetRateLoss() {}

    /**
     * @param z one {@code [B]} gate vector per gated layer
     * @param targets the target rate t_l of each
     * @param gradZ gradient outputs, one per gate, overwritten; null (the array or an entry) skips
     * @return L
     */
    public static double forward(INDArray[] z, double[] targets, INDArray[] gradZ) {
        int g = z.length;
        if (targets.length != g || (gradZ != null && gradZ.length != g)) {
            throw new IllegalArgumentException("expected one target and gradient per gate (" + g + "), got "
                    + targets.length + " targets" + (gradZ == null ? "" : " and " + gradZ.length + " gradients"));
        }
        if (g == 0) {
            return 0;
        }
        double loss = 0;
        for (int l = 0; l < g; l++) {
            double[] v = Buffers.read(z[l]);
            if (v.length == 0) {
                throw new IllegalArgumentException("gate " + l + " has no samples");
            }
            double diff = targets[l] - mean(v);
            loss += diff * diff;
            if (gradZ != null && gradZ[l] != null) {
                double[] gv = new double[v.length];
                java.util.Arrays.fill(gv, -2 * diff / ((double) g * v.length));
                Buffers.write(gv, gradZ[l]);
            }
        }
        return loss / g;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return s / v.length;
    }
}
