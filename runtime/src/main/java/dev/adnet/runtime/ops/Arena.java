package dev.adnet.runtime.ops;

import dev.adnet.runtime.TensorLimit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A per-network cache of activation buffers keyed by slot index. Allocation of off-heap arrays is expensive
 * (about 1.5 ms for 4 MB), so generated code asks the arena for every intermediate: with an unchanged batch size
 * a call allocates nothing. Returned arrays are dense, c-ordered and UNINITIALISED on first allocation; their
 * contents persist between calls. Not thread-safe: one arena per network instance and thread.
 */
public final class Arena {
    private final List<INDArray> slots = new ArrayList<>();
    /** Per slot, the row views handed out by {@link #rows}, by row count (dropped when the slot is reallocated). */
    private final List<Map<Long, INDArray>> views = new ArrayList<>();

    /** The cached array of {@code slot} if its type and shape match, else a new uninitialised one (cached). */
    public INDArray get(int slot, DataType type, long... shape) {
        while (slots.size() <= slot) {
            slots.add(null);
        }
        INDArray a = slots.get(slot);
        if (a != null && a.dataType() == type && Arrays.equals(a.shape(), shape)) {
            return a;
        }
        if (shape.length > 0) {
            // every batch-sized array of generated code is made here, batch first; the others fit by construction
            TensorLimit.checkBatch("an activation", shape[0], Arrays.copyOfRange(shape, 1, shape.length));
        }
        a = Nd4j.createUninitialized(type, shape, 'c');
        slots.set(slot, a);
        while (views.size() <= slot) {
            views.add(null);
        }
        views.set(slot, null);
        return a;
    }

    /**
     * The first {@code rows} rows of a cached {@code [capacity, perSample...]} array: a dense, c-ordered view. Used
     * for sub-batches whose size changes from call to call (the samples a gate let through), so that no call
     * allocates once the capacity has been seen. The view for each row count is made once and then reused (an ND4J
     * view costs a shape-information buffer and some microseconds).
     */
    public INDArray rows(int slot, DataType type, long capacity, long rows, long... perSample) {
        long[] shape = new long[perSample.length + 1];
        shape[0] = capacity;
        System.arraycopy(perSample, 0, shape, 1, perSample.length);
        long inner = 1;
        for (long d : perSample) {
            inner *= d;
        }
        INDArray full = get(slot, type, shape);
        if (rows == capacity) {
            return full;
        }
        Map<Long, INDArray> cache = views.get(slot);
        if (cache == null) {
            cache = new HashMap<>();
            views.set(slot, cache);
        }
        INDArray view = cache.get(rows);
        if (view == null) {
            org.nd4j.linalg.indexing.INDArrayIndex[] index = new org.nd4j.linalg.indexing.INDArrayIndex[shape.length];
            index[0] = org.nd4j.linalg.indexing.NDArrayIndex.interval(0, rows);
            for (int i = 1; i < index.length; i++) {
                index[i] = org.nd4j.linalg.indexing.NDArrayIndex.all();
            }
            // ND4J marks a row range of a [capacity, 1] array as f-ordered, so those views are made with their
            // c-order strides given (reallocating the exact shape at each row count cost a halting loop's step an
            // allocation per [k, 1] array)
            view = inner == 1 ? Nd4j.create(full.data(), rowShape(shape, rows), unitStrides(shape.length), 0, 'c')
                    : full.get(index);
            cache.put(rows, view);
        }
        return view;
    }

    private static long[] rowShape(long[] shape, long rows) {
        long[] s = shape.clone();
        s[0] = rows;
        return s;
    }

    private static long[] unitStrides(int rank) {
        long[] s = new long[rank];
        Arrays.fill(s, 1);
        return s;
    }

    /** Drops every cached array (their memory is freed when the garbage collector reclaims them). */
    public void clear() {
        slots.clear();
        views.clear();
    }
}
