package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access to the off-heap storage of a c-ordered, dense array, in double arithmetic whatever the array's
 * type (FLOAT or DOUBLE).
 *
 * <p>Why: ND4J's per-op dispatch and its broadcast ops cost more than a plain Java loop (see the ND4J notes), so
 * the small per-row primitives (layernorm, softmax, losses, dropout, activation VJPs) are loops over these. The two
 * subclasses are final, so call sites stay at most bimorphic. The accessor costs about 2.5x a raw-buffer loop when
 * the JIT does not inline it into a large method, which is why the hot batchnorm and ReLU paths use raw buffers
 * ({@link BnKernels}, {@link Relu}).
 *
 * <p>Use with try-with-resources: {@link #close()} fences the array, keeping it (and so its native memory)
 * reachable for as long as the buffer is used. Arrays of more than {@code Integer.MAX_VALUE} elements are not
 * supported.
 */
abstract sealed class Direct implements AutoCloseable permits Direct.F, Direct.D {
    private final INDArray array;
    final int length;

    private Direct(INDArray array) {
        this.array = array;
        this.length = Math.toIntExact(array.length());
    }

    abstract double get(int i);

    abstract void set(int i, double v);

    /** Whether the array's elements are contiguous in c order, so that element i is at offset() + i. */
    static boolean isDense(INDArray a) {
        return a.ordering() == 'c' && (a.length() <= 1 || a.elementWiseStride() == 1) && !a.isEmpty();
    }

    /**
     * Read access to an input: the array itself when it is dense, otherwise a dense copy (inputs may be views).
     */
    static Direct in(INDArray a) {
        return of(isDense(a) ? a : a.dup('c'));
    }

    /** Write access to a caller-allocated output, which must be dense and c-ordered. */
    static Direct out(INDArray a) {
        if (!isDense(a)) {
            throw new IllegalArgumentException("output must be a dense c-order array, got " + a.shapeInfoToString());
        }
        return of(a);
    }

    private static Direct of(INDArray a) {
        DataType t = a.dataType();
        if (t == DataType.FLOAT) {
            return new F(a);
        }
        if (t == DataType.DOUBLE) {
            return new D(a);
        }
        throw new IllegalArgumentException("only FLOAT and DOUBLE arrays are supported, got " + t);
    }

    @Override
    public final void close() {
        Reference.reachabilityFence(array);
    }

    static final class F extends Direct {
        private final FloatBuffer b;
        private final int off;

        F(INDArray a) {
            super(a);
            b = a.data().asNioFloat();
            off = Math.toIntExact(a.offset());
        }

        @Override
        double get(int i) {
            return b.get(off + i);
        }

        @Override
        void set(int i, double v) {
            b.put(off + i, (float) v);
        }
    }

    static final class D extends Direct {
        private final DoubleBuffer b;
        private final int off;

        D(INDArray a) {
            super(a);
            b = a.data().asNioDouble();
            off = Math.toIntExact(a.offset());
        }

        @Override
        double get(int i) {
            return b.get(off + i);
        }

        @Override
        void set(int i, double v) {
            b.put(off + i, v);
        }
    }
}
