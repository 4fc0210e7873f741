package dev.adnet.runtime.train;

import dev.adnet.runtime.Parameter;
import java.util.List;

/**
 * An update rule. {@link #step} reads every parameter's gradient and updates its value in place; the per-parameter
 * state (momentum, moments) is allocated on the first step for each parameter name and reused afterwards.
 */
public interface Optimizer {
    /** Applies one update with the given learning rate to every parameter. */
    void step(List<Parameter> params, double learningRate);

    OptimizerConfig.Kind kind();

    /** The number of steps taken so far. */
    long steps();

    /** A snapshot of the state for a checkpoint: tensors are the live arrays (copy before mutating). */
    OptimizerState state();

    /** Restores the state written by {@link #state()}; tensors are copied. */
    void loadState(OptimizerState state);
}
