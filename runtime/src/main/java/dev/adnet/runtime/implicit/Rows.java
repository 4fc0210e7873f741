package dev.adnet.runtime.implicit;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Copies samples between batch-first FLOAT/DOUBLE arrays and per-sample {@code double[]} vectors. */
final class Rows {
    private Rows() {}

    private static INDArray dense(INDArray a) {
        boolean dense = a.ordering() == 'c' && (a.length() <= 1 || a.elementWiseStride() == 1);
        return dense ? a : a.dup('c');
    }

    /** The first {@code b} samples of {@code a}, {@code d} elements each. */
    static double[][] read(INDArray a, int b, int d) {
        INDArray c = dense(a);
        double[][] v = new double[b][d];
        int off = Math.toIntExact(c.offset());
        if (c.dataType() == DataType.FLOAT) {
            float[] row = new float[d];
            java.nio.FloatBuffer buf = c.data().asNioFloat();
            for (int i = 0; i < b; i++) {
                buf.get(off + i * d, row, 0, d);
                for (int j = 0; j < d; j++) {
                    v[i][j] = row[j];
                }
            }
        } else {
            java.nio.DoubleBuffer buf = c.data().asNioDouble();
            for (int i = 0; i < b; i++) {
                buf.get(off + i * d, v[i], 0, d);
            }
        }
        Reference.reachabilityFence(c);
        return v;
    }

    /** Writes {@code x[rows[j]]} into sample j of the dense array {@code dst}, one conversion buffer for all rows. */
    static void write(double[][] x, int[] rows, INDArray dst, int d) {
        float[] scratch = dst.dataType() == DataType.FLOAT ? new float[d] : null;
        for (int j = 0; j < rows.length; j++) {
            writeRow(x[rows[j]], dst, j, d, scratch);
        }
    }

    /** Writes one sample into row {@code row} of the dense array {@code dst}. */
    static void writeRow(double[] v, INDArray dst, int row, int d) {
        writeRow(v, dst, row, d, dst.dataType() == DataType.FLOAT ? new float[d] : null);
    }

    /** As {@link #writeRow(double[], INDArray, int, int)}, converting a FLOAT row through {@code scratch}. */
    static void writeRow(double[] v, INDArray dst, int row, int d, float[] scratch) {
        int off = Math.toIntExact(dst.offset()) + row * d;
        if (dst.dataType() == DataType.FLOAT) {
            float[] f = scratch;
            for (int i = 0; i < d; i++) {
                f[i] = (float) v[i];
            }
            dst.data().asNioFloat().put(off, f, 0, d);
        } else {
            dst.data().asNioDouble().put(off, v, 0, d);
        }
        Reference.reachabilityFence(dst);
    }
}
