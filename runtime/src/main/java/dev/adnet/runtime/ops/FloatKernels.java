package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The FLOAT kernels of the memory-bound primitives (ReLU, batchnorm), written so that C2 vectorises them: each
 * pass bulk-copies a tile of at most {@link #TILE} elements from the direct buffer into a per-thread heap array
 * ({@code FloatBuffer.get(int, float[], int, int)} is a memcpy), computes on heap arrays (plain counted loops over
 * {@code float[]} with {@code Math.max}/{@code Math.min} are SIMD-compiled) and bulk-copies the result back. Parts
 * of the work run on {@link Parallel}'s threads (split by element range, or by channel for batchnorm).
 *
 * <p>Why not loops over the buffers directly: C2 (JDK 17) does not vectorise element-wise {@code FloatBuffer}
 * access, nor raw {@code Unsafe} access with an int index; measured on [128,16,28,28] float, ReLU took 1.26 ms as
 * such a loop, 0.58 ms tiled on one thread, 0.43 ms tiled on two, against 0.45 ms for ND4J's {@code assign}.
 *
 * <p>Masks are arithmetic (vectorisable) rather than branches: {@code x > 0} is
 * {@code min(max(x, 0) * 2^127 * 2^127, 1)}, exactly 1 for every positive float (subnormals included) and 0 for
 * zeros and negatives. Reductions run position-wise in float lanes (vectorised), then over the lanes in double.
 * Callers guarantee dense c-order FLOAT arrays.
 */
final class FloatKernels {
    private FloatKernels() {}

    static final int TILE = 2048;

    private static final float BIG = 0x1p127f;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][TILE]);

    /** 1 for {@code v > 0}, else 0 ({@code v} not NaN). */
    private static float positive(float v) {
        return Math.min(Math.max(v, 0f) * BIG * BIG, 1f);
    }

    /**
     * {@code g[i] = y[i] > 0 ? g[i] : 0} for {@code i < len}: a gradient through a ReLU, masked by its input or by
     * its output (never negative, so there this is {@code y != 0}); branch-free so that it vectorises.
     */
    static void mask(float[] g, float[] y, int len) {
        for (int i = 0; i < len; i++) {
            g[i] = g[i] * positive(y[i]);
        }
    }

    // ------------------------------------------------------------------------------------------ element-wise

    /** {@code o = max(x, 0)} over {@code n} elements. */
    static void relu(FloatBuffer x, int xo, FloatBuffer o, int oo, int n) {
        Parallel.forRange(n, 2L * n, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                x.get(xo + s, t, 0, len);
                for (int i = 0; i < len; i++) {
                    t[i] = Math.max(t[i], 0f);
                }
                o.put(oo + s, t, 0, len);
            }
        });
    }

    /** {@code o = a + b} over {@code n} elements. */
    static void add(FloatBuffer a, int ao, FloatBuffer b, int bo, FloatBuffer o, int oo, int n) {
        Parallel.forRange(n, 3L * n, (part, from, to) -> {
            float[][] scratch = SCRATCH.get();
            float[] x = scratch[0];
            float[] y = scratch[1];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                a.get(ao + s, x, 0, len);
                b.get(bo + s, y, 0, len);
                for (int i = 0; i < len; i++) {
                    x[i] += y[i];
                }
                o.put(oo + s, x, 0, len);
            }
        });
    }

    /** {@code o = 1 / (1 + exp(-x))} over {@code n} elements, with the exponential in double (exact to a float ulp). */
    static void sigmoid(FloatBuffer x, int xo, FloatBuffer o, int oo, int n) {
        Parallel.forRange(n, 20L * n, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                x.get(xo + s, t, 0, len);
                for (int i = 0; i < len; i++) {
                    t[i] = (float) (1 / (1 + Math.exp(-(double) t[i])));
                }
                o.put(oo + s, t, 0, len);
            }
        });
    }

    /** Beyond this |x| the rational tanh below rounds to +-1 in float; clamping keeps its polynomials finite. */
    private static final float TANH_CLAMP = 7.90531110763549805f;

    /**
     * {@code o = tanh(x)} over {@code n} elements: the odd 13/6 rational approximation of Eigen's
     * {@code generic_fast_tanh_float} (within 4e-7 relative of {@code Math.tanh} in float), branch-free so that it
     * vectorises; libnd4j's float transform computes it one element at a time (and within only 1e-4). NaN stays NaN.
     */
    static void tanh(FloatBuffer x, int xo, FloatBuffer o, int oo, int n) {
        Parallel.forRange(n, 20L * n, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                x.get(xo + s, t, 0, len);
                for (int i = 0; i < len; i++) {
                    float v = Math.max(-TANH_CLAMP, Math.min(TANH_CLAMP, t[i]));
                    float v2 = v * v;
                    float p = v2 * -2.76076847742355e-16f + 2.00018790482477e-13f;
                    p = v2 * p + -8.60467152213735e-11f;
                    p = v2 * p + 5.12229709037114e-08f;
                    p = v2 * p + 1.48572235717979e-05f;
                    p = v2 * p + 6.37261928875436e-04f;
                    p = v2 * p + 4.89352455891786e-03f;
                    float q = v2 * 1.19825839466702e-06f + 1.18534705686654e-04f;
                    q = v2 * q + 2.26843463243900e-03f;
                    q = v2 * q + 4.89352518554385e-03f;
                    t[i] = v * p / q;
                }
                o.put(oo + s, t, 0, len);
            }
        });
    }

    /** {@code gi = g * (1 - y * y)} over {@code n} elements: tanh's VJP from its output. */
    static void tanhBackward(FloatBuffer y, int yo, FloatBuffer g, int go, FloatBuffer gi, int gio, int n) {
        Parallel.forRange(n, 3L * n, (part, from, to) -> {
            float[][] scratch = SCRATCH.get();
            float[] a = scratch[0];
            float[] b = scratch[1];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                y.get(yo + s, a, 0, len);
                g.get(go + s, b, 0, len);
                for (int i = 0; i < len; i++) {
                    b[i] = b[i] * (1f - a[i] * a[i]);
                }
                gi.put(gio + s, b, 0, len);
            }
        });
    }

    /** {@code o = max(a + b, 0)} over {@code n} elements (a residual add and its ReLU in one pass). */
    static void addRelu(FloatBuffer a, int ao, FloatBuffer b, int bo, FloatBuffer o, int oo, int n) {
        Parallel.forRange(n, 3L * n, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] ta = sc[0];
            float[] tb = sc[1];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                a.get(ao + s, ta, 0, len);
                b.get(bo + s, tb, 0, len);
                addRelu(ta, tb, len);
                o.put(oo + s, ta, 0, len);
            }
        });
    }

    /** {@code a[i] = max(a[i] + b[i], 0)} for {@code i < len}. */
    static void addRelu(float[] a, float[] b, int len) {
        for (int i = 0; i < len; i++) {
            a[i] = Math.max(a[i] + b[i], 0f);
        }
    }

    /**
     * {@code gi = x > 0 ? g + g2 : 0} over {@code n} elements; {@code g2} null for a gradient of one contribution
     * (the generated backward passes the last of several here instead of adding it into {@code g} first).
     */
    static void reluBackward(FloatBuffer x, int xo, FloatBuffer g, int go, FloatBuffer g2, int g2o, FloatBuffer gi,
            int gio, int n) {
        Parallel.forRange(n, (g2 == null ? 3L : 4L) * n, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] tx = sc[0];
            float[] tg = sc[1];
            float[] t2 = sc[2];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                x.get(xo + s, tx, 0, len);
                g.get(go + s, tg, 0, len);
                if (g2 != null) {
                    g2.get(g2o + s, t2, 0, len);
                    for (int i = 0; i < len; i++) {
                        tg[i] += t2[i];
                    }
                }
                mask(tg, tx, len);
                gi.put(gio + s, tg, 0, len);
            }
        });
    }

    // ------------------------------------------------------------------------------------------ pooling

    /**
     * {@code o[p] = mean of x[p * hw, (p + 1) * hw)} for each of {@code planes} planes (global average pooling).
     * Small planes are copied several to a tile (a 7x7 plane per bulk copy would cost more in call overhead than
     * in summing); each plane is summed with eight independent float accumulators, combined in double.
     */
    static void planeMeans(FloatBuffer x, int xo, FloatBuffer o, int oo, int planes, int hw) {
        Parallel.forRange(planes, (long) planes * hw, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] t = sc[0];
            float[] means = sc[1];
            int perTile = Math.max(1, TILE / hw);
            int done = 0;
            for (int p = from; p < to; ) {
                int count = Math.min(perTile, to - p);
                if (hw <= TILE) {
                    x.get(xo + p * hw, t, 0, count * hw);
                    for (int k = 0; k < count; k++) {
                        means[done + k] = (float) (sum8(t, k * hw, hw) / hw);
                    }
                } else {
                    double sum = 0;
                    for (int s = 0; s < hw; s += TILE) {
                        int len = Math.min(TILE, hw - s);
                        x.get(xo + p * hw + s, t, 0, len);
                        sum += sum8(t, 0, len);
                    }
                    means[done] = (float) (sum / hw);
                }
                done += count;
                p += count;
                if (done + perTile > TILE || p == to) {
                    o.put(oo + p - done, means, 0, done);
                    done = 0;
                }
            }
        });
    }

    /** The sum of {@code a[from, from + n)}: eight float accumulators (independent chains), then double. */
    private static double sum8(float[] a, int from, int n) {
        float s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        int i = from;
        int end = from + n;
        for (; i + 8 <= end; i += 8) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
            s4 += a[i + 4];
            s5 += a[i + 5];
            s6 += a[i + 6];
            s7 += a[i + 7];
        }
        double sum = ((double) s0 + s1) + ((double) s2 + s3) + ((double) s4 + s5) + ((double) s6 + s7);
        for (; i < end; i++) {
            sum += a[i];
        }
        return sum;
    }

    /** {@code gi[p * hw + s] = g[p] / hw}: the VJP of {@link #planeMeans}. */
    static void planeMeansBackward(FloatBuffer g, int go, FloatBuffer gi, int gio, int planes, int hw) {
        Parallel.forRange(planes, (long) planes * hw, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int p = from; p < to; p++) {
                float v = (float) ((double) g.get(go + p) / hw);
                Arrays.fill(t, 0, Math.min(TILE, hw), v);
                int base = gio + p * hw;
                for (int s = 0; s < hw; s += TILE) {
                    gi.put(base + s, t, 0, Math.min(TILE, hw - s));
                }
            }
        });
    }

    // ------------------------------------------------------------------------------------------ batchnorm

    /**
     * Per channel of {@code [batch, c, inner]}: {@code sum[ch]} and {@code sumSq[ch]} of {@code x - shift[ch]}. The
     * sums run position-wise into float lanes (a vectorised element-wise loop, one lane per position of a tile,
     * each summing at most {@code batch * ceil(inner / TILE)} terms), then over the lanes in double.
     */
    static void stats(FloatBuffer x, int xo, int batch, int c, int inner, double[] shift, double[] sum,
            double[] sumSq) {
        Parallel.forRange(c, (long) batch * c * inner, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] t = sc[0];
            float[] ls = sc[1];
            float[] lq = sc[2];
            int lanes = Math.min(TILE, inner);
            for (int ch = from; ch < to; ch++) {
                float sh = (float) shift[ch];
                Arrays.fill(ls, 0, lanes, 0f);
                Arrays.fill(lq, 0, lanes, 0f);
                for (int n = 0; n < batch; n++) {
                    int base = xo + (n * c + ch) * inner;
                    for (int s = 0; s < inner; s += TILE) {
                        int len = Math.min(TILE, inner - s);
                        x.get(base + s, t, 0, len);
                        for (int i = 0; i < len; i++) {
                            float d = t[i] - sh;
                            ls[i] += d;
                            lq[i] += d * d;
                        }
                    }
                }
                sum[ch] = lanes(ls, lanes);
                sumSq[ch] = lanes(lq, lanes);
            }
        });
    }

    /** The sum of the first {@code n} lanes, in double. */
    private static double lanes(float[] a, int n) {
        double s0 = 0;
        double s1 = 0;
        int i = 0;
        for (; i + 1 < n; i += 2) {
            s0 += a[i];
            s1 += a[i + 1];
        }
        if (i < n) {
            s0 += a[i];
        }
        return s0 + s1;
    }

    /**
     * Per channel: {@code o = x * scale[ch] + shift[ch]}, then ReLU if asked. Split by element range and walked
     * in contiguous tiles, each tile in runs of one plane (one channel): small planes (7x7) share a bulk copy.
     */
    static void apply(FloatBuffer x, int xo, FloatBuffer o, int oo, int batch, int c, int inner, float[] scale,
            float[] shift, boolean relu) {
        int n = batch * c * inner;
        Parallel.forRange(n, 2L * n, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int s = from; s < to; s += TILE) {
                int len = Math.min(TILE, to - s);
                x.get(xo + s, t, 0, len);
                for (int i = 0; i < len; ) {
                    int plane = (s + i) / inner;
                    int end = Math.min(len, (plane + 1) * inner - s);
                    int ch = plane % c;
                    float k = scale[ch];
                    float b = shift[ch];
                    if (relu) {
                        for (int j = i; j < end; j++) {
                            t[j] = Math.max(t[j] * k + b, 0f);
                        }
                    } else {
                        for (int j = i; j < end; j++) {
                            t[j] = t[j] * k + b;
                        }
                    }
                    i = end;
                }
                o.put(oo + s, t, 0, len);
            }
        });
    }

    /** {@code o = x · w} for a small {@code [rows, in] x [in, out]} product, on one thread (heap copies). */
    static void smallProduct(FloatBuffer x, int xo, FloatBuffer w, int wo, FloatBuffer o, int oo, int rows, int in,
            int out) {
        float[] xs = new float[rows * in];
        float[] ws = new float[in * out];
        x.get(xo, xs, 0, xs.length);
        w.get(wo, ws, 0, ws.length);
        // one array per input column, the loops over rows innermost at the same index in both arrays: C2 vectorises
        // that, not offsets into one flat array (it cannot rule out an overlap); the sums keep their order (k up)
        float[][] xt = new float[in][rows];
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < in; k++) {
                xt[k][r] = xs[r * in + k];
            }
        }
        float[] os = new float[rows * out];
        float[] col = new float[rows];
        for (int j = 0; j < out; j++) {
            Arrays.fill(col, 0f);
            for (int k = 0; k < in; k++) {
                float wv = ws[k * out + j];
                float[] xk = xt[k];
                for (int r = 0; r < rows; r++) {
                    col[r] += xk[r] * wv;
                }
            }
            for (int r = 0; r < rows; r++) {
                os[r * out + j] = col[r];
            }
        }
        o.put(oo, os, 0, os.length);
    }

    /**
     * The backward's reductions per channel, {@code g'} being {@code gy} masked by {@code y != 0} when {@code y}
     * (the fused ReLU's output) is given: {@code sumG[ch] = sum g'}, {@code sumGx[ch] = sum g' x}; in float lanes
     * as in {@link #stats}.
     */
    static void reduce(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, int batch, int c,
            int inner, double[] sumG, double[] sumGx) {
        Parallel.forRange(c, (y == null ? 2L : 3L) * batch * c * inner, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] tx = sc[0];
            float[] tg = sc[1];
            float[] ty = sc[2];
            float[] lg = sc[3];
            float[] lgx = sc[4];
            int lanes = Math.min(TILE, inner);
            for (int ch = from; ch < to; ch++) {
                Arrays.fill(lg, 0, lanes, 0f);
                Arrays.fill(lgx, 0, lanes, 0f);
                for (int n = 0; n < batch; n++) {
                    int plane = (n * c + ch) * inner;
                    for (int s = 0; s < inner; s += TILE) {
                        int len = Math.min(TILE, inner - s);
                        x.get(xo + plane + s, tx, 0, len);
                        gy.get(go + plane + s, tg, 0, len);
                        if (y != null) {
                            // a separate loop: C2 does not vectorise the mask fused into the accumulation
                            y.get(yo + plane + s, ty, 0, len);
                            mask(tg, ty, len);
                        }
                        for (int i = 0; i < len; i++) {
                            float g = tg[i];
                            lg[i] += g;
                            lgx[i] += g * tx[i];
                        }
                    }
                }
                sumG[ch] = lanes(lg, lanes);
                sumGx[ch] = lanes(lgx, lanes);
            }
        });
    }

    /** Per channel: {@code gi = km[ch] g' - a[ch] x + b[ch]} ({@code g'} as in {@link #reduce}). */
    static void grad(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, FloatBuffer gi, int gio,
            int batch, int c, int inner, float[] km, float[] a, float[] b) {
        Parallel.forRange(c, (y == null ? 3L : 4L) * batch * c * inner, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] tx = sc[0];
            float[] tg = sc[1];
            float[] ty = sc[2];
            for (int ch = from; ch < to; ch++) {
                float k = km[ch];
                float ax = a[ch];
                float bx = b[ch];
                for (int n = 0; n < batch; n++) {
                    int plane = (n * c + ch) * inner;
                    for (int s = 0; s < inner; s += TILE) {
                        int len = Math.min(TILE, inner - s);
                        x.get(xo + plane + s, tx, 0, len);
                        gy.get(go + plane + s, tg, 0, len);
                        if (y != null) {
                            y.get(yo + plane + s, ty, 0, len);
                            mask(tg, ty, len);
                        }
                        for (int i = 0; i < len; i++) {
                            tg[i] = k * tg[i] - ax * tx[i] + bx;
                        }
                        gi.put(gio + plane + s, tg, 0, len);
                    }
                }
            }
        });
    }
}
