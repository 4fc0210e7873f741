package dev.adnet.runtime;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

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

    /**
     * Checks that {@code given} names exactly the {@code expected} tensors; generated networks call it on the maps
     * they are handed ({@code what} is "input" or "target").
     *
     * @throws IllegalArgumentException naming the network, what was expected and what was given
     */
    public static void checkNames(String network, String what, Set<String> given, List<TensorSpec> expected) {
        Set<String> names = new LinkedHashSet<>();
        for (TensorSpec spec : expected) {
            names.add(spec.name());
        }
        if (!names.equals(given)) {
            throw new IllegalArgumentException(network + ": expected " + what + "s " + names + ", got " + given);
        }
    }

    /**
     * The array named {@link #name()} in {@code arrays}, checked against the per-sample shape and the batch size
     * ({@code -1}: any), as a dense c-ordered array of {@code dataType} (converted or copied only when it is not one).
     *
     * @throws IllegalArgumentException when the array is missing or its shape is wrong, naming the network
     */
    public INDArray checked(String network, Map<String, INDArray> arrays, String what, long batchSize, DataType dataType) {
        INDArray a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException(network + ": missing " + what + " '" + name + "'");
        }
        long[] given = a.shape();
        long[] expected = batchShape(batchSize < 0 && given.length > 0 ? given[0] : batchSize);
        if (!Arrays.equals(given, expected)) {
            String want = Arrays.toString(shape);
            throw new IllegalArgumentException(network + ": " + what + " '" + name + "' must have shape "
                    + (batchSize < 0 ? "[batch" : "[" + batchSize) + (want.length() > 2 ? ", " + want.substring(1) : "]")
                    + ", got " + Arrays.toString(given));
        }
        if (a.dataType() != dataType) {
            a = a.castTo(dataType);
        }
        if (a.ordering() != 'c' || a.isView() || a.elementWiseStride() != 1) {
            a = a.dup('c');
        }
        return a;
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
