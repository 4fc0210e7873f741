package dev.adnet.runtime.loop;

import dev.adnet.runtime.adaptive.Compaction;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What a compacted loop does between two steps besides carrying its values in inference ({@link CarryRows}): read
 * the step's halting probabilities, find the rows of the samples still running, give the steps back in input order;
 * and the training step's fresh copies of the running rows ({@link #carry}).
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

    /** Where each sample of {@code after}, a subsequence of {@code before}, is in {@code before}. */
    static int[] positions(int[] before, int[] after) {
        int[] positions = new int[after.length];
        int j = 0;
        for (int i = 0; i < after.length; i++) {
            while (before[j] != after[i]) {
                j++;
            }
            positions[i] = j;
        }
        return positions;
    }

    /**
     * The rows of {@code x} (one per sample of {@code before}, ascending batch indices) that belong to the samples of
     * {@code after}, a subsequence of {@code before}, in a fresh array: for the training step, which keeps every
     * step's values for its backward (inference alternates between two arrays instead, {@link CarryRows}).
     */
    public static INDArray carry(INDArray x, int[] before, int[] after) {
        long[] shape = x.shape().clone();
        shape[0] = after.length;
        INDArray out = Nd4j.createUninitialized(x.dataType(), shape, 'c');
        if (after.length > 0) {
            Compaction.gather(x, positions(before, after), out);
        }
        return out;
    }

    /** The {@code [k, 1]} halting probabilities as doubles. */
    public static double[] column(INDArray h) {
        if (h.length() == 0) {
            return new double[0];
        }
        if (h.dataType() == DataType.FLOAT && h.ordering() == 'c' && (h.length() <= 1 || h.elementWiseStride() == 1)) {
            // a step's own array: read in place (a dup is an allocation and an op per step)
            float[] f = new float[Math.toIntExact(h.length())];
            h.data().asNioFloat().get(Math.toIntExact(h.offset()), f, 0, f.length);
            java.lang.ref.Reference.reachabilityFence(h);
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                d[i] = f[i];
            }
            return d;
        }
        return h.dup('c').data().asDouble();
    }
}
