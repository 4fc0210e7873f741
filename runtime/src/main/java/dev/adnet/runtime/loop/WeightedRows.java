package dev.adnet.runtime.loop;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
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
        RowAccess o = new RowAccess(out, d);
        RowAccess v = new RowAccess(values, d);
        if (o.floats != null && v.floats != null) {
            // float arithmetic, which vectorises: with the sums in double (float -> double -> float per element) this
            // took longer than the step's product at 256 rows (docs/benchmarks.md)
            float[] row = new float[d];
            float[] acc = new float[d];
            for (int j = 0; j < rows.length; j++) {
                int vo = v.offset + j * d;
                int oo = o.offset + rows[j] * d;
                v.floats.get(vo, row, 0, d);
                o.floats.get(oo, acc, 0, d);
                float pj = (float) p[j];
                for (int e = 0; e < d; e++) {
                    acc[e] += pj * row[e];
                }
                o.floats.put(oo, acc, 0, d);
            }
        } else {
            double[] row = new double[d];
            double[] acc = new double[d];
            for (int j = 0; j < rows.length; j++) {
                v.read(j, row);
                o.read(rows[j], acc);
                for (int e = 0; e < d; e++) {
                    acc[e] += p[j] * row[e];
                }
                o.write(rows[j], acc);
            }
        }
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(values);
    }

    /** {@code result[j] = p[j] * g[rows[j]]}, shaped like {@code like} (the step's compact values). */
    public static INDArray scaled(INDArray g, int[] rows, double[] p, INDArray like) {
        INDArray out = like.ulike();
        int d = check(g, like, rows, p);
        RowAccess from = new RowAccess(g, d);
        RowAccess to = new RowAccess(out, d);
        double[] row = new double[d];
        for (int j = 0; j < rows.length; j++) {
            from.read(rows[j], row);
            for (int e = 0; e < d; e++) {
                row[e] *= p[j];
            }
            to.write(j, row);
        }
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(out);
        return out;
    }

    /** {@code result[j] = g[rows[j]] . values[j]}. */
    public static double[] dots(INDArray g, int[] rows, INDArray values) {
        int d = check(g, values, rows, new double[rows.length]);
        RowAccess ga = new RowAccess(g, d);
        RowAccess va = new RowAccess(values, d);
        double[] a = new double[d];
        double[] b = new double[d];
        double[] r = new double[rows.length];
        for (int j = 0; j < rows.length; j++) {
            ga.read(rows[j], a);
            va.read(j, b);
            double s = 0;
            for (int e = 0; e < d; e++) {
                s += a[e] * b[e];
            }
            r[j] = s;
        }
        Reference.reachabilityFence(g);
        Reference.reachabilityFence(values);
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

    /**
     * Rows of one dense c-order array through a buffer view taken once per call: taking the view
     * ({@code asNioFloat}) costs more than copying a row of a few hundred values, so per row it dominated the loop.
     * The caller keeps the array reachable while it uses this.
     */
    private static final class RowAccess {
        private final FloatBuffer floats;
        private final DoubleBuffer doubles;
        private final int offset;
        private final int d;
        private final float[] staging;

        RowAccess(INDArray a, int d) {
            this.d = d;
            this.offset = Math.toIntExact(a.offset());
            boolean f = a.dataType() == DataType.FLOAT;
            this.floats = f ? a.data().asNioFloat() : null;
            this.doubles = f ? null : a.data().asNioDouble();
            this.staging = f ? new float[d] : null;
        }

        void read(int row, double[] into) {
            int off = offset + row * d;
            if (floats != null) {
                floats.get(off, staging, 0, d);
                for (int e = 0; e < d; e++) {
                    into[e] = staging[e];
                }
            } else {
                doubles.get(off, into, 0, d);
            }
        }

        void write(int row, double[] v) {
            int off = offset + row * d;
            if (floats != null) {
                for (int e = 0; e < d; e++) {
                    staging[e] = (float) v[e];
                }
                floats.put(off, staging, 0, d);
            } else {
                doubles.put(off, v, 0, d);
            }
        }
    }
}
