package dev.adnet.runtime.adaptive;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Argument checks and direct-buffer plumbing shared by the adaptive kernels (the ops package's equivalents are
 * package-private there). Big arrays are read and written through their {@link FloatBuffer}/{@link DoubleBuffer}
 * views (c order, element-wise stride 1, plus {@code offset()}); the small per-sample vectors (gates, logits) are
 * copied to and from {@code double[]}.
 */
final class Buffers {
    private Buffers() {}

    static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && (a.length() <= 1 || a.elementWiseStride() == 1) && !a.isEmpty();
    }

    /** FLOAT or DOUBLE, else an exception naming the argument. */
    static DataType floating(String what, INDArray a) {
        DataType t = a.dataType();
        if (t != DataType.FLOAT && t != DataType.DOUBLE) {
            throw new IllegalArgumentException(what + ": only FLOAT and DOUBLE are supported, got " + t);
        }
        return t;
    }

    /** An input as a dense c-order array of type t: the array itself when it already is one, else a copy. */
    static INDArray in(INDArray a, DataType t) {
        if (a.dataType() == t && isDense(a)) {
            return a;
        }
        INDArray c = a.dataType() == t ? a : a.castTo(t);
        return isDense(c) ? c : c.dup('c');
    }

    /** Outputs are written through their buffers, so they must be dense, c-ordered and of type t. */
    static void requireOut(String what, INDArray a, DataType t) {
        if (a == null) {
            return;
        }
        if (!isDense(a) || a.dataType() != t) {
            throw new IllegalArgumentException(what + ": output must be a dense c-order " + t + " array, got "
                    + a.shapeInfoToString());
        }
    }

    static void sameShape(String what, INDArray expected, INDArray a) {
        if (a != null && !Arrays.equals(expected.shape(), a.shape())) {
            throw new IllegalArgumentException(what + ": shape " + Arrays.toString(a.shape()) + " != "
                    + Arrays.toString(expected.shape()));
        }
    }

    static void length(String what, INDArray a, long n) {
        if (a != null && a.length() != n) {
            throw new IllegalArgumentException(what + ": expected " + n + " elements, got " + a.length()
                    + " (shape " + Arrays.toString(a.shape()) + ")");
        }
    }

    /** Rows of a batch-first array. */
    static int batch(INDArray a) {
        if (a.rank() < 1) {
            throw new IllegalArgumentException("expected a batch-first array, got a scalar");
        }
        return Math.toIntExact(a.size(0));
    }

    /** Elements per row of a batch-first array. */
    static int inner(INDArray a) {
        long b = a.size(0);
        return b == 0 ? 0 : Math.toIntExact(a.length() / b);
    }

    static int off(INDArray a) {
        return Math.toIntExact(a.offset());
    }

    static FloatBuffer fb(INDArray a) {
        return a.data().asNioFloat();
    }

    static DoubleBuffer db(INDArray a) {
        return a.data().asNioDouble();
    }

    /** A small array's elements in c order (any numeric type, any layout). */
    static double[] read(INDArray a) {
        int n = Math.toIntExact(a.length());
        double[] v = new double[n];
        if (n == 0) {
            return v;
        }
        DataType t = a.dataType();
        INDArray d = (t == DataType.FLOAT || t == DataType.DOUBLE) && isDense(a) ? a : a.castTo(DataType.DOUBLE).dup('c');
        int o = off(d);
        // bulk copies: element by element through ND4J's buffers cost ~4 ns an element
        if (d.dataType() == DataType.FLOAT) {
            float[] f = new float[n];
            fb(d).get(o, f, 0, n);
            for (int i = 0; i < n; i++) {
                v[i] = f[i];
            }
        } else {
            db(d).get(o, v, 0, n);
        }
        Reference.reachabilityFence(d);
        return v;
    }

    /** Writes v into a dense FLOAT or DOUBLE output of the same length. */
    static void write(double[] v, INDArray out) {
        length("out", out, v.length);
        requireOut("out", out, floating("out", out));
        if (v.length == 0) {
            return;
        }
        int o = off(out);
        if (out.dataType() == DataType.FLOAT) {
            float[] f = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                f[i] = (float) v[i];
            }
            fb(out).put(o, f, 0, f.length);
        } else {
            db(out).put(o, v, 0, v.length);
        }
        Reference.reachabilityFence(out);
    }
}
