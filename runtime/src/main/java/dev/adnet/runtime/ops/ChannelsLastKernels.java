package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The FLOAT kernels of {@link ChannelsLast}, written as {@link FloatKernels} are (bulk copies between the direct
 * buffers and per-thread heap arrays, plain counted loops the JIT vectorises, parts on {@link Parallel}'s
 * threads). With the channel innermost, per-channel work is laid out so that the hot loops stay flat rather than
 * running a short loop over the channels per pixel.
 */
final class ChannelsLastKernels {
    private ChannelsLastKernels() {}

    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(
            () -> new float[3][FloatKernels.TILE]);

    /** Whole pixels of {@code c} channels per tile. */
    static int perTile(int c) {
        return FloatKernels.TILE / c;
    }

    /** {@code v} (one value per channel, rounded to float) repeated over a tile of whole pixels. */
    static float[] pattern(double[] v, int c) {
        float[] p = new float[perTile(c) * c];
        for (int i = 0; i < p.length; i++) {
            p[i] = (float) v[i % c];
        }
        return p;
    }

    /**
     * Channels-last batchnorm: {@code o = x * scale[ch] + shift[ch]} (then ReLU if asked) over {@code pixels} rows of
     * {@code c} channels. Tiles hold whole pixels, so the channel pattern is the same in every tile: scale and shift
     * are laid out once per call as tile-long arrays and each tile is one flat, vectorised loop (a loop over 16
     * channels per pixel ran at a fifth of the speed).
     */
    static void applyLast(FloatBuffer x, int xo, FloatBuffer o, int oo, int pixels, int c, double[] scale,
            double[] shift, boolean relu) {
        int perTile = perTile(c);
        float[] k = pattern(scale, c);
        float[] b = pattern(shift, c);
        Parallel.forRange(pixels, 2L * pixels * c, (part, from, to) -> {
            float[] t = SCRATCH.get()[0];
            for (int p = from; p < to; p += perTile) {
                int len = Math.min(perTile, to - p) * c;
                x.get(xo + p * c, t, 0, len);
                if (relu) {
                    for (int i = 0; i < len; i++) {
                        t[i] = Math.max(t[i] * k[i] + b[i], 0f);
                    }
                } else {
                    for (int i = 0; i < len; i++) {
                        t[i] = t[i] * k[i] + b[i];
                    }
                }
                o.put(oo + p * c, t, 0, len);
            }
        });
    }

    /**
     * Channels-last global average pooling: {@code o[b][ch]} = the mean of channel {@code ch} over the {@code rows}
     * image rows of sample {@code b}, each row {@code rowLen = width * c} floats. The rows are summed position-wise
     * in float (a flat, vectorised loop; each position sums {@code rows} terms), then the positions of each
     * channel in double.
     */
    static void pixelMeans(FloatBuffer x, int xo, FloatBuffer o, int oo, int batch, int rows, int rowLen, int c) {
        int pixels = rows * (rowLen / c);
        Parallel.forRange(batch, (long) batch * rows * rowLen, (part, from, to) -> {
            float[][] sc = SCRATCH.get();
            float[] t = sc[0];
            float[] acc = sc[1];
            float[] mean = sc[2];
            double[] sum = new double[c];
            for (int b = from; b < to; b++) {
                Arrays.fill(acc, 0, rowLen, 0f);
                for (int r = 0; r < rows; r++) {
                    x.get(xo + (b * rows + r) * rowLen, t, 0, rowLen);
                    for (int i = 0; i < rowLen; i++) {
                        acc[i] += t[i];
                    }
                }
                Arrays.fill(sum, 0);
                for (int i = 0; i < rowLen; ) { // pixel by pixel: no division per element
                    for (int ch = 0; ch < c; ch++, i++) {
                        sum[ch] += acc[i];
                    }
                }
                for (int ch = 0; ch < c; ch++) {
                    mean[ch] = (float) (sum[ch] / pixels);
                }
                o.put(oo + b * c, mean, 0, c);
            }
        });
    }

