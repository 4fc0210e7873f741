package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation over the channel axis 1 of {@code [B, C]} or {@code [B, C, H, W]} input; gamma, beta and all
 * statistics are {@code [C]}. {@code gamma}/{@code beta} may be null (no scale / no shift), and any gradient output
 * may be null (not needed).
 *
 * <p>Plain Java loops over the direct buffers (two-pass statistics, double accumulation): libnd4j's
 * {@code moments}, {@code batchnorm} and {@code batchnorm_bp} are the measured bottleneck of a residual block,
 * while these loops run near memory bandwidth.
 */
public final class BatchNorm {
    private BatchNorm() {}

    /** Inference: normalises with the running statistics. */
    public static void inference(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps, INDArray out) {
        Check.sameShape("out", x, out);
        int c = channels(x);
        int inner = inner(x);
        int batch = (int) x.size(0);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out); Direct g = opt(gamma); Direct bt = opt(beta);
                Direct rm = Direct.in(runningMean); Direct rv = Direct.in(runningVar)) {
            for (int ch = 0; ch < c; ch++) {
                double mean = rm.get(ch);
                double scale = (g == null ? 1.0 : g.get(ch)) / Math.sqrt(rv.get(ch) + eps);
                double shift = bt == null ? 0.0 : bt.get(ch);
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        od.set(s, (xd.get(s) - mean) * scale + shift);
                    }
                }
            }
        }
    }

    /**
     * Training forward: normalises with the batch statistics, writes the batch mean and {@code 1/sqrt(var + eps)}
     * (biased variance) to {@code saveMean}/{@code saveInvStd} for {@link #backward}, and updates the running
     * statistics in place as PyTorch does: {@code running = (1 - momentum) * running + momentum * batch}, the
     * running variance taking the unbiased batch variance.
     */
    public static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd) {
        Check.sameShape("out", x, out);
        int c = channels(x);
        int inner = inner(x);
        int batch = (int) x.size(0);
        long m = (long) batch * inner;
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out); Direct g = opt(gamma); Direct bt = opt(beta);
                Direct rm = optOut(runningMean); Direct rv = optOut(runningVar); Direct sm = Direct.out(saveMean);
                Direct si = Direct.out(saveInvStd)) {
            for (int ch = 0; ch < c; ch++) {
                double sum = 0;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        sum += xd.get(s);
                    }
                }
                double mean = sum / m;
                double sq = 0;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        double d = xd.get(s) - mean;
                        sq += d * d;
                    }
                }
                double var = sq / m;
                double invStd = 1.0 / Math.sqrt(var + eps);
                sm.set(ch, mean);
                si.set(ch, invStd);
                double scale = (g == null ? 1.0 : g.get(ch)) * invStd;
                double shift = bt == null ? 0.0 : bt.get(ch);
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        od.set(s, (xd.get(s) - mean) * scale + shift);
                    }
                }
                if (rm != null) {
                    rm.set(ch, (1 - momentum) * rm.get(ch) + momentum * mean);
                }
                if (rv != null) {
                    double unbiased = m > 1 ? sq / (m - 1) : var;
                    rv.set(ch, (1 - momentum) * rv.get(ch) + momentum * unbiased);
                }
            }
        }
    }

    /**
     * The training-mode VJP (through the batch mean and variance), from the statistics {@link #trainForward} saved.
     */
    public static void backward(INDArray x, INDArray gamma, INDArray saveMean, INDArray saveInvStd, INDArray gradOut,
            INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        int c = channels(x);
        int inner = inner(x);
        int batch = (int) x.size(0);
        double m = (double) batch * inner;
        try (Direct xd = Direct.in(x); Direct gy = Direct.in(gradOut); Direct g = opt(gamma);
                Direct sm = Direct.in(saveMean); Direct si = Direct.in(saveInvStd); Direct gi = optOut(gradIn);
                Direct gg = optOut(gradGamma); Direct gb = optOut(gradBeta)) {
            for (int ch = 0; ch < c; ch++) {
                double mean = sm.get(ch);
                double invStd = si.get(ch);
                double sumDy = 0;
                double sumDyXhat = 0;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        double dy = gy.get(s);
                        sumDy += dy;
                        sumDyXhat += dy * (xd.get(s) - mean) * invStd;
                    }
                }
                if (gg != null) {
                    gg.set(ch, sumDyXhat);
                }
                if (gb != null) {
                    gb.set(ch, sumDy);
                }
                if (gi != null) {
                    double k = (g == null ? 1.0 : g.get(ch)) * invStd / m;
                    for (int n = 0; n < batch; n++) {
                        int base = (n * c + ch) * inner;
                        for (int s = base; s < base + inner; s++) {
                            double xhat = (xd.get(s) - mean) * invStd;
                            gi.set(s, k * (m * gy.get(s) - sumDy - xhat * sumDyXhat));
                        }
                    }
                }
            }
        }
    }

    static int channels(INDArray x) {
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("batchnorm expects rank 2 or 4 input, got rank " + x.rank());
        }
        return (int) x.size(1);
    }

    static int inner(INDArray x) {
        return x.rank() == 4 ? Math.toIntExact(x.size(2) * x.size(3)) : 1;
    }

    static Direct opt(INDArray a) {
        return a == null ? null : Direct.in(a);
    }

    static Direct optOut(INDArray a) {
        return a == null ? null : Direct.out(a);
    }
}
