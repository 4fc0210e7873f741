package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code relu(batchnorm(x))} in training mode for {@code [B, C, H, W]}, fused: one read of x fewer and no
 * intermediate array in the forward, and the ReLU mask folded into the batchnorm VJP. Same conventions and saved
 * statistics as {@link BatchNorm#trainForward} / {@link BatchNorm#backward}; gamma and beta may be null. Gradient
 * outputs may be null.
 */
public final class FusedBatchNormRelu {
    private FusedBatchNormRelu() {}

    public static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd) {
        Check.rank("x", x, 4);
        Check.sameShape("out", x, out);
        int c = (int) x.size(1);
        int inner = BatchNorm.inner(x);
        int batch = (int) x.size(0);
        long m = (long) batch * inner;
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out); Direct g = BatchNorm.opt(gamma);
                Direct bt = BatchNorm.opt(beta); Direct rm = BatchNorm.optOut(runningMean);
                Direct rv = BatchNorm.optOut(runningVar); Direct sm = Direct.out(saveMean);
                Direct si = Direct.out(saveInvStd)) {
            for (int ch = 0; ch < c; ch++) {
                // One pass for sum and sum of squares around a shift (the first element) to avoid cancellation.
                double shift0 = xd.get(ch * inner);
                double sum = 0;
                double sumSq = 0;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        double d = xd.get(s) - shift0;
                        sum += d;
                        sumSq += d * d;
                    }
                }
                double meanShifted = sum / m;
                double mean = shift0 + meanShifted;
                double sq = Math.max(sumSq - sum * meanShifted, 0);
                double var = sq / m;
                double invStd = 1.0 / Math.sqrt(var + eps);
                sm.set(ch, mean);
                si.set(ch, invStd);
                double scale = (g == null ? 1.0 : g.get(ch)) * invStd;
                double shift = (bt == null ? 0.0 : bt.get(ch)) - mean * scale;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        double y = xd.get(s) * scale + shift;
                        od.set(s, Math.max(y, 0.0));
                    }
                }
                if (rm != null) {
                    rm.set(ch, (1 - momentum) * rm.get(ch) + momentum * mean);
                }
                if (rv != null) {
                    rv.set(ch, (1 - momentum) * rv.get(ch) + momentum * (m > 1 ? sq / (m - 1) : var));
                }
            }
        }
    }

    /**
     * The VJP; {@code out} is the forward output, whose sign gives the ReLU mask (the gradient at exactly 0 is 0).
     */
    public static void backward(INDArray x, INDArray out, INDArray gamma, INDArray saveMean, INDArray saveInvStd,
            INDArray gradOut, INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.rank("x", x, 4);
        Check.sameShape("out", x, out);
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        int c = (int) x.size(1);
        int inner = BatchNorm.inner(x);
        int batch = (int) x.size(0);
        double m = (double) batch * inner;
        try (Direct xd = Direct.in(x); Direct yd = Direct.in(out); Direct gy = Direct.in(gradOut);
                Direct g = BatchNorm.opt(gamma); Direct sm = Direct.in(saveMean); Direct si = Direct.in(saveInvStd);
                Direct gi = BatchNorm.optOut(gradIn); Direct gg = BatchNorm.optOut(gradGamma);
                Direct gb = BatchNorm.optOut(gradBeta)) {
            for (int ch = 0; ch < c; ch++) {
                double mean = sm.get(ch);
                double invStd = si.get(ch);
                double sumDy = 0;
                double sumDyX = 0;
                for (int n = 0; n < batch; n++) {
                    int base = (n * c + ch) * inner;
                    for (int s = base; s < base + inner; s++) {
                        // out >= 0, so signum(out) is the 0/1 ReLU mask, without an unpredictable branch
                        double dy = gy.get(s) * Math.signum(yd.get(s));
                        sumDy += dy;
                        sumDyX += dy * xd.get(s);
                    }
                }
                double sumDyXhat = (sumDyX - mean * sumDy) * invStd;
                if (gg != null) {
                    gg.set(ch, sumDyXhat);
                }
                if (gb != null) {
                    gb.set(ch, sumDy);
                }
                if (gi != null) {
                    double k = (g == null ? 1.0 : g.get(ch)) * invStd / m;
                    // gi = k * (m * dy - sumDy - xhat * sumDyXhat), xhat = (x - mean) * invStd: linear in x
                    double a = k * invStd * sumDyXhat;
                    double b0 = k * (mean * invStd * sumDyXhat - sumDy);
                    double km = k * m;
                    for (int n = 0; n < batch; n++) {
                        int base = (n * c + ch) * inner;
                        for (int s = base; s < base + inner; s++) {
                            double dy = gy.get(s) * Math.signum(yd.get(s));
                            gi.set(s, km * dy - a * xd.get(s) + b0);
                        }
                    }
                }
            }
        }
    }
}
