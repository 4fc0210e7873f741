package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The FLOAT kernels of {@link ChannelsLastTraining}: batchnorm statistics and gradients over {@code pixels} rows of
 * {@code c} channels (channel innermost), and the gradient of channels-last global average pooling. Written as
 * {@link FloatKernels} and {@link ChannelsLastKernels#applyLast} are: tiles of whole pixels bulk-copied into
 * per-thread heap arrays, so the channel pattern is the same in every tile and per-channel constants (shift, mean,
 * gradient coefficients) are laid out once per call as tile-long arrays; each tile is then one flat loop that C2
 * vectorises (a loop over 16 channels per pixel ran at a fifth of the speed). Work is split by pixel range across
 * {@link Parallel}'s threads, each part returning per-channel partial sums that the caller's thread combines in part
 * order (deterministic for a given thread count). Callers guarantee dense c-order FLOAT arrays and
 * {@code c <= FloatKernels.TILE}.
 */
final class ChannelsLastBnKernels {
    private ChannelsLastBnKernels() {}

    /**
     * Tiles summed in float lanes before the lanes are folded into double: bounds each float sum to this many terms
     * (the channels-first kernels sum {@code batch} terms per lane) while the fold costs 1/FOLD of the pass.
     */
    static final int FOLD = 64;

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new float[5][FloatKernels.TILE]);

    private static final ThreadLocal<double[][]> WIDE = ThreadLocal.withInitial(
            () -> new double[2][FloatKernels.TILE]);

    /**
     * Per channel: {@code sum[ch]} and {@code sumSq[ch]} of {@code x - shift[ch]}. Each tile position sums into a float
     * lane (a flat vectorised loop), the lanes fold into double every {@link #FOLD} tiles, and the positions of a
     * channel are summed in double at the end of the part.
     */
    static void stats(FloatBuffer x, int xo, int pixels, int c, double[] shift, double[] sum, double[] sumSq) {
        float[] sh = ChannelsLastKernels.pattern(shift, c);
        double[][] parts = new double[Parallel.THREADS][];
        Parallel.forRange(pixels, (long) pixels * c, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] t = sc[0];
            float[] ls = sc[1];
            float[] lq = sc[2];
            double[][] wide = WIDE.get();
            int len = sh.length;
            int per = len / c;
            clear(ls, lq, wide, len);
            int tiles = 0;
            for (int p = from; p < to; p += per) {
                int n = Math.min(per, to - p) * c;
                x.get(xo + p * c, t, 0, n);
                for (int i = 0; i < n; i++) {
                    float d = t[i] - sh[i];
                    ls[i] += d;
                    lq[i] += d * d;
                }
                if (++tiles == FOLD) {
                    fold(ls, lq, wide, len);
                    tiles = 0;
                }
            }
            fold(ls, lq, wide, len);
            parts[part] = byChannel(wide, len, c);
        });
        combine(parts, c, sum, sumSq);
    }

    /**
     * The backward's reductions per channel, {@code g'} being {@code gy} masked by {@code y != 0} when {@code y} (the
     * fused ReLU's output) is given: {@code sumG[ch] = sum g'} and {@code sumGx[ch] = sum g' (x - centre[ch])}, the
     * centre (the batch mean, as float) keeping the second sum free of the cancellation a raw {@code sum g' x} has
     * when the mean is large against the spread. Summed in float lanes and folded as in {@link #stats}.
     */
    static void reduce(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, int pixels, int c,
            double[] centre, double[] sumG, double[] sumGx) {
        float[] mu = ChannelsLastKernels.pattern(centre, c);
        double[][] parts = new double[Parallel.THREADS][];
        Parallel.forRange(pixels, (y == null ? 2L : 3L) * pixels * c, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] tx = sc[0];
            float[] tg = sc[1];
            float[] ty = sc[2];
            float[] lg = sc[3];
            float[] lgx = sc[4];
            double[][] wide = WIDE.get();
            int len = mu.length;
            int per = len / c;
            clear(lg, lgx, wide, len);
            int tiles = 0;
            for (int p = from; p < to; p += per) {
                int n = Math.min(per, to - p) * c;
                x.get(xo + p * c, tx, 0, n);
                gy.get(go + p * c, tg, 0, n);
                if (y != null) {
                    // a separate loop: C2 does not vectorise the mask fused into the accumulation
                    y.get(yo + p * c, ty, 0, n);
                    FloatKernels.mask(tg, ty, n);
                }
                for (int i = 0; i < n; i++) {
                    float g = tg[i];
                    lg[i] += g;
                    lgx[i] += g * (tx[i] - mu[i]);
                }
                if (++tiles == FOLD) {
                    fold(lg, lgx, wide, len);
                    tiles = 0;
                }
            }
            fold(lg, lgx, wide, len);
            parts[part] = byChannel(wide, len, c);
        });
        combine(parts, c, sumG, sumGx);
    }

    /**
     * {@code gi = km[ch] g' - a[ch] x + b[ch]} ({@code g'} as in {@link #reduce}); the coefficients come as
     * {@link ChannelsLastKernels#pattern tile patterns}.
     */
    static void grad(FloatBuffer x, int xo, FloatBuffer y, int yo, FloatBuffer gy, int go, FloatBuffer gi, int gio,
            int pixels, int c, float[] km, float[] a, float[] b) {
        Parallel.forRange(pixels, (y == null ? 3L : 4L) * pixels * c, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] tx = sc[0];
            float[] tg = sc[1];
            float[] ty = sc[2];
            int per = km.length / c;
            for (int p = from; p < to; p += per) {
                int n = Math.min(per, to - p) * c;
                x.get(xo + p * c, tx, 0, n);
                gy.get(go + p * c, tg, 0, n);
                if (y != null) {
                    y.get(yo + p * c, ty, 0, n);
                    FloatKernels.mask(tg, ty, n);
                }
                for (int i = 0; i < n; i++) {
                    tg[i] = km[i] * tg[i] - a[i] * tx[i] + b[i];
                }
                gi.put(gio + p * c, tg, 0, n);
            }
        });
    }

    /**
     * The gradient of channels-last global average pooling: {@code gi[b][p][ch] = g[b][ch] / pixels} for each of the
     * {@code pixels} pixels of sample {@code b}; a tile of the sample's pattern is built once and bulk-copied out.
     */
    static void spreadMeans(FloatBuffer g, int go, FloatBuffer gi, int gio, int batch, int pixels, int c) {
        int per = ChannelsLastKernels.perTile(c);
        Parallel.forRange(batch, (long) batch * pixels * c, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int s = from; s < to; s++) {
                for (int ch = 0; ch < c; ch++) {
                    t[ch] = (float) ((double) g.get(go + s * c + ch) / pixels);
                }
                int fill = Math.min(per, pixels);
                for (int i = c; i < fill * c; i++) {
                    t[i] = t[i - c];
                }
                int base = gio + s * pixels * c;
                for (int p = 0; p < pixels; p += per) {
                    gi.put(base + p * c, t, 0, Math.min(per, pixels - p) * c);
                }
            }
        });
    }

    private static void clear(float[] a, float[] b, double[][] wide, int len) {
        Arrays.fill(a, 0, len, 0f);
        Arrays.fill(b, 0, len, 0f);
        Arrays.fill(wide[0], 0, len, 0);
        Arrays.fill(wide[1], 0, len, 0);
    }

    /** Adds the float lanes into the double lanes and clears them. */
    private static void fold(float[] a, float[] b, double[][] wide, int len) {
        double[] wa = wide[0];
        double[] wb = wide[1];
        for (int i = 0; i < len; i++) {
            wa[i] += a[i];
            wb[i] += b[i];
        }
        Arrays.fill(a, 0, len, 0f);
        Arrays.fill(b, 0, len, 0f);
    }

    /** The double lanes summed per channel: {@code {first[c], second[c]}} flattened into one array of 2c. */
    private static double[] byChannel(double[][] wide, int len, int c) {
        double[] r = new double[2 * c];
        for (int i = 0; i < len; i++) {
            r[i % c] += wide[0][i];
            r[c + i % c] += wide[1][i];
        }
        return r;
    }

    private static void combine(double[][] parts, int c, double[] first, double[] second) {
        Arrays.fill(first, 0);
        Arrays.fill(second, 0);
        for (double[] r : parts) {
            if (r != null) {
                for (int ch = 0; ch < c; ch++) {
                    first[ch] += r[ch];
                    second[ch] += r[c + ch];
                }
            }
        }
    }
}
