package dev.adnet.runtime.train;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Element access to a contiguous, c-ordered FLOAT or DOUBLE array through its direct buffer, without copies.
 * The view keeps its array reachable for as long as the view itself is reachable.
 */
public abstract sealed class Flat permits Flat.F32, Flat.F64 {
    private final INDArray array;
    protected final int length;

    private Flat(INDArray array) {
        this.array = array;
        this.length = Math.toIntExact(array.length());
    }

    /** A view of {@code a}; it must be c-ordered and contiguous, of type FLOAT or DOUBLE. */
    public static Flat of(INDArray a) {
        if (a.length() > 0 && (a.ordering() != 'c' || a.elementWiseStride() != 1)) {
            throw new IllegalArgumentException("array must be c-ordered and contiguous, got order "
                    + a.ordering() + " with element-wise stride " + a.elementWiseStride());
        }
        DataType t = a.dataType();
        if (t == DataType.FLOAT) {
            return new F32(a);
        }
        if (t == DataType.DOUBLE) {
            return new F64(a);
        }
        throw new IllegalArgumentException("only FLOAT and DOUBLE arrays are supported, got " + t);
    }

    public final INDArray array() {
        return array;
    }

    public final int length() {
        return length;
    }

    public abstract double get(int i);

    public abstract void set(int i, double v);

    /** The index of the first element that is NaN or infinite, or -1. */
    public abstract int firstNonFinite();

    static final class F32 extends Flat {
        private final FloatBuffer buf;
        private final int off;

        F32(INDArray a) {
            super(a);
            this.buf = a.data().asNioFloat();
            this.off = Math.toIntExact(a.offset());
        }

        @Override
        public double get(int i) {
            return buf.get(off + i);
        }

        @Override
        public void set(int i, double v) {
            buf.put(off + i, (float) v);
        }

        /** All elements into {@code dst} (one bulk copy). */
        void read(float[] dst) {
            buf.get(off, dst, 0, length);
        }

        /** All elements from {@code src} (one bulk copy). */
        void write(float[] src) {
            buf.put(off, src, 0, length);
        }

        @Override
        public int firstNonFinite() {
            for (int i = 0; i < length; i++) {
                if (!Float.isFinite(buf.get(off + i))) {
                    return i;
                }
            }
            return -1;
        }
    }

    static final class F64 extends Flat {
        private final DoubleBuffer buf;
        private final int off;

        F64(INDArray a) {
            super(a);
            this.buf = a.data().asNioDouble();
            this.off = Math.toIntExact(a.offset());
        }

        @Override
        public double get(int i) {
            return buf.get(off + i);
        }

        @Override
        public void set(int i, double v) {
            buf.put(off + i, v);
        }

        @Override
        public int firstNonFinite() {
            for (int i = 0; i < length; i++) {
                if (!Double.isFinite(buf.get(off + i))) {
                    return i;
                }
            }
            return -1;
        }
    }
}
