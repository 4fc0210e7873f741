package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The weight (and bias) gradient of a stride-1 FLOAT convolution with few input channels, in Java, for when the
 * input gradient is not wanted (a network's first convolution).
 *
 * <p>Why: libnd4j's {@code conv2d_bp} always computes the input gradient too, and oneDNN pads the single input
 * channel of a grayscale stem to 16 (Winograd, plus layout reorders of the output gradient): measured in a
 * Fashion-MNIST training step, {@code conv2d_bp} on [128,1,28,28] 3x3 -> 16 cost ~7.9 ms (two half-batch calls)
 * for 14.5 M multiply-adds of weight gradient. See docs/benchmarks.md, "Convolution backward".
 *
 * <p>How: per sample, each input plane is copied into a zero-padded heap plane whose row width {@code wp} is the
 * output width plus {@code kW - 1}, and for each kernel tap {@code (kh, kw)} the window starting at
 * {@code kh * wp + kw} into its own array ({@code System.arraycopy}); each output-gradient plane goes into a plane
 * of the same row width with zero columns past the output width. The product sums then run over whole flattened
 * planes with one index for all arrays ({@code acc[i] += dy[i] * x[i]}: C2 vectorises that, but not
 * {@code x[i + offset]}, since it cannot rule out that the arrays alias); the zero columns cancel the terms that
 * wrap across rows. Lanes accumulate in float and are summed in double at the end. Output channels are split over
 * {@link Parallel}'s threads. Measured [128,1,28,28] 3x3 -> 16, weight gradient only, two threads, load 3.8:
 * 1.63 / 2.57 ms (min / median) against 7.66 / 10.99 ms for {@code conv2d_bp}.
 */
final class ConvWeightGrad {
    private ConvWeightGrad() {}

    /** Input channels times kernel taps up to which the Java kernel is used. */
    static final int MAX_TAPS = 27;

    /** Whether {@link #compute} handles this convolution. */
    static boolean applies(INDArray x, INDArray w, INDArray gradOut, ConvGeometry g) {
        return x.dataType() == DataType.FLOAT && w.dataType() == DataType.FLOAT
                && gradOut.dataType() == DataType.FLOAT && g.groups() == 1 && g.strideH() == 1 && g.strideW() == 1
                && g.dilationH() == 1 && g.dilationW() == 1 && x.size(1) * g.kernelH() * g.kernelW() <= MAX_TAPS
                && Direct.isDense(x) && Direct.isDense(gradOut) && x.length() < Integer.MAX_VALUE
                && gradOut.length() < Integer.MAX_VALUE;
    }

    /**
     * Overwrites {@code gradW} ({@code [oC, iC, kH, kW]}) and {@code gradB} ({@code [oC]}), either may be null, with
     * the gradients of a convolution of {@code x} ({@code [N, iC, H, W]}) whose output gradient is {@code gradOut}.
     */
    static void compute(INDArray x, INDArray gradOut, ConvGeometry g, INDArray gradW, INDArray gradB) {
        int n = (int) x.size(0);
        int ic = (int) x.size(1);
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        int oc = (int) gradOut.size(1);
        int oh = (int) gradOut.size(2);
        int ow = (int) gradOut.size(3);
        int kh = g.kernelH();
        int kw = g.kernelW();
        int padTop = ConvGeometry.padBefore(h, kh, 1, g.padH(), 1, g.same());
        int padLeft = ConvGeometry.padBefore(w, kw, 1, g.padW(), 1, g.same());
        int taps = ic * kh * kw;
        float[] gw = new float[oc * taps];
        float[] gb = new float[oc];
        boolean wantB = gradB != null;
        FloatBuffer xb = x.data().asNioFloat();
        int xo = Math.toIntExact(x.offset());
        FloatBuffer yb = gradOut.data().asNioFloat();
        int yo = Math.toIntExact(gradOut.offset());
        int wp = ow + kw - 1;
        int planeY = oh * wp;
        int planeX = (oh + kh - 1) * wp + kw - 1;
        // the input columns that land in the padded rows (those left of the padding and past wp are never read)
        int col0 = Math.max(0, padLeft);
        int ix0 = col0 - padLeft;
        int rowLen = Math.max(0, Math.min(w - ix0, wp - col0));
        Parallel.forRange(oc, (long) n * oc * taps * planeY, (part, from, to) -> {
            float[] plane = new float[Math.max(h * w, oh * ow)];
            float[] xp = new float[planeX];
            float[][] shifted = new float[taps][planeY];
            float[] dy = new float[planeY];
            float[][] acc = new float[(to - from) * taps][planeY];
            float[][] accB = new float[wantB ? to - from : 0][planeY];
            for (int s = 0; s < n; s++) {
                for (int c = 0; c < ic; c++) {
                    xb.get(xo + (s * ic + c) * h * w, plane, 0, h * w);
                    for (int r = 0; r < oh + kh - 1; r++) {
                        int iy = r - padTop;
                        if (iy >= 0 && iy < h) {
                            System.arraycopy(plane, iy * w + ix0, xp, r * wp + col0, rowLen);
                        }
                    }
                    for (int a = 0; a < kh; a++) {
                        for (int b = 0; b < kw; b++) {
                            System.arraycopy(xp, a * wp + b, shifted[(c * kh + a) * kw + b], 0, planeY);
                        }
                    }
                }
                for (int o = from; o < to; o++) {
                    yb.get(yo + (s * oc + o) * oh * ow, plane, 0, oh * ow);
                    for (int r = 0; r < oh; r++) {
                        System.arraycopy(plane, r * ow, dy, r * wp, ow);
                    }
                    if (wantB) {
                        addProduct(accB[o - from], dy, null, planeY);
                    }
                    for (int t = 0; t < taps; t++) {
                        addProduct(acc[(o - from) * taps + t], dy, shifted[t], planeY);
                    }
                }
            }
            for (int o = from; o < to; o++) {
                for (int t = 0; t < taps; t++) {
                    gw[o * taps + t] = (float) sum(acc[(o - from) * taps + t]);
                }
                if (wantB) {
                    gb[o] = (float) sum(accB[o - from]);
                }
            }
        });
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(gradOut);
        if (gradW != null) {
            INDArray t = Native.denseTarget(gradW);
            t.data().asNioFloat().put(Math.toIntExact(t.offset()), gw, 0, gw.length);
            Native.writeBack(t, gradW);
        }
        if (gradB != null) {
            INDArray t = Native.denseTarget(gradB);
            t.data().asNioFloat().put(Math.toIntExact(t.offset()), gb, 0, gb.length);
            Native.writeBack(t, gradB);
        }
    }

    /**
     * {@code acc[i] += dy[i] * x[i]} ({@code acc[i] += dy[i]} when {@code x} is null): one index for every array, so
     * that C2 vectorises it even though it cannot prove that the arrays differ.
     */
    private static void addProduct(float[] acc, float[] dy, float[] x, int len) {
        if (x == null) {
            for (int i = 0; i < len; i++) {
                acc[i] += dy[i];
            }
        } else {
            for (int i = 0; i < len; i++) {
                acc[i] += dy[i] * x[i];
            }
        }
    }

    private static double sum(float[] a) {
        double s = 0;
        for (float v : a) {
            s += v;
        }
        return s;
    }
}
