package dev.adnet.runtime;

import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference outputs with a per-sample trace of the computation each sample received.
 *
 * @param outputs output name to a batch-first array, as {@link Network#forward} returns
 * @param executed {@code executed[n][g]}: whether gate {@code g}'s block ran for sample {@code n} (no columns for
 *     a network without gates)
 * @param flops the FLOPs actually spent on each sample, from the compiler's cost model
 * @param exits the exit each sample left at, from 0; the number of exits for the final output (all zeros
 *     for a network without exits)
 * @param exitOutputs in {@link ExitMode#ALL_HEADS}: each exit head's output for every sample, in exit order;
 *     otherwise empty
 * @param steps {@code steps[n][l]}: how many steps halting loop {@code l} took for sample {@code n} (no columns for
 *     a network without halting loops; 0 for a sample that left before the loop)
 * @param iterations {@code iterations[n][k]}: the solver's work for sample {@code n} in implicit layer {@code k}: the
 *     fixed points first (forward iterations), then the ODEs (function evaluations), each in schedule order (no columns
 *     for a network without either)
 */
public record Prediction(Map<String, INDArray> outputs, boolean[][] executed, long[] flops, int[] exits,
        List<INDArray> exitOutputs, int[][] steps, int[][] iterations) {
    public Prediction {
        exitOutputs = List.copyOf(exitOutputs);
    }

    /** A prediction of a network without halting loops or fixed points. */
    public Prediction(Map<String, INDArray> outputs, boolean[][] executed, long[] flops, int[] exits,
            List<INDArray> exitOutputs) {
        this(outputs, executed, flops, exits, exitOutputs, new int[flops.length][0], new int[flops.length][0]);
    }

    /** A prediction of a network without exits. */
    public Prediction(Map<String, INDArray> outputs, boolean[][] executed, long[] flops) {
        this(outputs, executed, flops, new int[flops.length], List.of());
    }
}
