package dev.adnet.runtime;

import java.util.Arrays;

/**
 * A named tensor with a per-sample shape: the batch dimension is implicit and comes first at run time.
 *
 * @param name the name the source file gives the input or output
 * @param shape the per-sample shape, for example {@code [1, 28, 28]} for a one-channel image
 */
public record TensorSpec(String name, long[] shape) {
    public TensorSpec {
        shape = shape.clone();
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /**
     * The shape of a batch of {@code batch} samples; throws {@link IllegalArgumentException} when such a batch has
     * more elements than the runtime can index ({@link TensorLimit}).
     */
    public long[] batchShape(long batch) {
        TensorLimit.checkBatch("'" + name + "'", batch, shape);
        long[] s = new long[shape.length + 1];
        s[0] = batch;
        System.arraycopy(shape, 0, s, 1, shape.length);
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && t.name.equals(name) && Arrays.equals(t.shape, shape);
    }

    @Override
    public int hashCode() {
        return name.hashCode() * 31 + Arrays.hashCode(shape);
    }

    @Override
    public String toString() {
        return name + Arrays.toString(shape);
    }
}
