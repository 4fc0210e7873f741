package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
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
 * multiply-adds. {@link Conv2d#backward} uses this when {@code gradIn} is null, the groups are 1, the stride is 1,
 * there is no dilation nor "same" padding, and {@code inC * kH * kW <= }{@link #MAX_TAPS} (one input channel and a 3x3 kernel, the case measured).
 */
final class FirstConvGradient {
    private FirstConvGradient() {}

    /** Input channels times kernel taps above which libnd4j's convolution gradient is used. */
    static final int MAX_TAPS = 9;

    static boolean applies(INDArray x, INDArray w, ConvGeometry g, INDArray gradIn) {
        DataType t = x.dataType();
        return gradIn == null && g.groups() == 1 && g.dilationH() == 1 && g.dilationW() == 1 && !g.same()
                && g.strideH() == 1 && g.strideW() == 1
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
        int kh = g.kernelH(), kw = g.kernelW(), ph = g.padH(), pw = g.padW();
        // stride 1: the padded planes are wp wide; an output row y, tap (ky, kx) reads the padded row y + ky from
        // column kx. With the output gradient stored wp wide too (zeros in columns ow..wp), a tap's sum over the
        // whole plane is ONE dot product of oh * wp elements over both arrays.
        int hp = Math.max(h + 2 * ph, oh + kh - 1), wp = Math.max(wd + 2 * pw, ow + kw - 1);
        int plane = hp * wp, len = oh * wp, taps = ic * kh * kw;
        boolean isFloat = x.dataType() == DataType.FLOAT;
        double[] xp = new double[n * ic * plane + kw]; // zero padding; kw of slack for the last plane's tail
        double[] scratch = new double[Math.max(wd, oh * ow)];
        float[] fscratch = isFloat ? new float[scratch.length] : null;
        int xo = (int) xs.offset(), go = (int) gos.offset();
        java.nio.Buffer xb0 = buffer(xs), gb0 = buffer(gos);
        for (int s = 0; s < n; s++) {
            for (int c = 0; c < ic; c++) {
                for (int y = 0; y < h; y++) {
                    read(xb0, xo + ((s * ic + c) * h + y) * wd, wd, scratch, fscratch);
                    System.arraycopy(scratch, 0, xp, (s * ic + c) * plane + (y + ph) * wp + pw, wd);
                }
            }
        }
        double[] accW = new double[oc * taps];
        double[] accB = new double[oc];
        Parallel.forRange(oc, (long) n * oc * len * taps, (part, from, to) -> {
            double[] gp = new double[len];
            double[] sums = new double[taps];
            double[] row = new double[oh * ow];
            float[] frow = isFloat ? new float[oh * ow] : null;
            for (int o = from; o < to; o++) {
                java.util.Arrays.fill(sums, 0);
                double bias = 0;
                for (int s = 0; s < n; s++) {
                    read(gb0, go + (s * oc + o) * oh * ow, oh * ow, row, frow);
                    for (int y = 0; y < oh; y++) {
                        System.arraycopy(row, y * ow, gp, y * wp, ow);
                    }
                    for (int i = 0; i < oh * ow; i++) {
                        bias += row[i];
                    }
                    for (int t = 0; t < taps; t++) {
                        int c = t / (kh * kw), ky = t / kw % kh, kx = t % kw;
                        int xb = (s * ic + c) * plane + ky * wp + kx;
                        // four independent sums: the adds of one running sum would wait on each other
                        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                        int j = 0;
                        for (; j + 3 < len; j += 4) {
                            a0 += gp[j] * xp[xb + j];
                            a1 += gp[j + 1] * xp[xb + j + 1];
                            a2 += gp[j + 2] * xp[xb + j + 2];
                            a3 += gp[j + 3] * xp[xb + j + 3];
                        }
                        for (; j < len; j++) {
                            a0 += gp[j] * xp[xb + j];
                        }
                        sums[t] += (a0 + a1) + (a2 + a3);
                    }
                }
                for (int t = 0; t < taps; t++) {
                    accW[o * taps + t] = sums[t];
                }
                accB[o] = bias;
            }
        });
        Reference.reachabilityFence(xs);
        Reference.reachabilityFence(gos);
        if (gradW != null) {
            write(accW, gradW);
        }
        if (gradB != null) {
            write(accB, gradB);
        }
    }

    /**
     * count elements of an array's buffer (a FloatBuffer or a DoubleBuffer, made once per call: making one costs
     * microseconds) from index at, into dst[0, count).
     */
    private static void read(java.nio.Buffer b, int at, int count, double[] dst, float[] fscratch) {
        if (b instanceof java.nio.FloatBuffer f) {
            f.get(at, fscratch, 0, count);
            for (int i = 0; i < count; i++) {
                dst[i] = fscratch[i];
            }
        } else {
            ((java.nio.DoubleBuffer) b).get(at, dst, 0, count);
        }
    }

    private static java.nio.Buffer buffer(INDArray a) {
        return a.dataType() == DataType.FLOAT ? a.data().asNioFloat() : a.data().asNioDouble();
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
