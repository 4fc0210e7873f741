package dev.adnet.runtime.loop;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code into[positions[j]] += part[j]} row by row, for the backward of a training step's compacted loop steps. */
final class RowSums {
    private RowSums() {}

    /** Both arrays dense and c-ordered, of one floating type, rows of {@code d} values. */
    static void addRows(INDArray into, INDArray part, int[] positions, int d) {
        if (into.dataType() != part.dataType() || into.ordering() != 'c' || part.ordering() != 'c'
                || into.length() > 1 && into.elementWiseStride() != 1 || part.length() > 1 && part.elementWiseStride() != 1) {
            throw new IllegalArgumentException("halting loop: row sums need dense c-ordered arrays of one type");
        }
        int io = Math.toIntExact(into.offset());
        int po = Math.toIntExact(part.offset());
        if (into.dataType() == DataType.FLOAT) {
            FloatBuffer a = into.data().asNioFloat();
            FloatBuffer b = part.data().asNioFloat();
            for (int j = 0; j < positions.length; j++) {
                int to = io + positions[j] * d;
                int from = po + j * d;
                for (int e = 0; e < d; e++) {
                    a.put(to + e, a.get(to + e) + b.get(from + e));
                }
            }
        } else if (into.dataType() == DataType.DOUBLE) {
            DoubleBuffer a = into.data().asNioDouble();
            DoubleBuffer b = part.data().asNioDouble();
            for (int j = 0; j < positions.length; j++) {
                int to = io + positions[j] * d;
                int from = po + j * d;
                for (int e = 0; e < d; e++) {
                    a.put(to + e, a.get(to + e) + b.get(from + e));
                }
            }
        } else {
            throw new IllegalArgumentException("halting loop: only FLOAT and DOUBLE are supported, got " + into.dataType());
        }
        Reference.reachabilityFence(into);
        Reference.reachabilityFence(part);
    }
}
