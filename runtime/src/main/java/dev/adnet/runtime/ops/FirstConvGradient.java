package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight and bias gradients of a convolution whose input gradient nobody needs and whose input has few
 * channels: a network's first convolution, whose input is the data. A direct loop over each sample's planes (the
 * input plane padded once into a heap array, the output gradient plane dotted with each of its kH x kW shifted
 * windows), in double arithmetic, with no input gradient at all.
 *
 * <p>Why: libnd4j's {@code conv2d_bp} always computes the input gradient, and for one input channel its oneDNN path
 * is slow: measured on a 2-core AVX-512 machine, one thread, [128, 1, 28, 28] 3x3 to 16 channels, the forward
 * {@code conv2d} took 2.9 ms and {@code conv2d_bp} 15-27 ms (min over rounds, loaded machine), for the same
 * multiply-adds. {@link Conv2d#backward} uses this when {@code gradIn} is null, the groups are 1, there is no
 * dilation nor "same" padding, and {@code inC * kH * kW <= }{@link #MAX_TAPS} (one input channel and a 3x3 kernel, the case measured).
 */
final class FirstConvGradient {
    private FirstConvGradient() {}

    /** Input channels times kernel taps above which libnd4j's convolution gradient is used. */
    static final int MAX_TAPS = 9;

    static boolean applies(INDArray x, INDArray w, ConvGeometry g, INDArray gradIn) {
        DataType t = x.dataType();
        return gradIn == null && g.groups() == 1 && g.dilationH() == 1 && g.dilationW() == 1 && !g.same()
                && (t == DataType.FLOAT || t == DataType.DOUBLE) && w.dataType() == t
                && x.size(1) * g.kernelH() * g.kernelW() <= MAX_TAPS
                && x.length() < Integer.MAX_VALUE;
    }

    /** Overwrites gradW (when not null) and gradB (when not null) from x and gradOut. */
    static void run(INDArray x, INDArray gradOut, ConvGeometry g, INDArray gradW, INDArray gradB) {
        INDArray xs = Direct.isDense(x) ? x : x.dup('c');
        INDArray gos = Direct.isDense(gradOut) && gradOut.dataType() == x.dataType() ? gradOut
                : gradOut.castTo(x.dataType()).dup('c');
        int n = (int) x.size(0), ic = (int) x.size(1), h = (int) x.size(2), wd = (int) x.size(3);
        int oc = (int) gradOut.size(1), oh = (int) gradOut.size(2), ow = (int) gradOut.size(3);
        int kh = g.kernelH(), kw = g.kernelW(), sh = g.strideH(), sw = g.strideW(), ph = g.padH(), pw = g.padW();
        int hp = Math.max(h + 2 * ph, (oh - 1) * sh + kh), wp = Math.max(wd + 2 * pw, (ow - 1) * sw + kw);
        int taps = ic * kh * kw;
        boolean isFloat = x.dataType() == DataType.FLOAT;
        FloatBuffer xf = isFloat ? xs.data().asNioFloat() : null;
        FloatBuffer gf = isFloat ? gos.data().asNioFloat() : null;
        DoubleBuffer xd = isFloat ? null : xs.data().asNioDouble();
        DoubleBuffer gd = isFloat ? null : gos.data().asNioDouble();
        int xo = (int) xs.offset(), go = (int) gos.offset();
        int parts = Math.max(1, Math.min(Parallel.THREADS, n));
        double[][] accW = new double[parts][oc * taps];
        double[][] accB = new double[parts][oc];
        Parallel.forRange(n, (long) n * oc * oh * ow * taps, (part, from, to) -> {
            double[] aw = accW[part];
            double[] ab = accB[part];
            double[] xp = new double[ic * hp * wp]; // zero borders stay zero
            double[] gp = new double[oh * ow];
            float[] scratch = isFloat ? new float[Math.max(wd, ow * oh)] : null;
            for (int s = from; s < to; s++) {
                for (int c = 0; c < ic; c++) {
                    for (int y = 0; y < h; y++) {
                        int src = xo + ((s * ic + c) * h + y) * wd;
                        int dst = (c * hp + y + ph) * wp + pw;
                        if (isFloat) {
                            xf.get(src, scratch, 0, wd);
                            for (int i = 0; i < wd; i++) {
                                xp[dst + i] = scratch[i];
                            }
                        } else {
                            xd.get(src, xp, dst, wd);
                        }
                    }
                }
                for (int o = 0; o < oc; o++) {
                    int src = go + (s * oc + o) * oh * ow;
                    if (isFloat) {
                        gf.get(src, scratch, 0, oh * ow);
                        for (int i = 0; i < oh * ow; i++) {
                            gp[i] = scratch[i];
                        }
                    } else {
                        gd.get(src, gp, 0, oh * ow);
                    }
                    double bsum = 0;
                    for (int i = 0; i < oh * ow; i++) {
                        bsum += gp[i];
                    }
                    ab[o] += bsum;
                    for (int c = 0; c < ic; c++) {
                        for (int ky = 0; ky < kh; ky++) {
                            for (int kx = 0; kx < kw; kx++) {
                                double acc = 0;
                                for (int y = 0; y < oh; y++) {
                                    int xb = (c * hp + y * sh + ky) * wp + kx;
                                    int gb = y * ow;
                                    if (sw == 1) {
                                        for (int i = 0; i < ow; i++) {
                                            acc += gp[gb + i] * xp[xb + i];
                                        }
                                    } else {
                                        for (int i = 0; i < ow; i++) {
                                            acc += gp[gb + i] * xp[xb + i * sw];
                                        }
                                    }
                                }
                                aw[(o * ic + c) * kh * kw + ky * kw + kx] += acc;
                            }
                        }
                    }
                }
            }
        });
        Reference.reachabilityFence(xs);
        Reference.reachabilityFence(gos);
        for (int p = 1; p < parts; p++) {
            for (int i = 0; i < oc * taps; i++) {
                accW[0][i] += accW[p][i];
            }
            for (int i = 0; i < oc; i++) {
                accB[0][i] += accB[p][i];
            }
        }
        if (gradW != null) {
            write(accW[0], gradW);
        }
        if (gradB != null) {
            write(accB[0], gradB);
        }
    }

    private static void write(double[] v, INDArray target) {
        INDArray dense = Direct.isDense(target) ? target : target.ulike();
        try (Direct d = Direct.out(dense)) {
            for (int i = 0; i < v.length; i++) {
                d.set(i, v[i]);
            }
        }
        if (dense != target) {
            target.assign(dense);
        }
    }
}
