package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layer normalisation of each row over the LAST axis (size D), with affine {@code gamma}/{@code beta} of shape
 * {@code [D]} (either may be null). The saved statistics hold one value per row: any dense array with
 * {@code x.length() / D} elements, for example {@code [B]} for {@code [B, D]} input or {@code [B, T]} for
 * {@code [B, T, D]}. Gradient outputs may be null (not needed). Plain Java loops, two-pass statistics, biased
 * variance (as PyTorch).
 */
public final class LayerNorm {
    private LayerNorm() {}

    public static void forward(INDArray x, INDArray gamma, INDArray beta, double eps, INDArray out,
            INDArray saveMean, INDArray saveInvStd) {
        Check.sameShape("out", x, out);
        int d = lastDim(x);
        int rows = Math.toIntExact(x.length() / d);
        checkStats(saveMean, rows);
        checkStats(saveInvStd, rows);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out); Direct g = BatchNorm.opt(gamma);
                Direct b = BatchNorm.opt(beta); Direct sm = BatchNorm.optOut(saveMean);
                Direct si = BatchNorm.optOut(saveInvStd)) {
            for (int r = 0; r < rows; r++) {
                int base = r * d;
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    sum += xd.get(base + j);
                }
                double mean = sum / d;
                double sq = 0;
                for (int j = 0; j < d; j++) {
                    double t = xd.get(base + j) - mean;
                    sq += t * t;
                }
                double invStd = 1.0 / Math.sqrt(sq / d + eps);
                if (sm != null) {
                    sm.set(r, mean);
                }
                if (si != null) {
                    si.set(r, invStd);
                }
                for (int j = 0; j < d; j++) {
                    double xhat = (xd.get(base + j) - mean) * invStd;
                    od.set(base + j, xhat * (g == null ? 1.0 : g.get(j)) + (b == null ? 0.0 : b.get(j)));
                }
            }
        }
    }

    /** The VJP, from the statistics {@link #forward} saved. */
    public static void backward(INDArray x, INDArray gamma, INDArray saveMean, INDArray saveInvStd,
            INDArray gradOut, INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        int d = lastDim(x);
        int rows = Math.toIntExact(x.length() / d);
        try (Direct xd = Direct.in(x); Direct gy = Direct.in(gradOut); Direct g = BatchNorm.opt(gamma);
                Direct sm = Direct.in(saveMean); Direct si = Direct.in(saveInvStd);
                Direct gi = BatchNorm.optOut(gradIn); Direct gg = BatchNorm.optOut(gradGamma);
                Direct gb = BatchNorm.optOut(gradBeta)) {
            double[] accG = new double[d];
            double[] accB = new double[d];
            for (int r = 0; r < rows; r++) {
                int base = r * d;
                double mean = sm.get(r);
                double invStd = si.get(r);
                double sumDxhat = 0;
                double sumDxhatXhat = 0;
                for (int j = 0; j < d; j++) {
                    double dy = gy.get(base + j);
                    double xhat = (xd.get(base + j) - mean) * invStd;
                    double dxhat = dy * (g == null ? 1.0 : g.get(j));
                    sumDxhat += dxhat;
                    sumDxhatXhat += dxhat * xhat;
                    accG[j] += dy * xhat;
                    accB[j] += dy;
                }
                if (gi != null) {
                    for (int j = 0; j < d; j++) {
                        double xhat = (xd.get(base + j) - mean) * invStd;
                        double dxhat = gy.get(base + j) * (g == null ? 1.0 : g.get(j));
                        gi.set(base + j, invStd / d * (d * dxhat - sumDxhat - xhat * sumDxhatXhat));
                    }
                }
            }
            for (int j = 0; j < d; j++) {
                if (gg != null) {
                    gg.set(j, accG[j]);
                }
                if (gb != null) {
                    gb.set(j, accB[j]);
                }
            }
        }
    }

    private static int lastDim(INDArray x) {
        if (x.rank() < 1) {
            throw new IllegalArgumentException("layernorm needs rank >= 1");
        }
        return Math.toIntExact(x.size(x.rank() - 1));
    }

    private static void checkStats(INDArray s, int rows) {
        if (s != null && s.length() != rows) {
            throw new IllegalArgumentException("saved statistics need " + rows + " elements, got " + s.length());
        }
    }
}
