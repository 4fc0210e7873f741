package dev.adnet.runtime.adaptive;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A gate head at inference, from its pooled input to its logits in one call:
 * {@code logits = relu(bn(pooled · w1 + b1)) · w2 + b2}, the batchnorm with its running statistics. Everything is
 * computed in double and rounded once when the logits are stored.
 *
 * <p>Why one kernel: the head's arithmetic is tiny ({@code [B, 16] x [16, 16]} then {@code [16, 2]}), and as four
 * separate ops (two dense layers, batchnorm, ReLU) on {@code [B, 16]} arrays it cost about 6 us per sample over the
 * seven gates of {@code fashion_aig} in array handling alone, a cost that is the same whether a gate's block runs or
 * not, so it ate into the saving the gates buy. Training keeps the separate ops (it needs their values for the
 * backward); {@code GateHeadTest} checks this kernel against them.
 */
public final class GateHead {
    private GateHead() {}

    /**
     * @param pooled {@code [B, C]}
     * @param w1 {@code [C, H]}
     * @param b1 {@code [H]} or null
     * @param gamma {@code [H]} or null (scale 1)
     * @param beta {@code [H]} or null (shift 0)
     * @param runningMean {@code [H]}
     * @param runningVar {@code [H]}
     * @param w2 {@code [H, K]}
     * @param b2 {@code [K]} or null
     * @param logits {@code [B, K]}, overwritten
     */
    public static void inference(INDArray pooled, INDArray w1, INDArray b1, INDArray gamma, INDArray beta,
            INDArray runningMean, INDArray runningVar, double eps, INDArray w2, INDArray b2, INDArray logits) {
        int[] s0 = rank2(pooled, "pooled");
        int batch = s0[0];
        int c = s0[1];
        int[] s1 = rank2(w1, "w1");
        int[] s2 = rank2(w2, "w2");
        int h = s1[1];
        int k = s2[1];
        if (s1[0] != c || s2[0] != h) {
            throw new IllegalArgumentException("gate head: pooled " + Arrays.toString(pooled.shape()) + ", w1 "
                    + Arrays.toString(w1.shape()) + " and w2 " + Arrays.toString(w2.shape()) + " do not chain");
        }
        if (logits.rank() != 2 || logits.size(0) != batch || logits.size(1) != k) {
            throw new IllegalArgumentException("logits: expected shape [" + batch + ", " + k + "], got "
                    + Arrays.toString(logits.shape()));
        }
        Buffers.length("runningMean", runningMean, h);
        Buffers.length("runningVar", runningVar, h);
        double[] x = Buffers.read(pooled);
        double[] wa = Buffers.read(w1);
        double[] wb = Buffers.read(w2);
        double[] ba = vector(b1, "b1", h, 0.0);
        double[] bb = vector(b2, "b2", k, 0.0);
        double[] g = vector(gamma, "gamma", h, 1.0);
        double[] be = vector(beta, "beta", h, 0.0);
        double[] rm = Buffers.read(runningMean);
        double[] rv = Buffers.read(runningVar);
        double[] scale = new double[h];
        double[] shift = new double[h];
        for (int j = 0; j < h; j++) {
            scale[j] = g[j] / Math.sqrt(rv[j] + eps);
            shift[j] = be[j] - rm[j] * scale[j];
        }
        // sample-minor loops over one array per unit: the inner loops run over the batch at the same index in every
        // array, which C2 vectorises (offsets into one flat array it cannot prove free of overlap, and did not):
        // a [256, 16] head took 70 us as loops over a sample's 16 units
        double[][] xt = new double[c][batch];
        for (int n = 0; n < batch; n++) {
            for (int ch = 0; ch < c; ch++) {
                xt[ch][n] = x[n * c + ch];
            }
        }
        double[][] hidden = new double[h][batch];
        for (int j = 0; j < h; j++) {
            double[] hj = hidden[j];
            Arrays.fill(hj, ba[j]);
            for (int ch = 0; ch < c; ch++) {
                axpy(hj, xt[ch], wa[ch * h + j]);
            }
            for (int n = 0; n < batch; n++) {
                hj[n] = Math.max(hj[n] * scale[j] + shift[j], 0.0);
            }
        }
        double[] out = new double[batch * k];
        double[] unit = new double[batch];
        for (int o = 0; o < k; o++) {
            Arrays.fill(unit, bb[o]);
            for (int j = 0; j < h; j++) {
                axpy(unit, hidden[j], wb[j * k + o]);
            }
            for (int n = 0; n < batch; n++) {
                out[n * k + o] = unit[n];
            }
        }
        Buffers.write(out, logits);
    }

    /** {@code y += a * x}. */
    private static void axpy(double[] y, double[] x, double a) {
        for (int n = 0; n < y.length; n++) {
            y[n] += a * x[n];
        }
    }

    private static int[] rank2(INDArray a, String what) {
        if (a == null || a.rank() != 2) {
            throw new IllegalArgumentException(what + ": expected a rank-2 array, got "
                    + (a == null ? "null" : Arrays.toString(a.shape())));
        }
        return new int[] {Math.toIntExact(a.size(0)), Math.toIntExact(a.size(1))};
    }

    private static double[] vector(INDArray a, String what, int n, double absent) {
        if (a == null) {
            double[] v = new double[n];
            Arrays.fill(v, absent);
            return v;
        }
        Buffers.length(what, a, n);
        return Buffers.read(a);
    }
}
