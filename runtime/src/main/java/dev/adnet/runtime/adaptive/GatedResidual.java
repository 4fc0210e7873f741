package dev.adnet.runtime.adaptive;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The training-time gated residual of ConvNet-AIG, {@code out = relu?(shortcut + z[n] * f)} for batch-first
 * {@code shortcut}, {@code f}, {@code out} of one shape {@code [B, ...]} and a gate {@code z} of {@code B}
 * elements, fused into one pass forward and one pass backward (see {@link GatedResidualReference} for the
 * unfused ND4J composition it is tested and benchmarked against).
 *
 * <p>Plain Java loops over the direct buffers, one kernel per type: the work is memory-bound, and one pass
 * reading each operand once replaces the reference's three (forward) or five (backward) ND4J passes and their
 * dispatch. Outputs must be dense c-order arrays of the type of {@code out} (forward) or of {@code gradOut}
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
        if (t == DataType.FLOAT) {
            forwardF(Buffers.fb(s), Buffers.off(s), Buffers.fb(fx), Buffers.off(fx), zv, Buffers.fb(out),
                    Buffers.off(out), b, inner, relu);
        } else {
            forwardD(Buffers.db(s), Buffers.off(s), Buffers.db(fx), Buffers.off(fx), zv, Buffers.db(out),
                    Buffers.off(out), b, inner, relu);
        }
        Reference.reachabilityFence(s);
        Reference.reachabilityFence(fx);
        Reference.reachabilityFence(out);
    }

    /**
     * The VJP. With {@code g = gradOut * (out > 0)} when {@code out} (the forward output) is given, else
     * {@code g = gradOut}: {@code gradShortcut = g}, {@code gradF = z[n] * g}, {@code gradZ[n] = sum(g * f)} over
     * the sample, in one pass. Null gradient outputs are skipped; {@code f} may be null when {@code gradZ} is.
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
            if (t == DataType.FLOAT) {
                backwardF(fx == null ? null : Buffers.fb(fx), fx == null ? 0 : Buffers.off(fx), zv,
                        y == null ? null : Buffers.fb(y), y == null ? 0 : Buffers.off(y), Buffers.fb(go),
                        Buffers.off(go), gradShortcut == null ? null : Buffers.fb(gradShortcut),
                        gradShortcut == null ? 0 : Buffers.off(gradShortcut),
                        gradF == null ? null : Buffers.fb(gradF), gradF == null ? 0 : Buffers.off(gradF), gz, b,
                        inner);
            } else {
                backwardD(fx == null ? null : Buffers.db(fx), fx == null ? 0 : Buffers.off(fx), zv,
                        y == null ? null : Buffers.db(y), y == null ? 0 : Buffers.off(y), Buffers.db(go),
                        Buffers.off(go), gradShortcut == null ? null : Buffers.db(gradShortcut),
                        gradShortcut == null ? 0 : Buffers.off(gradShortcut),
                        gradF == null ? null : Buffers.db(gradF), gradF == null ? 0 : Buffers.off(gradF), gz, b,
                        inner);
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

    private static void forwardF(FloatBuffer s, int so, FloatBuffer f, int fo, double[] z, FloatBuffer o, int oo,
            int b, int inner, boolean relu) {
        for (int n = 0; n < b; n++) {
            float zn = (float) z[n];
            int base = n * inner;
            int sb = so + base;
            int fb = fo + base;
            int ob = oo + base;
            if (zn == 0f) {
                if (relu) {
                    for (int i = 0; i < inner; i++) {
                        o.put(ob + i, Buffers.reluF(s.get(sb + i)));
                    }
                } else {
                    o.put(ob, s, sb, inner);
                }
            } else if (relu) {
                for (int i = 0; i < inner; i++) {
                    o.put(ob + i, Buffers.reluF(s.get(sb + i) + zn * f.get(fb + i)));
                }
            } else {
                for (int i = 0; i < inner; i++) {
                    o.put(ob + i, s.get(sb + i) + zn * f.get(fb + i));
                }
            }
        }
    }

    private static void forwardD(DoubleBuffer s, int so, DoubleBuffer f, int fo, double[] z, DoubleBuffer o,
            int oo, int b, int inner, boolean relu) {
        for (int n = 0; n < b; n++) {
            double zn = z[n];
            int base = n * inner;
            int sb = so + base;
            int fb = fo + base;
            int ob = oo + base;
            if (zn == 0) {
                if (relu) {
                    for (int i = 0; i < inner; i++) {
                        o.put(ob + i, Buffers.reluD(s.get(sb + i)));
                    }
                } else {
                    o.put(ob, s, sb, inner);
                }
            } else if (relu) {
                for (int i = 0; i < inner; i++) {
                    o.put(ob + i, Buffers.reluD(s.get(sb + i) + zn * f.get(fb + i)));
                }
            } else {
                for (int i = 0; i < inner; i++) {
                    o.put(ob + i, s.get(sb + i) + zn * f.get(fb + i));
                }
            }
        }
    }

    /**
     * One pass per sample. The gradZ reduction accumulates in double in four independent chains (a single chain
     * is bound by the add latency).
     */
    private static void backwardF(FloatBuffer f, int fo, double[] z, FloatBuffer y, int yo, FloatBuffer go,
            int goo, FloatBuffer gs, int gso, FloatBuffer gf, int gfo, double[] gz, int b, int inner) {
        boolean mask = y != null;
        boolean wantS = gs != null;
        boolean wantF = gf != null;
        boolean wantZ = gz != null;
        for (int n = 0; n < b; n++) {
            float zn = (float) z[n];
            int base = n * inner;
            double a0 = 0;
            double a1 = 0;
            double a2 = 0;
            double a3 = 0;
            int i = 0;
            if (wantZ) {
                for (; i + 3 < inner; i += 4) {
                    int k = base + i;
                    float g0 = gradF(go, goo + k, y, yo + k, mask);
                    float g1 = gradF(go, goo + k + 1, y, yo + k + 1, mask);
                    float g2 = gradF(go, goo + k + 2, y, yo + k + 2, mask);
                    float g3 = gradF(go, goo + k + 3, y, yo + k + 3, mask);
                    if (wantS) {
                        gs.put(gso + k, g0);
                        gs.put(gso + k + 1, g1);
                        gs.put(gso + k + 2, g2);
                        gs.put(gso + k + 3, g3);
                    }
                    if (wantF) {
                        gf.put(gfo + k, zn * g0);
                        gf.put(gfo + k + 1, zn * g1);
                        gf.put(gfo + k + 2, zn * g2);
                        gf.put(gfo + k + 3, zn * g3);
                    }
                    a0 += g0 * f.get(fo + k);
                    a1 += g1 * f.get(fo + k + 1);
                    a2 += g2 * f.get(fo + k + 2);
                    a3 += g3 * f.get(fo + k + 3);
                }
            }
            for (; i < inner; i++) {
                int k = base + i;
                float g = gradF(go, goo + k, y, yo + k, mask);
                if (wantS) {
                    gs.put(gso + k, g);
                }
                if (wantF) {
                    gf.put(gfo + k, zn * g);
                }
                if (wantZ) {
                    a0 += g * f.get(fo + k);
                }
            }
            if (wantZ) {
                gz[n] = (a0 + a1) + (a2 + a3);
            }
        }
    }

    private static float gradF(FloatBuffer go, int gi, FloatBuffer y, int yi, boolean mask) {
        float g = go.get(gi);
        return mask ? Buffers.ifPositiveF(y.get(yi), g) : g;
    }

    private static void backwardD(DoubleBuffer f, int fo, double[] z, DoubleBuffer y, int yo, DoubleBuffer go,
            int goo, DoubleBuffer gs, int gso, DoubleBuffer gf, int gfo, double[] gz, int b, int inner) {
        boolean mask = y != null;
        boolean wantS = gs != null;
        boolean wantF = gf != null;
        boolean wantZ = gz != null;
        for (int n = 0; n < b; n++) {
            double zn = z[n];
            int base = n * inner;
            double a0 = 0;
            double a1 = 0;
            int i = 0;
            if (wantZ) {
                for (; i + 1 < inner; i += 2) {
                    int k = base + i;
                    double g0 = gradD(go, goo + k, y, yo + k, mask);
                    double g1 = gradD(go, goo + k + 1, y, yo + k + 1, mask);
                    if (wantS) {
                        gs.put(gso + k, g0);
                        gs.put(gso + k + 1, g1);
                    }
                    if (wantF) {
                        gf.put(gfo + k, zn * g0);
                        gf.put(gfo + k + 1, zn * g1);
                    }
                    a0 += g0 * f.get(fo + k);
                    a1 += g1 * f.get(fo + k + 1);
                }
            }
            for (; i < inner; i++) {
                int k = base + i;
                double g = gradD(go, goo + k, y, yo + k, mask);
                if (wantS) {
                    gs.put(gso + k, g);
                }
                if (wantF) {
                    gf.put(gfo + k, zn * g);
                }
                if (wantZ) {
                    a0 += g * f.get(fo + k);
                }
            }
            if (wantZ) {
                gz[n] = a0 + a1;
            }
        }
    }

    private static double gradD(DoubleBuffer go, int gi, DoubleBuffer y, int yi, boolean mask) {
        double g = go.get(gi);
        return mask ? Buffers.ifPositiveD(y.get(yi), g) : g;
    }
}
