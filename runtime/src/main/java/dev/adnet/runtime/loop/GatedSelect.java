package dev.adnet.runtime.loop;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A gated loop's combination of its passes when every pass is at hand, as in an unrolled training step: from each
 * pass's value {@code s_k} ({@code [B, ...]}) and the gates after passes {@code 1 .. cap - 1} ({@code z_k}, {@code [B,
 * 1]}), the value a sample has after the first pass whose gate closed:
 * {@code T_cap = s_cap}, {@code T_k = (1 - z_k) s_k + z_k T_{k+1}}, {@code out = T_1}. With hard (straight-through)
 * gates that is exactly the stopping rule of {@link Gating}: a sample's passes after it stops get weight 0; with soft
 * gates it is the expectation over stopping points.
 *
 * <p>With {@code a_k = z_1 ... z_{k-1}} (the sample reaches pass k), the backward gives
 * {@code dL/ds_k = a_k (1 - z_k) g} ({@code a_cap g} for the last) and {@code dL/dz_k = a_k g . (T_{k+1} - s_k)}.
 */
public final class GatedSelect {
    private GatedSelect() {}

    /** What the backward and the measures need of a forward. */
    public static final class Passes {
        private final double[][] reach;
        private final int batch;

        private Passes(double[][] reach, int batch) {
            this.reach = reach;
            this.batch = batch;
        }

        /** The batch mean of the passes taken: {@code sum_k a_k}, the count itself with hard gates. */
        public double meanSteps() {
            double s = 0;
            for (double[] a : reach) {
                for (double v : a) {
                    s += v;
                }
            }
            return batch == 0 ? 0 : s / batch;
        }
    }

    /**
     * @param states each pass's value, {@code [B, ...]}, as many as the cap
     * @param gates the gates after each pass but the last, {@code [B, 1]}
     * @param out receives the selected values, shaped like a state
     */
    public static Passes forward(INDArray[] states, INDArray[] gates, INDArray out) {
        if (gates.length != states.length - 1) {
            throw new IllegalArgumentException("gated select: " + states.length + " passes and " + gates.length + " gates");
        }
        int b = Math.toIntExact(out.size(0));
        int d = Math.toIntExact(out.length() / Math.max(1, b));
        double[][] z = columns(gates);
        double[] t = states[states.length - 1].dup('c').data().asDouble();
        for (int k = states.length - 2; k >= 0; k--) {
            double[] s = states[k].dup('c').data().asDouble();
            for (int i = 0; i < b; i++) {
                for (int e = 0; e < d; e++) {
                    t[i * d + e] = (1 - z[k][i]) * s[i * d + e] + z[k][i] * t[i * d + e];
                }
            }
        }
        out.assign(Nd4j.createFromArray(t).reshape(out.shape()).castTo(out.dataType()));
        double[][] reach = new double[states.length][b];
        java.util.Arrays.fill(reach[0], 1);
        for (int k = 1; k < states.length; k++) {
            for (int i = 0; i < b; i++) {
                reach[k][i] = reach[k - 1][i] * z[k - 1][i];
            }
        }
        return new Passes(reach, b);
    }

    /**
     * @param gradOut {@code dL/d(out)}
     * @param gradStates receives {@code dL/ds_k} (overwritten; null where not needed)
     * @param gradGates receives {@code dL/dz_k} (overwritten; null where not needed)
     */
    public static void backward(Passes passes, INDArray[] states, INDArray[] gates, INDArray gradOut, INDArray[] gradStates,
            INDArray[] gradGates) {
        int b = passes.batch;
        int n = states.length;
        int d = Math.toIntExact(gradOut.length() / Math.max(1, b));
        double[] g = gradOut.dup('c').data().asDouble();
        double[][] z = columns(gates);
        double[] t = states[n - 1].dup('c').data().asDouble();
        write(gradStates[n - 1], scaled(g, passes.reach[n - 1], null, d));
        for (int k = n - 2; k >= 0; k--) {
            double[] s = states[k].dup('c').data().asDouble();
            double[] gz = new double[b];
            for (int i = 0; i < b; i++) {
                double dot = 0;
                for (int e = 0; e < d; e++) {
                    dot += g[i * d + e] * (t[i * d + e] - s[i * d + e]);
                    t[i * d + e] = (1 - z[k][i]) * s[i * d + e] + z[k][i] * t[i * d + e];
                }
                gz[i] = passes.reach[k][i] * dot;
            }
            write(gradStates[k], scaled(g, passes.reach[k], z[k], d));
            write(gradGates[k], gz);
        }
    }

    /** {@code a_i (1 - z_i) g_i} per row ({@code a_i g_i} without z). */
    private static double[] scaled(double[] g, double[] a, double[] z, int d) {
        double[] out = new double[g.length];
        for (int i = 0; i < a.length; i++) {
            double w = a[i] * (z == null ? 1 : 1 - z[i]);
            for (int e = 0; e < d; e++) {
                out[i * d + e] = w * g[i * d + e];
            }
        }
        return out;
    }

    private static void write(INDArray target, double[] values) {
        if (target != null) {
            target.assign(Nd4j.createFromArray(values).reshape(target.shape()).castTo(target.dataType()));
        }
    }

    private static double[][] columns(INDArray[] gates) {
        double[][] z = new double[gates.length][];
        for (int k = 0; k < gates.length; k++) {
            z[k] = gates[k].dup('c').data().asDouble();
        }
        return z;
    }
}
