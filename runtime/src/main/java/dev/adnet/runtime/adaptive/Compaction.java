package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.ops.ChannelsLast;
import dev.adnet.runtime.ops.PixelMeans;
import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference with real skipping: a gated block runs only on the samples whose gate is open. The generated code
 * calls {@link #openRows}, {@link #gather}s those rows of the block's input into a {@code [k, ...]} buffer, runs
 * the block on the sub-batch, and {@link #scatterResidual} writes {@code relu?(shortcut + F)} for the open rows
 * and {@code relu?(shortcut)} for the others in one pass over the output.
 *
 * <p>Rows are contiguous in c order, so both kernels are bulk copies and one elementwise loop over the direct
 * buffers (moved in chunks through small heap arrays, as in {@link GatedResidual}), with no index array and no
 * native dispatch (libnd4j's {@code gather} / {@code scatter_add} are in
 * {@link GatedResidualReference}; see the benchmark for the comparison).
 */
public final class Compaction {
    private Compaction() {}

    /** Indices n with {@code z[n] > 0.5}, ascending. */
    public static int[] openRows(INDArray z) {
        double[] v = Buffers.read(z);
        int k = 0;
        for (double x : v) {
            if (x > 0.5) {
                k++;
            }
        }
        int[] rows = new int[k];
        int j = 0;
        for (int n = 0; n < v.length; n++) {
            if (v[n] > 0.5) {
                rows[j++] = n;
            }
        }
        return rows;
    }

    /**
     * {@code out[j] = x[rows[j]]}; out is {@code [rows.length, ...]} with x's row shape and type. Runs of
     * consecutive rows are copied as one block. Nothing happens for no rows (out may then be null or empty).
     */
    public static void gather(INDArray x, int[] rows, INDArray out) {
        if (rows.length == 0) {
            return;
        }
        int b = Buffers.batch(x);
        checkRowShape("out", x, out, rows.length);
        DataType t = Buffers.floating("out", out);
        Buffers.requireOut("out", out, t);
        int inner = Buffers.inner(x);
        for (int r : rows) {
            if (r < 0 || r >= b) {
                throw new IllegalArgumentException("row " + r + " out of range [0, " + b + ")");
            }
        }
        if (inner == 0) {
            return;
        }
        INDArray xs = Buffers.in(x, t);
        int xo = Buffers.off(xs);
        int oo = Buffers.off(out);
        FloatBuffer xf = t == DataType.FLOAT ? Buffers.fb(xs) : null;
        FloatBuffer of = t == DataType.FLOAT ? Buffers.fb(out) : null;
        DoubleBuffer xd = t == DataType.DOUBLE ? Buffers.db(xs) : null;
        DoubleBuffer od = t == DataType.DOUBLE ? Buffers.db(out) : null;
        // parts of the output rows in parallel: a copy is memory-bound and one core does not fill the bus
        Parallel.forSamples(rows.length, inner, (j0, j1) -> {
            int j = j0;
            while (j < j1) {
                int run = 1;
                while (j + run < j1 && rows[j + run] == rows[j] + run) {
                    run++;
                }
                int src = xo + rows[j] * inner;
                int dst = oo + j * inner;
                if (xf != null) {
                    of.put(dst, xf, src, run * inner);
                } else {
                    od.put(dst, xd, src, run * inner);
                }
                j += run;
            }
        });
        Reference.reachabilityFence(xs);
        Reference.reachabilityFence(out);
    }

    /**
     * {@code out[rows[j]] = relu?(shortcut[rows[j]] + fSub[j])} and {@code out[n] = relu?(shortcut[n])} for the
     * rows not listed, in one pass over out. {@code rows} must be distinct and in range (any order);
     * {@code fSub} is {@code [rows.length, ...]}, and may be null when rows is empty. Fast paths: all rows open in
     * order (a plain add) and none open (a copy or a ReLU).
     */
    public static void scatterResidual(INDArray shortcut, INDArray fSub, int[] rows, boolean relu, INDArray out) {
        Buffers.sameShape("out", shortcut, out);
        int b = Buffers.batch(shortcut);
        DataType t = Buffers.floating("out", out);
        Buffers.requireOut("out", out, t);
        int k = rows.length;
        if (k > 0) {
            checkRowShape("fSub", shortcut, fSub, k);
        }
        int inner = Buffers.inner(shortcut);
        int[] slot = new int[b];
        Arrays.fill(slot, -1);
        for (int j = 0; j < k; j++) {
            int r = rows[j];
            if (r < 0 || r >= b) {
                throw new IllegalArgumentException("row " + r + " out of range [0, " + b + ")");
            }
            if (slot[r] >= 0) {
                throw new IllegalArgumentException("row " + r + " listed twice");
            }
            slot[r] = j;
        }
        if (b == 0 || inner == 0) {
            return;
        }
        INDArray s = Buffers.in(shortcut, t);
        INDArray fs = k == 0 ? null : Buffers.in(fSub, t);
        int so = Buffers.off(s);
        int fo = fs == null ? 0 : Buffers.off(fs);
        int oo = Buffers.off(out);
        boolean identity = k == b;
        for (int j = 0; identity && j < k; j++) {
            identity = rows[j] == j;
        }
        boolean all = identity;
        if (t == DataType.FLOAT) {
            FloatBuffer sb = Buffers.fb(s);
            FloatBuffer fb = fs == null ? null : Buffers.fb(fs);
            FloatBuffer ob = Buffers.fb(out);
            Parallel.forSamples(b, inner, (n0, n1) -> {
                float[] sa = new float[GatedResidual.CHUNK];
                float[] fa = new float[GatedResidual.CHUNK];
                if (all) {
                    addF(sb, so + n0 * inner, fb, fo + n0 * inner, ob, oo + n0 * inner, (n1 - n0) * inner, relu, sa,
                            fa);
                } else if (k == 0) {
                    shortcutF(sb, so + n0 * inner, ob, oo + n0 * inner, (n1 - n0) * inner, relu, sa);
                } else {
                    for (int n = n0; n < n1; n++) {
                        int j = slot[n];
                        if (j >= 0) {
                            addF(sb, so + n * inner, fb, fo + j * inner, ob, oo + n * inner, inner, relu, sa, fa);
                        } else {
                            shortcutF(sb, so + n * inner, ob, oo + n * inner, inner, relu, sa);
                        }
                    }
                }
            });
        } else {
            DoubleBuffer sb = Buffers.db(s);
            DoubleBuffer fb = fs == null ? null : Buffers.db(fs);
            DoubleBuffer ob = Buffers.db(out);
            Parallel.forSamples(b, inner, (n0, n1) -> {
                double[] sa = new double[GatedResidual.CHUNK];
                double[] fa = new double[GatedResidual.CHUNK];
                if (all) {
                    addD(sb, so + n0 * inner, fb, fo + n0 * inner, ob, oo + n0 * inner, (n1 - n0) * inner, relu, sa,
                            fa);
                } else if (k == 0) {
                    shortcutD(sb, so + n0 * inner, ob, oo + n0 * inner, (n1 - n0) * inner, relu, sa);
                } else {
                    for (int n = n0; n < n1; n++) {
                        int j = slot[n];
                        if (j >= 0) {
                            addD(sb, so + n * inner, fb, fo + j * inner, ob, oo + n * inner, inner, relu, sa, fa);
                        } else {
                            shortcutD(sb, so + n * inner, ob, oo + n * inner, inner, relu, sa);
                        }
                    }
                }
            });
        }
        Reference.reachabilityFence(s);
        Reference.reachabilityFence(fs);
        Reference.reachabilityFence(out);
    }

    /**
     * The in-place form for the common ResNet case, where the block's output may overwrite its identity shortcut:
     * {@code target[rows[j]] = relu?(target[rows[j]] + fSub[j])}, the other rows left untouched, so the cost is
     * proportional to the open rows only. It equals {@link #scatterResidual}{@code (target, fSub, rows, relu,
     * target)} when relu is false, or when the closed rows of target are already non-negative (the shortcut is the
     * output of a previous ReLU, which the compiler knows); otherwise the closed rows would miss their ReLU. The
     * generated inference code uses it, with the block's following ReLU fused, when the shortcut is read by nothing
     * after the block: a closed row then costs nothing at all.
     */
    public static void addRowsInPlace(INDArray target, INDArray fSub, int[] rows, boolean relu) {
        int b = Buffers.batch(target);
        DataType t = Buffers.floating("target", target);
        Buffers.requireOut("target", target, t);
        int k = rows.length;
        if (k == 0) {
            return;
        }
        checkRowShape("fSub", target, fSub, k);
        checkRows(rows, b);
        int inner = Buffers.inner(target);
        if (inner == 0) {
            return;
        }
        INDArray fs = Buffers.in(fSub, t);
        int fo = Buffers.off(fs);
        int oo = Buffers.off(target);
        if (t == DataType.FLOAT) {
            FloatBuffer fb = Buffers.fb(fs);
            FloatBuffer ob = Buffers.fb(target);
            Parallel.forSamples(k, inner, (j0, j1) -> {
                float[] sa = new float[GatedResidual.CHUNK];
                float[] fa = new float[GatedResidual.CHUNK];
                for (int j = j0; j < j1; j++) {
                    int at = oo + rows[j] * inner;
                    addF(ob, at, fb, fo + j * inner, ob, at, inner, relu, sa, fa);
                }
            });
        } else {
            DoubleBuffer fb = Buffers.db(fs);
            DoubleBuffer ob = Buffers.db(target);
            Parallel.forSamples(k, inner, (j0, j1) -> {
                double[] sa = new double[GatedResidual.CHUNK];
                double[] fa = new double[GatedResidual.CHUNK];
                for (int j = j0; j < j1; j++) {
                    int at = oo + rows[j] * inner;
                    addD(ob, at, fb, fo + j * inner, ob, at, inner, relu, sa, fa);
                }
            });
        }
        Reference.reachabilityFence(fs);
        Reference.reachabilityFence(target);
    }

    /**
     * {@link #addRowsInPlace(INDArray, INDArray, int[], boolean)} on channels-last images ({@code target} is
     * {@code [B, H, W, C]}), which also writes the per-channel means of every row of the result into {@code means}
     * ({@code [B, C]}), as {@code ChannelsLast.globalAvgPool} would afterwards, to the bit: an open row's means are
     * summed while its sum is written, a closed row's are copied from {@code previousMeans} (the means of target
     * before the add, which a gate head has pooled already) or, when that is null, read from the row. The gate head
     * after a gated block then needs no pass over the block's output of its own. DOUBLE (the gradient checks' type)
     * runs the two separate kernels.
     */
    public static void addRowsInPlace(INDArray target, INDArray fSub, int[] rows, boolean relu, INDArray previousMeans,
            INDArray means) {
        if (target.rank() != 4) {
            throw new IllegalArgumentException("target: expected channels-last images [B, H, W, C], got "
                    + Arrays.toString(target.shape()));
        }
        int b = Buffers.batch(target);
        int h = Math.toIntExact(target.size(1));
        int w = Math.toIntExact(target.size(2));
        int c = Math.toIntExact(target.size(3));
        DataType t = Buffers.floating("target", target);
        Buffers.requireOut("target", target, t);
        Buffers.requireOut("means", means, t);
        checkMeans(b, c, previousMeans, means);
        int k = rows.length;
        boolean[] open = checkRows(rows, b);
        if (k > 0) {
            checkRowShape("fSub", target, fSub, k);
        }
        if (t != DataType.FLOAT) {
            addRowsInPlace(target, fSub, rows, relu);
            ChannelsLast.globalAvgPool(target, means);
            return;
        }
        if (b == 0 || c == 0) {
            return;
        }
        int inner = Buffers.inner(target);
        INDArray fs = k == 0 ? null : Buffers.in(fSub, t);
        INDArray prev = previousMeans == null ? null : Buffers.in(previousMeans, t);
        int fo = fs == null ? 0 : Buffers.off(fs);
        int oo = Buffers.off(target);
        int mo = Buffers.off(means);
        int po = prev == null ? 0 : Buffers.off(prev);
        // each task owns whole output rows: the open rows given to it, then its share of the closed ones
        int[] closed = new int[b - k];
        for (int n = 0, j = 0; n < b; n++) {
            if (!open[n]) {
                closed[j++] = n;
            }
        }
        Parallel.forSamples(b, inner, (n0, n1) -> {
            PixelMeans acc = new PixelMeans(h, w, c);
            int len = acc.rowLength();
            int j0 = (int) ((long) k * n0 / b);
            int j1 = (int) ((long) k * n1 / b);
            int c0 = (int) ((long) closed.length * n0 / b);
            int c1 = (int) ((long) closed.length * n1 / b);
            FloatBuffer ob = Buffers.fb(target);
            FloatBuffer fb = fs == null ? null : Buffers.fb(fs);
            FloatBuffer mb = Buffers.fb(means);
            FloatBuffer pb = prev == null ? null : Buffers.fb(prev);
            float[] ya = new float[len];
            float[] fa = new float[len];
            for (int j = j0; j < j1; j++) {
                acc.start();
                for (int r = 0; r < h; r++) {
                    int at = oo + rows[j] * inner + r * len;
                    ob.get(at, ya, 0, len);
                    fb.get(fo + j * inner + r * len, fa, 0, len);
                    sum(ya, fa, len, relu);
                    ob.put(at, ya, 0, len);
                    acc.addRow(ya);
                }
                acc.finish(mb, mo + rows[j] * c);
            }
            for (int q = c0; q < c1; q++) {
                int n = closed[q];
                if (pb != null) {
                    mb.put(mo + n * c, pb, po + n * c, c);
                    continue;
                }
                acc.start();
                for (int r = 0; r < h; r++) {
                    ob.get(oo + n * inner + r * len, ya, 0, len);
                    acc.addRow(ya);
                }
                acc.finish(mb, mo + n * c);
            }
        });
        Reference.reachabilityFence(fs);
        Reference.reachabilityFence(prev);
        Reference.reachabilityFence(target);
        Reference.reachabilityFence(means);
    }

    /**
     * The per-channel means of every row of channels-last images {@code target} ({@code [B, H, W, C]}) into
     * {@code means} ({@code [B, C]}), when only rows {@code [start, start + k)} changed since
     * {@code previousMeans} was pooled: those rows are pooled ({@code ChannelsLast.globalAvgPool}, the same bits),
     * the others copied from {@code previousMeans} (or pooled too, when it is null). A gated block whose open rows
     * form one range of the batch adds its result into that range inside its last convolution; this gives the next
     * gate head its means with one read of the open rows, where {@link #addRowsInPlace(INDArray, INDArray, int[],
     * boolean, INDArray, INDArray)} reads two arrays and writes one.
     */
    public static void windowMeans(INDArray target, int start, int k, INDArray previousMeans, INDArray means) {
        if (target.rank() != 4) {
            throw new IllegalArgumentException("target: expected channels-last images [B, H, W, C], got "
                    + Arrays.toString(target.shape()));
        }
        int b = Buffers.batch(target);
        DataType t = Buffers.floating("target", target);
        Buffers.requireOut("means", means, t);
        int c = Math.toIntExact(target.size(3));
        checkMeans(b, c, previousMeans, means);
        if (start < 0 || k < 0 || start + k > b) {
            throw new IllegalArgumentException("rows [" + start + ", " + (start + k) + ") out of range [0, " + b + ")");
        }
        INDArray x = Buffers.in(target, t);
        INDArray prev = previousMeans == null ? null : Buffers.in(previousMeans, t);
        int[][] ranges = {{start, k}, {0, start}, {start + k, b - start - k}};
        for (int i = 0; i < ranges.length; i++) {
            int from = ranges[i][0];
            int n = ranges[i][1];
            if (n == 0) {
                continue;
            }
            if (i == 0 || prev == null) {
                ChannelsLast.globalAvgPool(BatchOrder.rows(x, from, n), BatchOrder.rows(means, from, n));
            } else if (t == DataType.FLOAT) {
                Buffers.fb(means).put(Buffers.off(means) + from * c, Buffers.fb(prev), Buffers.off(prev) + from * c, n * c);
            } else {
                Buffers.db(means).put(Buffers.off(means) + from * c, Buffers.db(prev), Buffers.off(prev) + from * c, n * c);
            }
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(prev);
        Reference.reachabilityFence(means);
    }

    /** Means arrays ({@code [B, C]}; the previous ones may be null) of the right shape, else an exception. */
    private static void checkMeans(int b, int c, INDArray previousMeans, INDArray means) {
        long[] meansShape = {b, c};
        if (!Arrays.equals(meansShape, means.shape())
                || previousMeans != null && !Arrays.equals(meansShape, previousMeans.shape())) {
            throw new IllegalArgumentException("means: expected shape " + Arrays.toString(meansShape) + ", got "
                    + Arrays.toString(means.shape())
                    + (previousMeans == null ? "" : " and " + Arrays.toString(previousMeans.shape())));
        }
    }

    /** Which rows are listed, after checking that they are in range and distinct. */
    private static boolean[] checkRows(int[] rows, int b) {
        boolean[] seen = new boolean[b];
        for (int r : rows) {
            if (r < 0 || r >= b) {
                throw new IllegalArgumentException("row " + r + " out of range [0, " + b + ")");
            }
            if (seen[r]) {
                throw new IllegalArgumentException("row " + r + " listed twice");
            }
            seen[r] = true;
        }
        return seen;
    }

    private static void addF(FloatBuffer s, int so, FloatBuffer f, int fo, FloatBuffer o, int oo, int len, boolean relu,
            float[] sa, float[] fa) {
        for (int c = 0; c < len; c += GatedResidual.CHUNK) {
            int m = Math.min(GatedResidual.CHUNK, len - c);
            s.get(so + c, sa, 0, m);
            f.get(fo + c, fa, 0, m);
            sum(sa, fa, m, relu);
            o.put(oo + c, sa, 0, m);
        }
    }

    /** {@code a[i] = relu?(a[i] + b[i])} for {@code i < m}; two loops so that each is a plain vectorised one. */
    private static void sum(float[] a, float[] b, int m, boolean relu) {
        if (relu) {
            for (int i = 0; i < m; i++) {
                a[i] = Math.max(a[i] + b[i], 0f);
            }
        } else {
            for (int i = 0; i < m; i++) {
                a[i] = a[i] + b[i];
            }
        }
    }

    private static void shortcutF(FloatBuffer s, int so, FloatBuffer o, int oo, int len, boolean relu, float[] sa) {
        if (!relu) {
            o.put(oo, s, so, len);
            return;
        }
        for (int c = 0; c < len; c += GatedResidual.CHUNK) {
            int m = Math.min(GatedResidual.CHUNK, len - c);
            s.get(so + c, sa, 0, m);
            for (int i = 0; i < m; i++) {
                sa[i] = Math.max(sa[i], 0f);
            }
            o.put(oo + c, sa, 0, m);
        }
    }

    private static void addD(DoubleBuffer s, int so, DoubleBuffer f, int fo, DoubleBuffer o, int oo, int len, boolean relu,
            double[] sa, double[] fa) {
        for (int c = 0; c < len; c += GatedResidual.CHUNK) {
            int m = Math.min(GatedResidual.CHUNK, len - c);
            s.get(so + c, sa, 0, m);
            f.get(fo + c, fa, 0, m);
            if (relu) {
                for (int i = 0; i < m; i++) {
                    sa[i] = Math.max(sa[i] + fa[i], 0.0);
                }
            } else {
                for (int i = 0; i < m; i++) {
                    sa[i] = sa[i] + fa[i];
                }
            }
            o.put(oo + c, sa, 0, m);
        }
    }

    private static void shortcutD(DoubleBuffer s, int so, DoubleBuffer o, int oo, int len, boolean relu, double[] sa) {
        if (!relu) {
            o.put(oo, s, so, len);
            return;
        }
        for (int c = 0; c < len; c += GatedResidual.CHUNK) {
            int m = Math.min(GatedResidual.CHUNK, len - c);
            s.get(so + c, sa, 0, m);
            for (int i = 0; i < m; i++) {
                sa[i] = Math.max(sa[i], 0.0);
            }
            o.put(oo + c, sa, 0, m);
        }
    }

    private static void checkRowShape(String what, INDArray x, INDArray a, int k) {
        long[] expected = x.shape().clone();
        expected[0] = k;
        if (a == null || !Arrays.equals(expected, a.shape())) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected) + ", got "
                    + (a == null ? "null" : Arrays.toString(a.shape())));
        }
    }
}
