package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The batch-normalisation kernels shared by {@link BatchNorm} and {@link FusedBatchNormRelu}: one statistics pass
 * and one output pass each way, per channel, over {@code [B, C, inner]} (inner = H*W, or 1 for rank 2), with an
 * optional fused ReLU ({@code relu} in the forward; in the backward a non-null forward output {@code y} whose zeros
 * mask the gradient).
 *
 * <p>Why per-type kernels over raw {@link FloatBuffer}/{@link DoubleBuffer}: measured on [64,16,28,28] float, the
 * same backward written against the generic {@link Direct} accessor ran 2.5x slower (its calls are not inlined
 * into large methods). The ReLU is taken branch-free from the sign bits (a branch on the random sign of
 * activations mispredicts half the time). Reductions accumulate in double, in two independent chains.
 */
final class BnKernels {
    private BnKernels() {}

    /**
     * FLOAT input with at least this many elements per (sample, channel) plane runs the tiled, vectorised and
     * multi-threaded {@link FloatKernels}; smaller planes (rank-2 input) the per-element loops below.
     */
    static final int TILED_MIN_INNER = 16;

    /** The driver of the training forward; see {@link BatchNorm#trainForward}. */
    static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
            double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd, boolean relu) {
        Check.sameShape("out", x, out);
        requireDense(x, x);
        requireDense(x, out);
        int c = BatchNorm.channels(x);
        int inner = BatchNorm.inner(x);
        int batch = (int) x.size(0);
        long m = (long) batch * inner;
        boolean f = x.dataType() == DataType.FLOAT;
        double[] acc = new double[2];
        try (Direct g = BatchNorm.opt(gamma); Direct bt = BatchNorm.opt(beta); Direct rm = BatchNorm.optOut(runningMean);
                Direct rv = BatchNorm.optOut(runningVar); Direct sm = BatchNorm.optOut(saveMean);
                Direct si = BatchNorm.optOut(saveInvStd); Direct x0 = Direct.in(x)) {
            if (f && inner >= TILED_MIN_INNER) {
                double[] shift0 = new double[c];
                double[] sum = new double[c];
                double[] sumSq = new double[c];
                for (int ch = 0; ch < c; ch++) {
                    shift0[ch] = x0.get(ch * inner);
                }
                FloatKernels.stats(fb(x), off(x), batch, c, inner, shift0, sum, sumSq);
                double[] scales = new double[c];
                double[] shifts = new double[c];
                for (int ch = 0; ch < c; ch++) {
                    finishChannel(ch, ch, shift0[ch], sum[ch], sumSq[ch], m, eps, momentum, g, bt, rm, rv, sm, si,
                            scales, shifts);
                }
                FloatKernels.apply(fb(x), off(x), fb(out), off(out), batch, c, inner, floats(scales), floats(shifts),
                        relu);
                return;
            }
            double[] scale = new double[1];
            double[] shift = new double[1];
            for (int ch = 0; ch < c; ch++) {
                // sum and sum of squares around a shift (the channel's first element) against cancellation
                double shift0 = x0.get(ch * inner);
                if (f) {
                    statsF(fb(x), off(x), batch, c, inner, ch, shift0, acc);
                } else {
                    statsD(db(x), off(x), batch, c, inner, ch, shift0, acc);
                }
                // one channel at a time: its statistics, then its normalisation, into slot 0 of scale and shift
                finishChannel(ch, 0, shift0, acc[0], acc[1], m, eps, momentum, g, bt, rm, rv, sm, si, scale, shift);
                if (f) {
                    applyF(fb(x), off(x), fb(out), off(out), batch, c, inner, ch, (float) scale[0], (float) shift[0],
                            relu);
                } else {
                    applyD(db(x), off(x), db(out), off(out), batch, c, inner, ch, scale[0], shift[0], relu);
                }
            }
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * Channel {@code ch}'s batch statistics from its sums around {@code shift0} over {@code m} values: saves the mean and
     * {@code 1/sqrt(var + eps)} (biased variance), updates the running statistics PyTorch's way (the running
     * variance takes the unbiased variance), and writes the normalisation {@code x * scale + shift} (gamma and beta
     * folded in) to {@code scale[slot]} and {@code shift[slot]}. Null statistics are skipped.
     */
    static void finishChannel(int ch, int slot, double shift0, double sum, double sumSq, double m, double eps,
            double momentum, Direct g, Direct bt, Direct rm, Direct rv, Direct sm, Direct si, double[] scale,
            double[] shift) {
        double meanShifted = sum / m;
        double mean = shift0 + meanShifted;
        double sq = Math.max(sumSq - sum * meanShifted, 0);
        double var = sq / m;
        double invStd = 1.0 / Math.sqrt(var + eps);
        if (sm != null) {
            sm.set(ch, mean);
        }
        if (si != null) {
            si.set(ch, invStd);
        }
        scale[slot] = (g == null ? 1.0 : g.get(ch)) * invStd;
        shift[slot] = (bt == null ? 0.0 : bt.get(ch)) - mean * scale[slot];
        if (rm != null) {
            rm.set(ch, (1 - momentum) * rm.get(ch) + momentum * mean);
        }
        if (rv != null) {
            rv.set(ch, (1 - momentum) * rv.get(ch) + momentum * (m > 1 ? sq / (m - 1) : var));
        }
    }

    /** Inference: a per-channel affine map (then ReLU if asked) with the running statistics. */
    static void inference(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar,
            double eps, INDArray out, boolean relu) {
        Check.sameShape("out", x, out);
        requireDense(x, x);
        requireDense(x, out);
        int c = BatchNorm.channels(x);
        int inner = BatchNorm.inner(x);
        int batch = (int) x.size(0);
        boolean f = x.dataType() == DataType.FLOAT;
        double[][] affine = affine(gamma, beta, runningMean, runningVar, eps, c);
        try {
            if (f && inner >= TILED_MIN_INNER) {
                FloatKernels.apply(fb(x), off(x), fb(out), off(out), batch, c, inner, floats(affine[0]),
                        floats(affine[1]), relu);
                return;
            }
            for (int ch = 0; ch < c; ch++) {
                double scale = affine[0][ch];
                double shift = affine[1][ch];
                if (f) {
                    applyF(fb(x), off(x), fb(out), off(out), batch, c, inner, ch, (float) scale, (float) shift, relu);
                } else {
                    applyD(db(x), off(x), db(out), off(out), batch, c, inner, ch, scale, shift, relu);
                }
            }
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * Inference batchnorm as an affine map per channel, in double: {@code {scale, shift}} with
     * {@code scale = gamma / sqrt(var + eps)} and {@code shift = beta - mean * scale} (null gamma / beta: 1 / 0).
     */
    static double[][] affine(INDArray gamma, INDArray beta, INDArray runningMean, INDArray runningVar, double eps,
            int c) {
        double[] scale = new double[c];
        double[] shift = new double[c];
        try (Direct g = BatchNorm.opt(gamma); Direct bt = BatchNorm.opt(beta); Direct rm = Direct.in(runningMean);
                Direct rv = Direct.in(runningVar)) {
            for (int ch = 0; ch < c; ch++) {
                scale[ch] = (g == null ? 1.0 : g.get(ch)) / Math.sqrt(rv.get(ch) + eps);
                shift[ch] = (bt == null ? 0.0 : bt.get(ch)) - rm.get(ch) * scale[ch];
            }
        }
        return new double[][] {scale, shift};
    }

    static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** The driver of the training VJP; {@code y} is the fused forward's output (ReLU mask), or null for none. */
    static void backward(INDArray x, INDArray y, INDArray gamma, INDArray saveMean, INDArray saveInvStd,
            INDArray gradOut, INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.sameShape("out", x, y);
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        requireDense(x, x);
        if (y != null) {
            requireDense(x, y);
        }
        requireDense(x, gradOut);
        if (gradIn != null) {
            requireDense(x, gradIn);
        }
        int c = BatchNorm.channels(x);
        int inner = BatchNorm.inner(x);
        int batch = (int) x.size(0);
        double m = (double) batch * inner;
        boolean f = x.dataType() == DataType.FLOAT;
        double[] acc = new double[2];
        try (Direct g = BatchNorm.opt(gamma); Direct sm = Direct.in(saveMean); Direct si = Direct.in(saveInvStd);
                Direct gg = BatchNorm.optOut(gradGamma); Direct gb = BatchNorm.optOut(gradBeta)) {
            if (f && inner >= TILED_MIN_INNER) {
                double[] sumG = new double[c];
                double[] sumGx = new double[c];
                FloatKernels.reduce(fb(x), off(x), fb(y), off(y), fb(gradOut), off(gradOut), batch, c, inner, sumG,
                        sumGx);
                float[] km = new float[c];
                float[] as = new float[c];
                float[] bs = new float[c];
                for (int ch = 0; ch < c; ch++) {
                    double mean = sm.get(ch);
                    double invStd = si.get(ch);
                    double sumDy = sumG[ch];
                    double sumDyXhat = (sumGx[ch] - mean * sumDy) * invStd;
                    if (gg != null) {
                        gg.set(ch, sumDyXhat);
                    }
                    if (gb != null) {
                        gb.set(ch, sumDy);
                    }
                    double k = (g == null ? 1.0 : g.get(ch)) * invStd / m;
                    km[ch] = (float) (k * m);
                    as[ch] = (float) (k * invStd * sumDyXhat);
                    bs[ch] = (float) (k * (mean * invStd * sumDyXhat - sumDy));
                }
                if (gradIn != null) {
                    FloatKernels.grad(fb(x), off(x), fb(y), off(y), fb(gradOut), off(gradOut), fb(gradIn),
                            off(gradIn), batch, c, inner, km, as, bs);
                }
                return;
            }
            for (int ch = 0; ch < c; ch++) {
                double mean = sm.get(ch);
                double invStd = si.get(ch);
                if (f) {
                    reduceF(fb(x), off(x), fb(y), off(y), fb(gradOut), off(gradOut), batch, c, inner, ch, acc);
                } else {
                    reduceD(db(x), off(x), db(y), off(y), db(gradOut), off(gradOut), batch, c, inner, ch, acc);
                }
                double sumDy = acc[0];
                double sumDyXhat = (acc[1] - mean * sumDy) * invStd;
                if (gg != null) {
                    gg.set(ch, sumDyXhat);
                }
                if (gb != null) {
                    gb.set(ch, sumDy);
                }
                if (gradIn != null) {
                    // gradIn = k (m dy - sumDy - xhat sumDyXhat) with xhat = (x - mean) invStd: km dy - a x + b
                    double k = (g == null ? 1.0 : g.get(ch)) * invStd / m;
                    double a = k * invStd * sumDyXhat;
                    double b = k * (mean * invStd * sumDyXhat - sumDy);
                    if (f) {
                        gradF(fb(x), off(x), fb(y), off(y), fb(gradOut), off(gradOut), fb(gradIn), off(gradIn),
                                batch, c, inner, ch, (float) (k * m), (float) a, (float) b);
                    } else {
                        gradD(db(x), off(x), db(y), off(y), db(gradOut), off(gradOut), db(gradIn), off(gradIn),
                                batch, c, inner, ch, k * m, a, b);
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(gradOut);
            Reference.reachabilityFence(gradIn);
        }
    }

    static void requireDense(INDArray x, INDArray a) {
        if (!Direct.isDense(a) || a.dataType() != x.dataType()
                || (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE)) {
            throw new IllegalArgumentException("batchnorm needs dense c-order FLOAT or DOUBLE arrays of "
                    + "one type, got " + a.shapeInfoToString());
        }
    }

    static FloatBuffer fb(INDArray a) {
        return a == null ? null : a.data().asNioFloat();
    }

    static DoubleBuffer db(INDArray a) {
        return a == null ? null : a.data().asNioDouble();
    }

    static int off(INDArray a) {
        return a == null ? 0 : Math.toIntExact(a.offset());
    }

    /** max(v, 0) from the sign bit. */
    static float reluF(float v) {
        int b = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(b & ~(b >> 31));
    }

    /** y != 0 ? g : 0, for y >= 0. */
    static float maskF(float y, float g) {
        int b = Float.floatToRawIntBits(y);
        return Float.intBitsToFloat(Float.floatToRawIntBits(g) & ((b | -b) >> 31));
    }

    static void statsF(FloatBuffer x, int xo, int batch, int c, int inner, int ch, double shift,
            double[] acc) {
        double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
        for (int n = 0; n < batch; n++) {
            int i = xo + (n * c + ch) * inner;
            int end = i + inner;
            for (; i + 1 < end; i += 2) {
                double d0 = x.get(i) - shift;
                double d1 = x.get(i + 1) - shift;
                s0 += d0;
                s1 += d1;
                q0 += d0 * d0;
                q1 += d1 * d1;
            }
            if (i < end) {
                double d0 = x.get(i) - shift;
                s0 += d0;
                q0 += d0 * d0;
            }
        }
        acc[0] = s0 + s1;
        acc[1] = q0 + q1;
    }

    static void statsD(DoubleBuffer x, int xo, int batch, int c, int inner, int ch, double shift,
            double[] acc) {
        double s0 = 0, s1 = 0, q0 = 0, q1 = 0;
        for (int n = 0; n < batch; n++) {
            int i = xo + (n * c + ch) * inner;
            int end = i + inner;
            for (; i + 1 < end; i += 2) {
                double d0 = x.get(i) - shift;
                double d1 = x.get(i + 1) - shift;
                s0 += d0;
                s1 += d1;
                q0 += d0 * d0;
                q1 += d1 * d1;
            }
            if (i < end) {
                double d0 = x.get(i) - shift;
                s0 += d0;
                q0 += d0 * d0;
            }
        }
        acc[0] = s0 + s1;
        acc[1] = q0 + q1;
    }

    static void applyF(FloatBuffer x, int xo, FloatBuffer o, int oo, int batch, int c, int inner, int ch,
            float scale, float shift, boolean relu) {
        for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * inner;
            if (relu) {
                for (int s = base; s < base + inner; s++) {
                    o.put(oo + s, reluF(x.get(xo + s) * scale + shift));
                }
            } else {
                for (int s = base; s < base + inner; s++) {
                    o.put(oo + s, x.get(xo + s) * scale + shift);
                }
            }
        }
    }

    static void applyD(DoubleBuffer x, int xo, DoubleBuffer o, int oo, int batch, int c, int inner, int ch,
            double scale, double shift, boolean relu) {
        for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * inner;
            if (relu) {
                for (int s = base; s < base + inner; s++) {
                    o.put(oo + s, Bits.relu(x.get(xo + s) * scale + shift));
                }
            } else {
                for (int s = base; s < base + inner; s++) {
                    o.put(oo + s, x.get(xo + s) * scale + shift);
                }
            }
        }
    }

    static void reduceF(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, int batch,
            int c, int inner, int ch, double[] acc) {
        double d0 = 0, d1 = 0, e0 = 0, e1 = 0;
        for (int n = 0; n < batch; n++) {
            int s = (n * c + ch) * inner;
            int end = s + inner;
            for (; s + 1 < end; s += 2) {
                float g0 = y == null ? gy.get(go + s) : maskF(y.get(yo + s), gy.get(go + s));
                float g1 = y == null ? gy.get(go + s + 1) : maskF(y.get(yo + s + 1), gy.get(go + s + 1));
                d0 += g0;
                d1 += g1;
                e0 += g0 * (double) x.get(xo + s);
                e1 += g1 * (double) x.get(xo + s + 1);
            }
            if (s < end) {
                float g0 = y == null ? gy.get(go + s) : maskF(y.get(yo + s), gy.get(go + s));
                d0 += g0;
                e0 += g0 * (double) x.get(xo + s);
            }
        }
        acc[0] = d0 + d1;
        acc[1] = e0 + e1;
    }

    static void reduceD(DoubleBuffer x, int xo, DoubleBuffer y, int yo, DoubleBuffer gy, int go, int batch,
            int c, int inner, int ch, double[] acc) {
        double d0 = 0, d1 = 0, e0 = 0, e1 = 0;
        for (int n = 0; n < batch; n++) {
            int s = (n * c + ch) * inner;
            int end = s + inner;
            for (; s + 1 < end; s += 2) {
                double g0 = y == null ? gy.get(go + s) : Bits.ifNonZero(y.get(yo + s), gy.get(go + s));
                double g1 = y == null ? gy.get(go + s + 1) : Bits.ifNonZero(y.get(yo + s + 1), gy.get(go + s + 1));
                d0 += g0;
                d1 += g1;
                e0 += g0 * x.get(xo + s);
                e1 += g1 * x.get(xo + s + 1);
            }
            if (s < end) {
                double g0 = y == null ? gy.get(go + s) : Bits.ifNonZero(y.get(yo + s), gy.get(go + s));
                d0 += g0;
                e0 += g0 * x.get(xo + s);
            }
        }
        acc[0] = d0 + d1;
        acc[1] = e0 + e1;
    }

    static void gradF(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, FloatBuffer gi,
            int gio, int batch, int c, int inner, int ch, float km, float a, float b) {
        for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * inner;
            for (int s = base; s < base + inner; s++) {
                gi.put(gio + s, km * (y == null ? gy.get(go + s) : maskF(y.get(yo + s), gy.get(go + s))) - a * x.get(xo + s) + b);
            }
        }
    }

    static void gradD(DoubleBuffer x, int xo, DoubleBuffer y, int yo, DoubleBuffer gy, int go,
            DoubleBuffer gi, int gio, int batch, int c, int inner, int ch, double km, double a, double b) {
        for (int n = 0; n < batch; n++) {
            int base = (n * c + ch) * inner;
            for (int s = base; s < base + inner; s++) {
                gi.put(gio + s, km * (y == null ? gy.get(go + s) : Bits.ifNonZero(y.get(yo + s), gy.get(go + s))) - a * x.get(xo + s) + b);
            }
        }
    }
}
