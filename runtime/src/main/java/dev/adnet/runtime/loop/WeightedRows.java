package dev.adnet.runtime.loop;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The row kernels of a halting loop, where step n's values exist only for the samples still running
 * ({@code rows}, ascending indices into the batch, one per row of the step's compact array):
 * {@link #accumulate} adds {@code p_j * values_j} into the batch's weighted mean, {@link #scaled} gives the
 * gradient {@code p_j * g_i} flowing back into the step's values, and {@link #dots} the products
 * {@code g_i . values_j} the halting gradients need. FLOAT or DOUBLE, dense c-order arrays.
 */
public final class WeightedRows {
    private WeightedRows() {}

    /** {@code out[rows[j]] += p[j] * values[j]}. */
    public static void accumulate(INDArray out, INDArray values, int[] rows, double[] p) {
        int d = check(out, values, rows, p);
        double[] row = new double[d];
        double[] acc = new double[d];
        for (int j = 0; j < rows.length; j++) {
            read(values, j, d, row);
            read(out, rows[j], d, acc);
            for (int e = 0; e < d; e++) {
                acc[e] += p[j] * row[e];
            }
            write(out, rows[j], d, acc);
        }
    }

    /** {@code result[j] = p[j] * g[rows[j]]}, shaped like {@code like} (the step's compact values). */
    public static INDArray scaled(INDArray g, int[] rows, double[] p, INDArray like) {
        INDArray out = like.ulike();
        int d = check(g, like, rows, p);
        double[] row = new double[d];
        for (int j = 0; j < rows.length; j++) {
            read(g, rows[j], d, row);
            for (int e = 0; e < d; e++) {
                row[e] *= p[j];
            }
            write(out, j, d, row);
        }
        return out;
    }

    /** {@code result[j] = g[rows[j]] . values[j]}. */
    public static double[] dots(INDArray g, int[] rows, INDArray values) {
        int d = check(g, values, rows, new double[rows.length]);
        double[] a = new double[d];
        double[] b = new double[d];
        double[] r = new double[rows.length];
        for (int j = 0; j < rows.length; j++) {
            read(g, rows[j], d, a);
            read(values, j, d, b);
            double s = 0;
            for (int e = 0; e < d; e++) {
                s += a[e] * b[e];
            }
            r[j] = s;
        }
        return r;
    }

    private static int check(INDArray batch, INDArray step, int[] rows, double[] p) {
        for (INDArray a : new INDArray[] {batch, step}) {
            if (a.dataType() != DataType.FLOAT && a.dataType() != DataType.DOUBLE) {
                throw new IllegalArgumentException("halting loop: only FLOAT and DOUBLE are supported, got " + a.dataType());
            }
            if (a.ordering() != 'c' || (a.length() > 1 && a.elementWiseStride() != 1)) {
                throw new IllegalArgumentException("halting loop: arrays must be dense and c-ordered");
            }
        }
        long[] perSample = Arrays.copyOfRange(batch.shape(), 1, batch.rank());
        if (!Arrays.equals(perSample, Arrays.copyOfRange(step.shape(), 1, step.rank()))
                || step.size(0) != rows.length || p.length != rows.length) {
            throw new IllegalArgumentException("halting loop: a step of shape " + Arrays.toString(step.shape()) + " for "
                    + rows.length + " rows of a batch of shape " + Arrays.toString(batch.shape()));
        }
        int b = Math.toIntExact(batch.size(0));
        for (int r : rows) {
            if (r < 0 || r >= b) {
                throw new IllegalArgumentException("halting loop: row " + r + " outside a batch of " + b);
            }
        }
        return Math.toIntExact(step.length() / Math.max(1, rows.length));
    }

    private static void read(INDArray a, int row, int d, double[] into) {
        int off = Math.toIntExact(a.offset()) + row * d;
        if (a.dataType() == DataType.FLOAT) {
            float[] f = new float[d];
            a.data().asNioFloat().get(off, f, 0, d);
            for (int e = 0; e < d; e++) {
                into[e] = f[e];
            }
        } else {
            a.data().asNioDouble().get(off, into, 0, d);
        }
        Reference.reachabilityFence(a);
    }

    private static void write(INDArray a, int row, int d, double[] v) {
        int off = Math.toIntExact(a.offset()) + row * d;
        if (a.dataType() == DataType.FLOAT) {
            float[] f = new float[d];
            for (int e = 0; e < d; e++) {
                f[e] = (float) v[e];
            }
            a.data().asNioFloat().put(off, f, 0, d);
        } else {
            a.data().asNioDouble().put(off, v, 0, d);
        }
        Reference.reachabilityFence(a);
    }
}
