package dev.adnet.runtime;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference outputs with a per-sample trace of the computation each sample received.
 *
 * @param outputs output name to a batch-first array, as {@link Network#forward} returns
 * @param executed {@code executed[n][g]}: whether gate {@code g}'s block ran for sample {@code n} (no columns for
 *     a network without gates)
 * @param flops the FLOPs actually spent on each sample, from the compiler's cost model
 */
public record Prediction(Map<String, INDArray> outputs, boolean[][] executed, long[] flops) {}
