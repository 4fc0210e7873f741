package dev.adnet.runtime.adaptive;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The 2-way Gumbel-softmax of a ConvNet-AIG gate: logits {@code [B, 2]}, column 1 = "execute", column 0 = "skip".
 *
 * <p>Training: {@code soft = softmax((logits + g) / tau)} with Gumbel noise {@code g = -log(-log U)}; the gate
 * {@code z[n]} is the hard decision {@code soft[n,1] > soft[n,0]} (straight-through) or {@code soft[n,1]} (soft).
 * Both estimators have the same backward: the gradient of {@code soft[:,1]}, the straight-through estimator
 * passing {@code dz} through as {@code d soft1}.
 *
 * <p>The noise is a pure function of {@code (seed, row, column)} (SplitMix64 finaliser, see {@link #uniform}), so
 * a step is reproducible whatever the thread or batch order: the caller derives {@code seed} from its run seed and
 * step counter. {@link #inference} with {@code sample = true} and the same seed draws the same decisions as the
 * hard forward, whatever tau. Small per-sample arrays: loops over {@code double[]} copies.
 */
public final class GumbelSoftmax {
    private GumbelSoftmax() {}

    public enum Estimator {
        /** Forward: hard 0/1; backward: the gradient of the soft sample. */
        STRAIGHT_THROUGH,
        /** Forward and backward: the soft sample {@code soft[:,1]}. */
        SOFT
    }

    /**
     * @param logits {@code [B, 2]}
     * @param noise whether to add Gumbel noise (false: plain tempered softmax)
     * @param z {@code [B]} output, the gate
     * @param soft {@code [B, 2]} output, the soft sample saved for {@link #backward} (null: not saved)
     */
    public static void forward(INDArray logits, double tau, Estimator est, long seed, boolean noise, INDArray z,
            INDArray soft) {
        int b = rows(logits);
        checkTau(tau);
        Buffers.length("z", z, b);
        if (soft != null) {
            Buffers.length("soft", soft, 2L * b);
        }
        double[] l = Buffers.read(logits);
        double[] zv = new double[b];
        double[] sv = new double[2 * b];
        for (int n = 0; n < b; n++) {
            double a0 = l[2 * n];
            double a1 = l[2 * n + 1];
            if (noise) {
                a0 += gumbel(seed, n, 0);
                a1 += gumbel(seed, n, 1);
            }
            double d = (a1 - a0) / tau;
            // 2-way softmax as logistic functions of the difference: stable for any |d|
            double s1 = 1 / (1 + Math.exp(-d));
            double s0 = 1 / (1 + Math.exp(d));
            sv[2 * n] = s0;
            sv[2 * n + 1] = s1;
            zv[n] = est == Estimator.SOFT ? s1 : (s1 > s0 ? 1 : 0);
        }
        Buffers.write(zv, z);
        if (soft != null) {
            Buffers.write(sv, soft);
        }
    }

    /**
     * {@code gradLogits[n, j] = gradZ[n] * soft1 * (delta_1j - soft_j) / tau}, i.e. column 1 gets
     * {@code gradZ * s0 * s1 / tau} and column 0 its negation; the same for both estimators.
     */
    public static void backward(INDArray soft, double tau, INDArray gradZ, INDArray gradLogits) {
        if (gradLogits == null) {
            return;
        }
        int b = rows(soft);
        checkTau(tau);
        Buffers.length("gradZ", gradZ, b);
        Buffers.length("gradLogits", gradLogits, 2L * b);
        double[] s = Buffers.read(soft);
        double[] gz = Buffers.read(gradZ);
        double[] gl = new double[2 * b];
        for (int n = 0; n < b; n++) {
            double s1 = s[2 * n + 1];
            double g1 = gz[n] * s1 * (1 - s1) / tau;
            double g0 = -gz[n] * s1 * s[2 * n] / tau;
            gl[2 * n] = g0;
            gl[2 * n + 1] = g1;
        }
        Buffers.write(gl, gradLogits);
    }

    /**
     * Inference decision: {@code z[n] = 1} when {@code logits[n,1] > logits[n,0]} (ties skip), or with
     * {@code sample} when the Gumbel-perturbed logits say so (tau does not change an argmax).
     */
    public static void inference(INDArray logits, boolean sample, long seed, INDArray z) {
        int b = rows(logits);
        Buffers.length("z", z, b);
        double[] l = Buffers.read(logits);
        double[] zv = new double[b];
        for (int n = 0; n < b; n++) {
            double a0 = l[2 * n];
            double a1 = l[2 * n + 1];
            if (sample) {
                a0 += gumbel(seed, n, 0);
                a1 += gumbel(seed, n, 1);
            }
            zv[n] = a1 > a0 ? 1 : 0;
        }
        Buffers.write(zv, z);
    }

    /**
     * Every gate of the batch open ({@code z} all ones), for {@link dev.adnet.runtime.GateMode#ALL_OPEN}: a bulk write,
     * where libnd4j's {@code assign} cost 0.1-0.2 ms a gate right after oneDNN's convolutions, an overhead the
     * all-open baseline of the gate benchmark should not carry (docs/benchmarks.md, session 7).
     */
    public static void allOpen(INDArray z) {
        double[] ones = new double[Math.toIntExact(z.length())];
        Arrays.fill(ones, 1.0);
        Buffers.write(ones, z);
    }

    /** The Gumbel noise {@code -log(-log U)} used for (seed, row, column). */
    public static double gumbel(long seed, long row, int column) {
        return -Math.log(-Math.log(uniform(seed, row, column)));
    }

    /** A uniform number in the open interval (0, 1), a pure function of its arguments (53 random bits). */
    public static double uniform(long seed, long row, int column) {
        long h = mix(seed * 0x9E3779B97F4A7C15L + mix(2 * row + column + 0x632BE59BD9B4E019L));
        return ((h >>> 11) + 0.5) * 0x1.0p-53;
    }

    /** SplitMix64's finaliser. */
    private static long mix(long x) {
        x = (x ^ (x >>> 30)) * 0xBF58476D1CE4E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D049BB133111EBL;
        return x ^ (x >>> 31);
    }

    private static int rows(INDArray logits) {
        if (logits.rank() != 2 || logits.size(1) != 2) {
            throw new IllegalArgumentException("expected [B, 2] gate logits, got " + logits.shapeInfoToString());
        }
        return Math.toIntExact(logits.size(0));
    }

    private static void checkTau(double tau) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("tau must be positive and finite, got " + tau);
        }
    }
}