    /** Per-thread whole-sample buffers (input, output) for the channels-last kernels that need a sample at once. */
    private static final ThreadLocal<float[][]> SAMPLE = ThreadLocal.withInitial(() -> new float[2][0]);

    private static float[][] sampleBuffers(int in, int out) {
        float[][] b = SAMPLE.get();
        if (b[0].length < in) {
            b[0] = new float[in];
        }
        if (b[1].length < out) {
            b[1] = new float[out];
        }
        return b;
    }

    /** Per sample, {@code [pixels, c] -> [c, pixels]}: a channels-last image flattened in channels-first order. */
    static void transposeSamples(FloatBuffer x, int xo, FloatBuffer o, int oo, int batch, int pixels, int c) {
        int per = pixels * c;
        Parallel.forRange(batch, 2L * batch * per, (part, from, to) -> {
            float[][] b = sampleBuffers(per, per);
            float[] in = b[0];
            float[] out = b[1];
            for (int n = from; n < to; n++) {
                x.get(xo + n * per, in, 0, per);
                for (int p = 0; p < pixels; p++) {
                    for (int ch = 0; ch < c; ch++) {
                        out[ch * pixels + p] = in[p * c + ch];
                    }
                }
                o.put(oo + n * per, out, 0, per);
            }
        });
    }

    /**
     * Channels-last max or average pooling with explicit padding, in two passes per output row: the window's input
     * rows are first reduced into one row (a flat, vectorised loop over width x channels), then each output pixel
     * reduces its columns of that row (a loop over the channels per column). Padded positions are skipped (they
     * never win a max, and an average divides by the real positions only).
     */
    static void poolLast(FloatBuffer x, int xo, FloatBuffer o, int oo, int batch, int h, int w, int c, int oh,
            int ow, int kh, int kw, int sh, int sw, int ph, int pw, boolean max) {
        int inPer = h * w * c;
        int outPer = oh * ow * c;
        int rowLen = w * c;
        Parallel.forRange(batch, (long) batch * (inPer + (long) outPer * kh * kw), (part, from, to) -> {
            float[] out = sampleBuffers(0, outPer)[1];
            float[] row = new float[rowLen];
            float[] next = new float[rowLen];
            for (int n = from; n < to; n++) {
                int at = xo + n * inPer;
                for (int oy = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * sh - ph);
                    int y1 = Math.min(h, oy * sh - ph + kh);
                    x.get(at + y0 * rowLen, row, 0, rowLen);
                    for (int iy = y0 + 1; iy < y1; iy++) {
                        // row by row into an array of its own: C2 vectorises loops that index two arrays alike
                        x.get(at + iy * rowLen, next, 0, rowLen);
                        if (max) {
                            for (int i = 0; i < rowLen; i++) {
                                row[i] = Math.max(row[i], next[i]);
                            }
                        } else {
                            for (int i = 0; i < rowLen; i++) {
                                row[i] += next[i];
                            }
                        }
                    }
                    for (int ox = 0; ox < ow; ox++) {
                        int x0 = Math.max(0, ox * sw - pw);
                        int x1 = Math.min(w, ox * sw - pw + kw);
                        int q = (oy * ow + ox) * c;
                        System.arraycopy(row, x0 * c, out, q, c);
                        for (int ix = x0 + 1; ix < x1; ix++) {
                            int r = ix * c;
                            if (max) {
                                for (int ch = 0; ch < c; ch++) {
                                    out[q + ch] = Math.max(out[q + ch], row[r + ch]);
                                }
                            } else {
                                for (int ch = 0; ch < c; ch++) {
                                    out[q + ch] += row[r + ch];
                                }
                            }
                        }
                        if (!max) {
                            float inv = 1f / ((y1 - y0) * (x1 - x0));
                            for (int ch = 0; ch < c; ch++) {
                                out[q + ch] *= inv;
                            }
                        }
                    }
                }
                o.put(oo + n * outPer, out, 0, outPer);
            }
        });
    }
}
