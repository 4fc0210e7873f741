package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Concatenation along {@code axis}, which counts the batch axis (channel concatenation of NCHW is axis 1). The
 * backward splits the gradient back; null entries of {@code gradIns} are skipped.
 */
public final class Concat {
    private Concat() {}

    public static void forward(INDArray[] xs, int axis, INDArray out) {
        long offset = 0;
        for (INDArray x : xs) {
            check(x, axis, out);
            long n = x.size(axis);
            out.get(slab(out.rank(), axis, offset, n)).assign(x);
            offset += n;
        }
        if (offset != out.size(axis)) {
            throw new IllegalArgumentException("concat: inputs give " + offset + " along axis " + axis
                    + ", output has " + out.size(axis));
        }
    }

    /**
     * @param gradIns one entry per forward input, each shaped like that input, or null (not needed). The slabs are
     *     located from the non-null entries' sizes: entries before the first null from the start, entries after
     *     the last null from the end. A non-null entry between two nulls cannot be located; use
     *     {@link #backward(INDArray, int, long[], INDArray[])} with the sizes for that.
     */
    public static void backward(INDArray gradOut, int axis, INDArray[] gradIns) {
        int first = -1;
        int last = -1;
        for (int i = 0; i < gradIns.length; i++) {
            if (gradIns[i] == null) {
                last = i;
                if (first < 0) {
                    first = i;
                }
            }
        }
        long offset = 0;
        for (int i = 0; i < gradIns.length; i++) {
            INDArray gi = gradIns[i];
            if (gi == null) {
                continue;
            }
            if (first >= 0 && i > first && i < last) {
                throw new IllegalArgumentException("concat backward: input " + i
                        + " lies between two skipped inputs; pass the sizes explicitly");
            }
            check(gi, axis, gradOut);
            long n = gi.size(axis);
            long start = offset;
            if (first >= 0 && i > last) {
                start = gradOut.size(axis);
                for (int j = i; j < gradIns.length; j++) {
                    start -= gradIns[j].size(axis);
                }
            }
            gi.assign(gradOut.get(slab(gradOut.rank(), axis, start, n)));
            offset += n;
        }
    }

    /** The backward with the forward inputs' sizes along {@code axis} given explicitly. */
    public static void backward(INDArray gradOut, int axis, long[] sizes, INDArray[] gradIns) {
        long offset = 0;
        for (int i = 0; i < gradIns.length; i++) {
            INDArray gi = gradIns[i];
            if (gi != null) {
                check(gi, axis, gradOut);
                if (gi.size(axis) != sizes[i]) {
                    throw new IllegalArgumentException("concat backward: size mismatch at input " + i);
                }
                gi.assign(gradOut.get(slab(gradOut.rank(), axis, offset, sizes[i])));
            }
            offset += sizes[i];
        }
    }

    private static INDArrayIndex[] slab(int rank, int axis, long offset, long n) {
        INDArrayIndex[] idx = new INDArrayIndex[rank];
        for (int d = 0; d < rank; d++) {
            idx[d] = d == axis ? NDArrayIndex.interval(offset, offset + n) : NDArrayIndex.all();
        }
        return idx;
    }

    private static void check(INDArray x, int axis, INDArray whole) {
        if (x.rank() != whole.rank() || axis < 0 || axis >= whole.rank()) {
            throw new IllegalArgumentException("concat: bad rank or axis " + axis);
        }
        for (int d = 0; d < x.rank(); d++) {
            if (d != axis && x.size(d) != whole.size(d)) {
                throw new IllegalArgumentException("concat: size mismatch on axis " + d);
            }
        }
    }
}
