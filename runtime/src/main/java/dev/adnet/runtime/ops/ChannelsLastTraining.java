package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training in the channels-last layout ({@code [B, H, W, C]}, channel innermost): the batchnorm forward and VJP and
 * the VJPs of the channels-last pooling and flatten ops of {@link ChannelsLast}, with the semantics of their
 * channels-first counterparts ({@link BatchNorm}, {@link FusedBatchNormRelu}, {@link GlobalAvgPool},
 * {@link Flatten}, {@link MaxPool2d}, {@link AvgPool2d} without counting padding). Inputs may be views; outputs must
 * be dense c-order arrays of the input's type; a null gradient output is not computed.
 *
 * <p>FLOAT batchnorm runs the tiled, vectorised, multi-threaded {@link ChannelsLastBnKernels} (it is on the hot path
 * of training); DOUBLE (finite-difference checks) and the rest run plain loops over the {@link Direct} accessors.
 */
public final class ChannelsLastTraining {
    private ChannelsLastTraining() {}

    /**
     * Training forward of batchnorm over the last axis of rank >= 2 input (rank 2 {@code [B, C]} is the same as
     * channels-first), then ReLU if {@code relu}: normalises with the batch statistics over all other axes, writes
     * the batch mean and {@code 1/sqrt(var + eps)} (biased variance) to {@code saveMean}/{@code saveInvStd}, and
     * updates the running statistics as {@link BatchNorm#trainForward} does (the running variance takes the unbiased
     * batch variance). gamma, beta, the running and the saved statistics may be null.
     */
    public static void batchNormTrain(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, boolean relu, INDArray out, INDArray saveMean,
            INDArray saveInvStd) {
        Check.sameShape("out", x, out);
        INDArray xd = BatchNorm.dense(x);
        BnKernels.requireDense(xd, xd);
        BnKernels.requireDense(xd, out);
        int c = channels(x, gamma, beta, runningMean, runningVar, saveMean, saveInvStd);
        int pixels = Math.toIntExact(x.length() / c);
        boolean tiled = tiled(xd, c);
        double[] shift = new double[c];
        double[] sum = new double[c];
        double[] sumSq = new double[c];
        double[] scale = new double[c];
        double[] offset = new double[c];
        try (Direct xs = Direct.in(xd); Direct g = BatchNorm.opt(gamma); Direct bt = BatchNorm.opt(beta);
                Direct rm = BatchNorm.optOut(runningMean); Direct rv = BatchNorm.optOut(runningVar);
                Direct sm = BatchNorm.optOut(saveMean); Direct si = BatchNorm.optOut(saveInvStd)) {
            // sums around a shift (the first pixel's values) against cancellation, as BnKernels does
            for (int ch = 0; ch < c; ch++) {
                shift[ch] = xs.get(ch);
            }
            if (tiled) {
                ChannelsLastBnKernels.stats(BnKernels.fb(xd), BnKernels.off(xd), pixels, c, shift, sum, sumSq);
            } else {
                for (int i = 0; i < pixels * c; i++) {
                    double d = xs.get(i) - shift[i % c];
                    sum[i % c] += d;
                    sumSq[i % c] += d * d;
                }
            }
            for (int ch = 0; ch < c; ch++) {
                BnKernels.finishChannel(ch, ch, shift[ch], sum[ch], sumSq[ch], pixels, eps, momentum, g, bt, rm, rv,
                        sm, si, scale, offset);
            }
            if (tiled) {
                ChannelsLastKernels.applyLast(BnKernels.fb(xd), BnKernels.off(xd), BnKernels.fb(out),
                        BnKernels.off(out), pixels, c, scale, offset, relu);
            } else {
                try (Direct os = Direct.out(out)) {
                    for (int i = 0; i < pixels * c; i++) {
                        double v = xs.get(i) * scale[i % c] + offset[i % c];
                        os.set(i, relu ? Bits.relu(v) : v);
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * The training-mode VJP of {@link #batchNormTrain} (through the batch mean and variance), from the statistics it
     * saved. {@code out} is the forward output of the ReLU variant, whose zeros mask the gradient (the gradient at
     * exactly 0 is 0), or null for batchnorm without ReLU.
     */
    public static void batchNormBackward(INDArray x, INDArray out, INDArray gamma, INDArray saveMean,
            INDArray saveInvStd, INDArray gradOut, INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.sameShape("out", x, out);
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        if (saveMean == null || saveInvStd == null) {
            throw new IllegalArgumentException("the saved statistics are required");
        }
        int c = channels(x, gamma, saveMean, saveInvStd, gradGamma, gradBeta);
        INDArray xd = BatchNorm.dense(x);
        INDArray yd = out == null ? null : BatchNorm.dense(out);
        INDArray gd = BatchNorm.dense(gradOut);
        for (INDArray a : new INDArray[] {xd, yd, gd, gradIn}) {
            if (a != null) {
                BnKernels.requireDense(xd, a);
            }
        }
        int pixels = Math.toIntExact(x.length() / c);
        boolean tiled = tiled(xd, c);
        double[] mean = new double[c];
        double[] invStd = new double[c];
        double[] sumG = new double[c];
        double[] sumGx = new double[c];
        double[] km = new double[c];
        double[] a = new double[c];
        double[] b = new double[c];
        try (Direct xs = Direct.in(xd); Direct ys = BatchNorm.opt(yd); Direct gs = Direct.in(gd);
                Direct g = BatchNorm.opt(gamma); Direct sm = Direct.in(saveMean); Direct si = Direct.in(saveInvStd);
                Direct gg = BatchNorm.optOut(gradGamma); Direct gb = BatchNorm.optOut(gradBeta)) {
            for (int ch = 0; ch < c; ch++) {
                mean[ch] = sm.get(ch);
                invStd[ch] = si.get(ch);
            }
            // sumGx = sum g' (x - centre): the centre is the mean as the float kernel sees it, corrected below
            double[] centre = new double[c];
            for (int ch = 0; ch < c; ch++) {
                centre[ch] = tiled ? (float) mean[ch] : mean[ch];
            }
            if (tiled) {
                ChannelsLastBnKernels.reduce(BnKernels.fb(xd), BnKernels.off(xd), BnKernels.fb(yd), BnKernels.off(yd),
                        BnKernels.fb(gd), BnKernels.off(gd), pixels, c, centre, sumG, sumGx);
            } else {
                for (int i = 0; i < pixels * c; i++) {
                    double gv = ys == null ? gs.get(i) : Bits.ifNonZero(ys.get(i), gs.get(i));
                    sumG[i % c] += gv;
                    sumGx[i % c] += gv * (xs.get(i) - centre[i % c]);
                }
            }
            double m = pixels;
            for (int ch = 0; ch < c; ch++) {
                double sumDy = sumG[ch];
                double sumDyXhat = (sumGx[ch] - (mean[ch] - centre[ch]) * sumDy) * invStd[ch];
                if (gg != null) {
                    gg.set(ch, sumDyXhat);
                }
                if (gb != null) {
                    gb.set(ch, sumDy);
                }
                // gradIn = k (m g' - sumDy - xhat sumDyXhat) with xhat = (x - mean) invStd: km g' - a x + b
                double k = (g == null ? 1.0 : g.get(ch)) * invStd[ch] / m;
                km[ch] = k * m;
                a[ch] = k * invStd[ch] * sumDyXhat;
                b[ch] = k * (mean[ch] * invStd[ch] * sumDyXhat - sumDy);
            }
            if (gradIn == null) {
                return;
            }
            if (tiled) {
                ChannelsLastBnKernels.grad(BnKernels.fb(xd), BnKernels.off(xd), BnKernels.fb(yd), BnKernels.off(yd),
                        BnKernels.fb(gd), BnKernels.off(gd), BnKernels.fb(gradIn), BnKernels.off(gradIn), pixels, c,
                        ChannelsLastKernels.pattern(km, c), ChannelsLastKernels.pattern(a, c),
                        ChannelsLastKernels.pattern(b, c));
            } else {
                try (Direct gi = Direct.out(gradIn)) {
                    for (int i = 0; i < pixels * c; i++) {
                        double gv = ys == null ? gs.get(i) : Bits.ifNonZero(ys.get(i), gs.get(i));
                        gi.set(i, km[i % c] * gv - a[i % c] * xs.get(i) + b[i % c]);
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(yd);
            Reference.reachabilityFence(gd);
            Reference.reachabilityFence(gradIn);
        }
    }

    /** The VJP of {@link ChannelsLast#globalAvgPool}: {@code gradIn[b, h, w, c] = gradOut[b, c] / (H * W)}. */
    public static void globalAvgPoolBackward(INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("gradIn", gradIn, 4);
        Check.shape("gradOut", gradOut, gradIn.size(0), gradIn.size(3));
        int batch = Math.toIntExact(gradIn.size(0));
        int pixels = Math.toIntExact(gradIn.size(1) * gradIn.size(2));
        int c = Math.toIntExact(gradIn.size(3));
        INDArray gd = BatchNorm.dense(gradOut);
        BnKernels.requireDense(gd, gradIn);
        try {
            if (tiled(gd, c)) {
                ChannelsLastBnKernels.spreadMeans(BnKernels.fb(gd), BnKernels.off(gd), BnKernels.fb(gradIn),
                        BnKernels.off(gradIn), batch, pixels, c);
                return;
            }
            try (Direct g = Direct.in(gd); Direct gi = Direct.out(gradIn)) {
                for (int s = 0; s < batch; s++) {
                    for (int p = 0; p < pixels; p++) {
                        for (int ch = 0; ch < c; ch++) {
                            gi.set((s * pixels + p) * c + ch, g.get(s * c + ch) / pixels);
                        }
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(gd);
            Reference.reachabilityFence(gradIn);
        }
    }

    /**
     * The VJP of {@link ChannelsLast#flatten}: {@code gradOut [B, C*H*W]} in channels-first order back into
     * {@code gradIn [B, H, W, C]}, the inverse per-sample transpose.
     */
    public static void flattenBackward(INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("gradIn", gradIn, 4);
        long b = gradIn.size(0);
        long h = gradIn.size(1);
        long w = gradIn.size(2);
        long c = gradIn.size(3);
        Check.shape("gradOut", gradOut, b, c * h * w);
        if (gradOut.dataType() == DataType.FLOAT && gradIn.dataType() == DataType.FLOAT && Direct.isDense(gradIn)) {
            // per sample [c, pixels] -> [pixels, c]: the forward's transpose with the two dimensions swapped
            INDArray gd = BatchNorm.dense(gradOut);
            ChannelsLastKernels.transposeSamples(BnKernels.fb(gd), BnKernels.off(gd), BnKernels.fb(gradIn),
                    BnKernels.off(gradIn), (int) b, (int) c, (int) (h * w));
            Reference.reachabilityFence(gd);
            Reference.reachabilityFence(gradIn);
            return;
        }
        gradIn.assign(gradOut.reshape('c', b, c, h, w).permute(0, 2, 3, 1));
    }

    /**
     * The VJP of {@link ChannelsLast#pool2d}: for max pooling each window's gradient goes to its maximum (the first
     * in row-major order on ties; padded positions never win), for average pooling it is shared equally by the real
     * positions of the window (padding does not count, as in the forward). Overlapping windows accumulate. Plain
     * loops per sample on {@link Parallel}'s threads, in double, for both types.
     */
    public static void pool2dBackward(INDArray x, INDArray gradOut, PoolGeometry g, boolean max, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("x", x, 4);
        int batch = Math.toIntExact(x.size(0));
        int h = Math.toIntExact(x.size(1));
        int w = Math.toIntExact(x.size(2));
        int c = Math.toIntExact(x.size(3));
        long[] nchw = g.outputShape(new long[] {batch, c, h, w});
        int oh = (int) nchw[2];
        int ow = (int) nchw[3];
        Check.shape("gradOut", gradOut, batch, oh, ow, c);
        Check.sameShape("gradIn", x, gradIn);
        int ph = ConvGeometry.padBefore(h, g.kernelH(), g.strideH(), g.padH(), 1, g.same());
        int pw = ConvGeometry.padBefore(w, g.kernelW(), g.strideW(), g.padW(), 1, g.same());
        int inPer = h * w * c;
        int outPer = oh * ow * c;
        INDArray xd = BatchNorm.dense(x);
        INDArray gd = BatchNorm.dense(gradOut);
        try (Direct xs = Direct.in(xd); Direct gs = Direct.in(gd); Direct gi = Direct.out(gradIn)) {
            Parallel.forRange(batch, (long) batch * (inPer + (long) outPer * g.kernelH() * g.kernelW()),
                    (part, from, to) -> {
                double[] acc = new double[inPer];
                for (int n = from; n < to; n++) {
                    Arrays.fill(acc, 0);
                    int xb = n * inPer;
                    for (int oy = 0; oy < oh; oy++) {
                        int y0 = Math.max(0, oy * g.strideH() - ph);
                        int y1 = Math.min(h, oy * g.strideH() - ph + g.kernelH());
                        for (int ox = 0; ox < ow; ox++) {
                            int x0 = Math.max(0, ox * g.strideW() - pw);
                            int x1 = Math.min(w, ox * g.strideW() - pw + g.kernelW());
                            if (y1 <= y0 || x1 <= x0) {
                                continue; // a window of padding only has no input to send its gradient to
                            }
                            int q = n * outPer + (oy * ow + ox) * c;
                            for (int ch = 0; ch < c; ch++) {
                                double gv = gs.get(q + ch);
                                if (max) {
                                    int best = (y0 * w + x0) * c + ch;
                                    double bestV = xs.get(xb + best);
                                    for (int iy = y0; iy < y1; iy++) {
                                        for (int ix = x0; ix < x1; ix++) {
                                            int at = (iy * w + ix) * c + ch;
                                            double v = xs.get(xb + at);
                                            if (v > bestV) {
                                                bestV = v;
                                                best = at;
                                            }
                                        }
                                    }
                                    acc[best] += gv;
                                } else {
                                    double share = gv / ((y1 - y0) * (x1 - x0));
                                    for (int iy = y0; iy < y1; iy++) {
                                        for (int ix = x0; ix < x1; ix++) {
                                            acc[(iy * w + ix) * c + ch] += share;
                                        }
                                    }
                                }
                            }
                        }
                    }
                    for (int i = 0; i < inPer; i++) {
                        gi.set(xb + i, acc[i]);
                    }
                }
            });
        } finally {
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(gd);
        }
    }

    /** The channel count (last axis) of rank >= 2 input, checking that the per-channel arrays hold one per channel. */
    private static int channels(INDArray x, INDArray... perChannel) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException("batchnorm expects rank >= 2 input, got rank " + x.rank());
        }
        int c = Math.toIntExact(x.size(x.rank() - 1));
        for (INDArray a : perChannel) {
            if (a != null && a.length() != c) {
                throw new IllegalArgumentException("per-channel array of length " + a.length() + " for " + c
                        + " channels");
            }
        }
        return c;
    }

    /** Whether the FLOAT tiled kernels apply: a tile must hold at least one whole pixel. */
    private static boolean tiled(INDArray x, int c) {
        return x.dataType() == DataType.FLOAT && c <= FloatKernels.TILE;
    }
}
