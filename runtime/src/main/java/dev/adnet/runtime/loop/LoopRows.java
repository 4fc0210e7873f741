package dev.adnet.runtime.loop;

import dev.adnet.runtime.adaptive.Compaction;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a compacted loop does between two steps: read the step's halting probabilities, and keep the rows of the
 * samples still running (a fresh array, since the step's own arrays are overwritten by the next step).
 */
public final class LoopRows {
    private LoopRows() {}

    /** {@code 0, 1, ..., k - 1}: the rows of a batch of {@code k}. */
    public static int[] all(long k) {
        int[] r = new int[Math.toIntExact(k)];
        java.util.Arrays.setAll(r, i -> i);
        return r;
    }

    /**
     * Each input sample's step count: {@code steps[r]} belongs to input sample {@code original[r]}; samples of the
     * input batch (of {@code batch}) that never reached the loop get 0.
     */
    public static int[] inputOrder(int[] steps, int[] original, long batch) {
        int[] out = new int[Math.toIntExact(batch)];
        for (int r = 0; r < steps.length; r++) {
            out[original[r]] = steps[r];
        }
        return out;
    }

    /** The {@code [k, 1]} halting probabilities as doubles. */
    public static double[] column(INDArray h) {
        return h.dup('c').data().asDouble();
    }

    /**
     * The rows of {@code x} (one per sample of {@code before}, ascending batch indices) that belong to the samples of
     * {@code after}, a subsequence of {@code before}; {@code x} itself when no sample left.
     */
    public static INDArray keep(INDArray x, int[] before, int[] after) {
        return after.length == before.length ? x : carry(x, before, after);
    }

    /**
     * The same rows, always in a fresh array: the state a step gives back lives in that step's arrays, which the next
     * step overwrites while it may still read the state.
     */
    public static INDArray carry(INDArray x, int[] before, int[] after) {
        int[] positions = new int[after.length];
        int j = 0;
        for (int i = 0; i < after.length; i++) {
            while (before[j] != after[i]) {
                j++;
            }
            positions[i] = j;
        }
        long[] shape = x.shape().clone();
        shape[0] = after.length;
        INDArray out = Nd4j.create(x.dataType(), shape, 'c');
        if (after.length > 0) {
            Compaction.gather(x, positions, out);
        }
        return out;
    }
}
