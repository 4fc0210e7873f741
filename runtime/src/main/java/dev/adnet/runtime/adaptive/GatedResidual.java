package dev.adnet.runtime.adaptive;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training-time gated residual of ConvNet-AIG, {@code out = relu?(shortcut + z[n] * f)} for batch-first
 * {@code shortcut}, {@code f}, {@code out} of one shape {@code [B, ...]} and a gate {@code z} of {@code B}
 * elements, fused into one pass forward and one pass backward (see {@link GatedResidualReference} for the
 * unfused ND4J composition it is tested and benchmarked against).
 *
 * <p>Plain Java loops, one kernel per type: the work is memory-bound, and one pass reading each operand once
 * replaces the reference's three (forward) or five (backward) libnd4j passes and their dispatch. The direct buffers
 * are moved in chunks of {@value #CHUNK} elements through small heap arrays (bulk copies), on which C2 vectorises
 * the arithmetic; element-wise {@code get}/{@code put} on the buffers does not vectorise and measured 2.2x slower
 * (forward on [256,32,14,14] float: 2.2 ms against 1.0 ms). Outputs must be dense c-order arrays of the type of {@code out} (forward) or of {@code gradOut}
 * (backward); inputs may be views or of the other floating type (they are then copied).
 *
 * <p>A sample with {@code z[n] == 0} exactly does not read {@code f} in the forward ({@code out = relu?(shortcut)}),
 * which differs from the reference only when that sample's {@code f} is not finite.
 */
public final class GatedResidual {
    private GatedResidual() {}

    /** {@code out = relu?(shortcut + z[n] * f)}, overwriting {@code out}. */
    public static void trainForward(INDArray shortcut, INDArray f, INDArray z, boolean relu, INDArray out) {
        Buffers.sameShape("f", shortcut, f);
        Buffers.sameShape("out", shortcut, out);
        int b = Buffers.batch(shortcut);
        Buffers.length("z", z, b);
        DataType t = Buffers.floating("out", out);
        Buffers.requireOut("out", out, t);
        int inner = Buffers.inner(shortcut);
        if (b == 0 || inner == 0) {
            return;
        }
        INDArray s = Buffers.in(shortcut, t);
        INDArray fx = Buffers.in(f, t);
        double[] zv = Buffers.read(z);
        int so = Buffers.off(s);
        int fo = Buffers.off(fx);
        int oo = Buffers.off(out);
        if (t == DataType.FLOAT) {
            FloatBuffer sb = Buffers.fb(s), fb = Buffers.fb(fx), ob = Buffers.fb(out);
            Parallel.forSamples(b, inner, (n0, n1) -> forwardF(sb, so, fb, fo, zv, ob, oo, n0, n1, inner, relu));
        } else {
            DoubleBuffer sb = Buffers.db(s), fb = Buffers.db(fx), ob = Buffers.db(out);
            Parallel.forSamples(b, inner, (n0, n1) -> forwardD(sb, so, fb, fo, zv, ob, oo, n0, n1, inner, relu));
        }
        Reference.reachabilityFence(s);
        Reference.reachabilityFence(fx);
        Reference.reachabilityFence(out);
    }

    /**
     * The VJP. With {@code g = gradOut * (out > 0)} when {@code out} (the forward output) is given, else
     * {@code g = gradOut}: {@code gradShortcut = g}, {@code gradF = z[n] * g}, {@code gradZ[n] = sum(g * f)} over
     * the sample, in one pass. The mask is an arithmetic clamp that multiplies, so where relu_bp gives 0 a masked
     * non-finite gradOut gives NaN and a masked negative one -0. Null gradient outputs are skipped; {@code f} may be null when {@code gradZ} is.
     * Pass {@code out} exactly when the forward had {@code relu = true}.
     */
    public static void backward(INDArray f, INDArray z, INDArray out, INDArray gradOut, INDArray gradShortcut,
            INDArray gradF, INDArray gradZ) {
        if (gradShortcut == null && gradF == null && gradZ == null) {
            return;
        }
        if (gradZ != null && f == null) {
            throw new IllegalArgumentException("f is required for gradZ");
        }
        Buffers.sameShape("f", gradOut, f);
        Buffers.sameShape("out", gradOut, out);
        Buffers.sameShape("gradShortcut", gradOut, gradShortcut);
        Buffers.sameShape("gradF", gradOut, gradF);
        int b = Buffers.batch(gradOut);
        Buffers.length("z", z, b);
        Buffers.length("gradZ", gradZ, b);
        DataType t = Buffers.floating("gradOut", gradOut);
        Buffers.requireOut("gradShortcut", gradShortcut, t);
        Buffers.requireOut("gradF", gradF, t);
        int inner = Buffers.inner(gradOut);
        double[] zv = Buffers.read(z);
        double[] gz = gradZ == null ? null : new double[b];
        if (b > 0 && inner > 0) {
            INDArray go = Buffers.in(gradOut, t);
            INDArray fx = f == null || gradZ == null ? null : Buffers.in(f, t);
            INDArray y = out == null ? null : Buffers.in(out, t);
            int fo = fx == null ? 0 : Buffers.off(fx);
            int yo = y == null ? 0 : Buffers.off(y);
            int goo = Buffers.off(go);
            int gso = gradShortcut == null ? 0 : Buffers.off(gradShortcut);
            int gfo = gradF == null ? 0 : Buffers.off(gradF);
            if (t == DataType.FLOAT) {
                FloatBuffer fb = fx == null ? null : Buffers.fb(fx);
                FloatBuffer yb = y == null ? null : Buffers.fb(y);
                FloatBuffer gob = Buffers.fb(go);
                FloatBuffer gsb = gradShortcut == null ? null : Buffers.fb(gradShortcut);
                FloatBuffer gfb = gradF == null ? null : Buffers.fb(gradF);
                Parallel.forSamples(b, inner, (n0, n1) -> backwardF(fb, fo, zv, yb, yo, gob, goo, gsb, gso, gfb, gfo,
                        gz, n0, n1, inner));
            } else {
                DoubleBuffer fb = fx == null ? null : Buffers.db(fx);
                DoubleBuffer yb = y == null ? null : Buffers.db(y);
                DoubleBuffer gob = Buffers.db(go);
                DoubleBuffer gsb = gradShortcut == null ? null : Buffers.db(gradShortcut);
                DoubleBuffer gfb = gradF == null ? null : Buffers.db(gradF);
                Parallel.forSamples(b, inner, (n0, n1) -> backwardD(fb, fo, zv, yb, yo, gob, goo, gsb, gso, gfb, gfo,
                        gz, n0, n1, inner));
            }
            Reference.reachabilityFence(go);
            Reference.reachabilityFence(fx);
            Reference.reachabilityFence(y);
            Reference.reachabilityFence(gradShortcut);
            Reference.reachabilityFence(gradF);
        }
        if (gradZ != null) {
            Buffers.write(gz, gradZ);
        }
    }

    /** Elements per chunk: three chunks of floats or doubles stay in L1. */
    static final int CHUNK = 1024;

    private static void forwardF(FloatBuffer s, int so, FloatBuffer f, int fo, double[] z, FloatBuffer o, int oo,
            int n0, int n1, int inner, boolean relu) {
        float[] sa = new float[Math.min(CHUNK, inner)];
        float[] fa = new float[sa.length];
        for (int n = n0; n < n1; n++) {
            float zn = (float) z[n];
            int base = n * inner;
            for (int c = 0; c < inner; c += CHUNK) {
                int len = Math.min(CHUNK, inner - c);
                int k = base + c;
                if (zn == 0f && !relu) {
                    o.put(oo + k, s, so + k, len);
                    continue;
                }
                s.get(so + k, sa, 0, len);
                if (zn == 0f) {
                    reluF(sa, len);
                } else {
                    f.get(fo + k, fa, 0, len);
                    if (relu) {
                        for (int i = 0; i < len; i++) {
                            sa[i] = Math.max(sa[i] + zn * fa[i], 0f);
                        }
                    } else {
                        for (int i = 0; i < len; i++) {
                            sa[i] = sa[i] + zn * fa[i];
                        }
                    }
                }
                o.put(oo + k, sa, 0, len);
            }
        }
    }

    private static void forwardD(DoubleBuffer s, int so, DoubleBuffer f, int fo, double[] z, DoubleBuffer o,
            int oo, int n0, int n1, int inner, boolean relu) {
        double[] sa = new double[Math.min(CHUNK, inner)];
        double[] fa = new double[sa.length];
        for (int n = n0; n < n1; n++) {
            double zn = z[n];
            int base = n * inner;
            for (int c = 0; c < inner; c += CHUNK) {
                int len = Math.min(CHUNK, inner - c);
                int k = base + c;
                if (zn == 0 && !relu) {
                    o.put(oo + k, s, so + k, len);
                    continue;
                }
                s.get(so + k, sa, 0, len);
                if (zn == 0) {
                    reluD(sa, len);
                } else {
                    f.get(fo + k, fa, 0, len);
                    if (relu) {
                        for (int i = 0; i < len; i++) {
                            sa[i] = Math.max(sa[i] + zn * fa[i], 0.0);
                        }
                    } else {
                        for (int i = 0; i < len; i++) {
                            sa[i] = sa[i] + zn * fa[i];
                        }
                    }
                }
                o.put(oo + k, sa, 0, len);
            }
        }
    }

    /** In place {@code max(a, 0)}; C2 vectorises {@code Math.max} on arrays (not the sign-bit form). */
    static void reluF(float[] a, int len) {
        for (int i = 0; i < len; i++) {
            a[i] = Math.max(a[i], 0f);
        }
    }

    static void reluD(double[] a, int len) {
        for (int i = 0; i < len; i++) {
            a[i] = Math.max(a[i], 0.0);
        }
    }

    /**
     * One pass per sample, chunk by chunk. The ReLU mask of an output y is
     * {@code max(0, min(y * 2^126 * 2^126, 1))}: exactly 1 for every y > 0 (subnormals included) and 0 for y <= 0,
     * in a form C2 vectorises (a compare-and-select is not). The gradZ reduction is vectorised too: each chunk's
     * products are added lane-wise into a chunk-sized array of partial sums (no loop-carried scalar chain, which C2
     * does not vectorise), whose lanes are summed in double once per sample.
     */
    private static void backwardF(FloatBuffer f, int fo, double[] z, FloatBuffer y, int yo, FloatBuffer go,
            int goo, FloatBuffer gs, int gso, FloatBuffer gf, int gfo, double[] gz, int n0, int n1, int inner) {
        int cap = Math.min(CHUNK, inner);
        float[] ga = new float[cap];
        float[] ya = y == null ? null : new float[cap];
        float[] ta = gf == null ? null : new float[cap];
        float[] fa = gz == null ? null : new float[cap];
        float[] pa = gz == null ? null : new float[cap];
        for (int n = n0; n < n1; n++) {
            float zn = (float) z[n];
            int base = n * inner;
            for (int c = 0; c < inner; c += CHUNK) {
                int len = Math.min(CHUNK, inner - c);
                int k = base + c;
                go.get(goo + k, ga, 0, len);
                if (ya != null) {
                    y.get(yo + k, ya, 0, len);
                    for (int i = 0; i < len; i++) {
                        ga[i] = ga[i] * Math.max(0f, Math.min(ya[i] * 0x1p126f * 0x1p126f, 1f));
                    }
                }
                if (gs != null) {
                    gs.put(gso + k, ga, 0, len);
                }
                if (ta != null) {
                    for (int i = 0; i < len; i++) {
                        ta[i] = zn * ga[i];
                    }
                    gf.put(gfo + k, ta, 0, len);
                }
                if (fa != null) {
                    f.get(fo + k, fa, 0, len);
                    for (int i = 0; i < len; i++) {
                        pa[i] += ga[i] * fa[i];
                    }
                }
            }
            if (gz != null) {
                gz[n] = sum(pa);
                Arrays.fill(pa, 0f);
            }
        }
    }

    /** The lanes of the per-sample partial sums, in double, in four chains. */
    private static double sum(float[] a) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            a0 += a[i];
            a1 += a[i + 1];
            a2 += a[i + 2];
            a3 += a[i + 3];
        }
        for (; i < a.length; i++) {
            a0 += a[i];
        }
        return (a0 + a1) + (a2 + a3);
    }

    private static void backwardD(DoubleBuffer f, int fo, double[] z, DoubleBuffer y, int yo, DoubleBuffer go,
            int goo, DoubleBuffer gs, int gso, DoubleBuffer gf, int gfo, double[] gz, int n0, int n1, int inner) {
        int cap = Math.min(CHUNK, inner);
        double[] ga = new double[cap];
        double[] ya = y == null ? null : new double[cap];
        double[] ta = gf == null ? null : new double[cap];
        double[] fa = gz == null ? null : new double[cap];
        double[] pa = gz == null ? null : new double[cap];
        for (int n = n0; n < n1; n++) {
            double zn = z[n];
            int base = n * inner;
            for (int c = 0; c < inner; c += CHUNK) {
                int len = Math.min(CHUNK, inner - c);
                int k = base + c;
                go.get(goo + k, ga, 0, len);
                if (ya != null) {
                    y.get(yo + k, ya, 0, len);
                    for (int i = 0; i < len; i++) {
                        ga[i] = ga[i] * Math.max(0.0, Math.min(ya[i] * 0x1p1022 * 0x1p1022, 1.0));
                    }
                }
                if (gs != null) {
                    gs.put(gso + k, ga, 0, len);
                }
                if (ta != null) {
                    for (int i = 0; i < len; i++) {
                        ta[i] = zn * ga[i];
                    }
                    gf.put(gfo + k, ta, 0, len);
                }
                if (fa != null) {
                    f.get(fo + k, fa, 0, len);
                    for (int i = 0; i < len; i++) {
                        pa[i] += ga[i] * fa[i];
                    }
                }
            }
            if (gz != null) {
                gz[n] = sum(pa);
                Arrays.fill(pa, 0.0);
            }
        }
    }

    private static double sum(double[] a) {
        double a0 = 0, a1 = 0, a2 = 0, a3 = 0;
        int i = 0;
        for (; i + 3 < a.length; i += 4) {
            a0 += a[i];
            a1 += a[i + 1];
            a2 += a[i + 2];
            a3 += a[i + 3];
        }
        for (; i < a.length; i++) {
            a0 += a[i];
        }
        return (a0 + a1) + (a2 + a3);
    }
}
