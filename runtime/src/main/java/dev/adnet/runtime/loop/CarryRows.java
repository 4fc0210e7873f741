package dev.adnet.runtime.loop;

import dev.adnet.runtime.adaptive.Compaction;
import dev.adnet.runtime.ops.Arena;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Where a compacted loop keeps a value between two steps (its state, or a value from outside that the steps read):
 * two arrays of the workspace's arena, written in turn, so that a step's copy never overwrites the rows it reads and
 * no step allocates. Allocating the copy each step (a fresh array, since the step's own arrays are overwritten by
 * the next step) was the largest single cost of a halting loop's step after its products (docs/benchmarks.md).
 */
public final class CarryRows {
    private final Arena arena;
    private final int[] slots;
    private final DataType type;
    private final long capacity;
    private final long[] perSample;
    private int turn;

    /** Rows of up to {@code capacity} samples of shape {@code perSample}, in arena slots {@code slotA} and {@code slotB}. */
    public CarryRows(Arena arena, int slotA, int slotB, DataType type, long capacity, long... perSample) {
        this.arena = arena;
        this.slots = new int[] {slotA, slotB};
        this.type = type;
        this.capacity = capacity;
        this.perSample = perSample.clone();
    }

    /**
     * The rows of {@code x} (one per sample of {@code before}, ascending batch indices) that belong to the samples of
     * {@code after}, a subsequence of {@code before}, copied into the array not written last.
     */
    public INDArray carry(INDArray x, int[] before, int[] after) {
        if (after.length == 0) {
            // the loop is done: nothing reads the value again
            long[] shape = new long[perSample.length + 1];
            System.arraycopy(perSample, 0, shape, 1, perSample.length);
            return Nd4j.create(type, shape, 'c');
        }
        INDArray out = arena.rows(slots[turn], type, capacity, after.length, perSample);
        turn ^= 1;
        Compaction.gather(x, LoopRows.positions(before, after), out);
        return out;
    }

    /** As {@link #carry}, but {@code x} itself when no sample left. */
    public INDArray keep(INDArray x, int[] before, int[] after) {
        return after.length == before.length ? x : carry(x, before, after);
    }
}
