package dev.adnet.runtime.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optimizer's state as checkpoints store it.
 *
 * @param kind the optimizer's kind
 * @param tensors per-parameter state by name, for example {@code exp_avg/fc.weight}
 * @param scalars scalar state, for example {@code step}
 */
public record OptimizerState(OptimizerConfig.Kind kind, Map<String, INDArray> tensors, Map<String, Double> scalars) {
    public OptimizerState {
        tensors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        scalars = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scalars));
    }
}
