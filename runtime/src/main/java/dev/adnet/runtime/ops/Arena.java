package dev.adnet.runtime.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

    /** The cached array of {@code slot} if its type and shape match, else a new uninitialised one (cached). */
    public INDArray get(int slot, DataType type, long... shape) {
        while (slots.size() <= slot) {
            slots.add(null);
        }
        INDArray a = slots.get(slot);
        if (a != null && a.dataType() == type && Arrays.equals(a.shape(), shape)) {
            return a;
        }
        a = Nd4j.createUninitialized(type, shape, 'c');
        slots.set(slot, a);
        return a;
    }

    /** Drops every cached array (their memory is freed when the garbage collector reclaims them). */
    public void clear() {
        slots.clear();
    }
}
