package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.values;
import static dev.adnet.runtime.ops.Testing.zeros;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The tiled, multi-threaded FLOAT kernels ({@link FloatKernels}) against the plain DOUBLE loops on the same inputs
 * (rounded to float), on shapes large enough to be split across threads and, for one, with planes longer than a
 * tile; and batch-split convolution gradients against the single call.
 */
class FloatKernelsTest {
    private static final double TOL = 2e-5;

    static Stream<long[]> shapes() {
        return Stream.of(new long[] {8, 8, 32, 32}, new long[] {3, 5, 50, 50}, new long[] {4, 3, 5, 5},
                new long[] {64, 16, 7, 7});
    }

    /** Standard normal values rounded to float, as a DOUBLE array and a FLOAT array. */
    private static INDArray[] pair(long seed, double scale, double shift, long... shape) {
        INDArray f = random(seed, DataType.DOUBLE, shape).muli(scale).addi(shift).castTo(DataType.FLOAT);
        return new INDArray[] {f.castTo(DataType.DOUBLE), f};
    }

    /** The fused add + ReLU against its plain reference, libnd4j's add then the ReLU, in FLOAT and DOUBLE. */
    @ParameterizedTest
    @MethodSource("shapes")
    void addRelu(long[] shape) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray a = random(3, t, shape), b = random(4, t, shape);
            INDArray fused = a.ulike(), sum = a.ulike(), reference = a.ulike();
            Elementwise.addRelu(a, b, fused);
            Elementwise.add(a, b, sum);
            Relu.forward(sum, reference);
            assertClose("addRelu " + t, fused, values(reference), 0);
            // the output's sign pattern is the sum's, so the ReLU's backward may read the output instead
            INDArray go = random(5, t, shape), g1 = a.ulike(), g2 = a.ulike();
            Relu.backward(sum, reference, go, g1);
            Relu.backward(fused, fused, go, g2);
            assertClose("relu gradIn from the output " + t, g2, values(g1), 0);
        }
    }

    /** Global average pooling both ways; {@code [2, 3, 50, 50]} has planes longer than a tile. */
    @ParameterizedTest
    @MethodSource("shapes")
    void globalAvgPool(long[] shape) {
        INDArray[] x = pair(1, 2, 3, shape);
        INDArray[] go = pair(2, 1, 0, shape[0], shape[1]);
        INDArray[][] res = new INDArray[2][];
        for (int k = 0; k < 2; k++) {
            INDArray out = zeros(x[k].dataType(), shape[0], shape[1]);
            INDArray gi = x[k].ulike();
            GlobalAvgPool.forward(x[k], out);
            GlobalAvgPool.backward(go[k], gi);
            res[k] = new INDArray[] {out, gi};
        }
        assertClose("pool out", res[1][0], values(res[0][0]), TOL);
        assertClose("pool gradIn", res[1][1], values(res[0][1]), TOL);
    }

    /** The float add and sigmoid passes against DOUBLE references rounded to float (an odd tile count). */
    @Test
    void addAndSigmoidAgainstDouble() {
        long n = 2 * FloatKernels.TILE + 5;
        INDArray[] a = pair(41, 80, -40, n);
        INDArray[] b = pair(42, 2, -1, n);
        INDArray sum = a[1].ulike();
        Elementwise.add(a[1], b[1], sum);
        double[] expected = new double[(int) n];
        for (int i = 0; i < n; i++) {
            expected[i] = a[1].getFloat(i) + b[1].getFloat(i); // the float sum, widened
        }
        assertClose("add", sum, expected, 0);
        INDArray s = a[1].ulike();
        Sigmoid.forward(a[1], s);
        for (int i = 0; i < n; i++) {
            float e = (float) (1 / (1 + Math.exp(-a[1].getFloat(i))));
            assertEquals(e, s.getFloat(i), 0f, "sigmoid(" + a[1].getFloat(i) + ")");
        }
    }

    /** The dense VJP in FLOAT (oneDNN's sgemm with its transposes, where it loads) against DOUBLE (libnd4j). */
    @Test
    void denseBackwardFloatAgainstDouble() {
        for (long[] s : new long[][] {{37, 16, 5}, {300, 40, 30}, {96, 256, 256}}) {
            INDArray[] x = pair(31, 1, 0, s[0], s[1]);
            INDArray[] w = pair(32, 1, 0, s[1], s[2]);
            INDArray[] g = pair(33, 1, 0, s[0], s[2]);
            INDArray[][] res = new INDArray[2][];
            for (int k = 0; k < 2; k++) {
                INDArray gi = x[k].ulike().assign(7.0), gw = w[k].ulike().assign(7.0), gb = zeros(x[k].dataType(), s[2]);
                Dense.backward(x[k], w[k], g[k], gi, gw, gb);
                res[k] = new INDArray[] {gi, gw, gb};
            }
            String at = java.util.Arrays.toString(s);
            assertClose("dense gradIn " + at, res[1][0], values(res[0][0]), 1e-4);
            assertClose("dense gradW " + at, res[1][1], values(res[0][1]), 1e-3);
            assertClose("dense gradB " + at, res[1][2], values(res[0][2]), 1e-3);
        }
    }

    /**
     * The float tanh (a rational approximation) against Math.tanh, and its VJP against DOUBLE: over [-12, 12] (both
     * sides of the clamp), an odd tile count, values near 0 and NaN.
     */
    @Test
    void tanhAgainstMathTanh() {
        INDArray[] x = pair(21, 24, -12, 3 * FloatKernels.TILE + 17);
        x[1].putScalar(0, 0f);
        x[1].putScalar(1, 1e-6f);
        x[1].putScalar(2, -3e-4f);
        x[1].putScalar(3, Float.NaN);
        INDArray y = x[1].ulike();
        Tanh.forward(x[1], y);
        for (long i = 0; i < x[1].length(); i++) {
            double v = x[1].getFloat(i);
            double expected = Math.tanh(v);
            double got = y.getFloat(i);
            if (Double.isNaN(v)) {
                assertTrue(Double.isNaN(got), "tanh(NaN) is NaN");
            } else {
                assertEquals(expected, got, 4e-7 * Math.abs(expected) + 1e-45, "tanh(" + v + ")");
            }
        }
        INDArray[] yy = pair(22, 2, -1, 3 * FloatKernels.TILE + 17);
        INDArray[] g = pair(23, 2, -1, 3 * FloatKernels.TILE + 17);
        INDArray gd = yy[0].ulike(), gf = yy[1].ulike();
        Tanh.backward(null, yy[0], g[0], gd);
        Tanh.backward(null, yy[1], g[1], gf);
        assertClose("tanh gradIn", gf, values(gd), 1e-6);
    }

    /**
     * The small-product loop (and the libnd4j product above its size, accumulating onto the bias rows) against DOUBLE,
     * with a bias; the outputs start with stale values, which neither path may keep.
     */
    @Test
    void denseSmallAndLarge() {
        for (long[] s : new long[][] {{37, 16, 5}, {256, 16, 2}, {300, 40, 30}, {256, 256, 256}}) {
            INDArray[] x = pair(11, 1, 0, s[0], s[1]);
            INDArray[] w = pair(12, 1, 0, s[1], s[2]);
            INDArray[] b = pair(13, 1, 0, s[2]);
            INDArray d = zeros(DataType.DOUBLE, s[0], s[2]);
            INDArray f = zeros(DataType.FLOAT, s[0], s[2]).assign(7.0);
            d.assign(7.0);
            Dense.forward(x[0], w[0], b[0], d);
            Dense.forward(x[1], w[1], b[1], f);
            assertClose("dense " + java.util.Arrays.toString(s), f, values(d), 1e-4);
        }
    }

    /** More planes than a tile of means (the kernel writes its means a tile at a time). */
    @Test
    void globalAvgPoolManyPlanes() {
        INDArray[] x = pair(7, 1, 0, 300, 16, 3, 3);
        INDArray d = zeros(DataType.DOUBLE, 300, 16);
        INDArray f = zeros(DataType.FLOAT, 300, 16);
        GlobalAvgPool.forward(x[0], d);
        GlobalAvgPool.forward(x[1], f);
        assertClose("pool out", f, values(d), TOL);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void relu(long[] shape) {
        INDArray[] x = pair(1, 1, 0, shape);
        INDArray[] go = pair(2, 1, 0, shape);
        INDArray[][] res = new INDArray[2][];
        for (int k = 0; k < 2; k++) {
            INDArray out = x[k].ulike(), gi = x[k].ulike();
            Relu.forward(x[k], out);
            Relu.backward(x[k], out, go[k], gi);
            res[k] = new INDArray[] {out, gi};
        }
        assertClose("relu out", res[1][0], values(res[0][0]), 0);
        assertClose("relu gradIn", res[1][1], values(res[0][1]), 0);
    }

    @ParameterizedTest
    @MethodSource("shapes")
    void batchNormAndFused(long[] shape) {
        long c = shape[1];
        INDArray[] x = pair(1, 2, 3, shape);
        INDArray[] go = pair(2, 1, 0, shape);
        INDArray[] gamma = pair(3, 1, 0, c);
        INDArray[] beta = pair(4, 1, 0, c);
        for (boolean fused : new boolean[] {false, true}) {
            INDArray[][] res = new INDArray[2][];
            for (int k = 0; k < 2; k++) {
                DataType t = x[k].dataType();
                INDArray rm = zeros(t, c), rv = zeros(t, c).addi(1), sm = zeros(t, c), si = zeros(t, c);
                INDArray out = x[k].ulike(), gx = x[k].ulike(), gg = gamma[k].ulike(), gb = beta[k].ulike();
                INDArray inf = x[k].ulike();
                if (fused) {
                    FusedBatchNormRelu.trainForward(x[k], gamma[k], beta[k], rm, rv, 0.1, 1e-5, out, sm, si);
                    FusedBatchNormRelu.backward(x[k], out, gamma[k], sm, si, go[k], gx, gg, gb);
                    FusedBatchNormRelu.inference(x[k], gamma[k], beta[k], rm, rv, 1e-5, inf);
                } else {
                    BatchNorm.trainForward(x[k], gamma[k], beta[k], rm, rv, 0.1, 1e-5, out, sm, si);
                    BatchNorm.backward(x[k], gamma[k], sm, si, go[k], gx, gg, gb);
                    BatchNorm.inference(x[k], gamma[k], beta[k], rm, rv, 1e-5, inf);
                }
                res[k] = new INDArray[] {out, rm, rv, sm, si, gx, gg, gb, inf};
            }
            String[] names = {"out", "running mean", "running var", "save mean", "save inv std", "gradIn", "gradGamma",
                "gradBeta", "inference"};
            for (int i = 0; i < names.length; i++) {
                // gradGamma/gradBeta are sums over the batch: relative to their scale
                double tol = i == 6 || i == 7 ? 1e-4 : TOL * 5;
                assertClose((fused ? "fused " : "") + names[i], res[1][i], values(res[0][i]), tol);
            }
        }
    }

    @Test
    void convolutionGradientInParts() {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        for (boolean bias : new boolean[] {false, true}) {
            for (boolean needIn : new boolean[] {true, false}) {
                INDArray x = random(1, DataType.FLOAT, 5, 3, 6, 6);
                INDArray w = random(2, DataType.FLOAT, 4, 3, 3, 3);
                INDArray b = bias ? random(3, DataType.FLOAT, 4) : null;
                INDArray go = random(4, DataType.FLOAT, 5, 4, 6, 6);
                INDArray gx1 = x.ulike(), gw1 = w.ulike(), gb1 = bias ? b.ulike() : null;
                Conv2d.backward(x, w, b, go, g, gx1, gw1, gb1, Long.MAX_VALUE);
                // 5 parts of one sample, then 3 parts of 1-2 samples
                for (long max : new long[] {1, 4 * 36 * 2}) {
                    INDArray gx2 = needIn ? x.ulike() : null, gw2 = w.ulike(), gb2 = bias ? b.ulike() : null;
                    Conv2d.backward(x, w, b, go, g, gx2, gw2, gb2, max);
                    String what = "bias " + bias + " max " + max;
                    if (needIn) {
                        assertClose(what + " gradIn", gx2, values(gx1), TOL);
                    }
                    assertClose(what + " gradW", gw2, values(gw1), TOL);
                    if (bias) {
                        assertClose(what + " gradB", gb2, values(gb1), TOL);
                    }
                }
            }
        }
    }
}
