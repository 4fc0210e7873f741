package dev.adnet.runtime.implicit;

/**
 * A generated network with fixed points ({@code fixedpoint} in the language): training's account of its solves, and
 * the stopping rule its solves use (per sample by default; the whole batch for the paired comparison).
 */
public interface FixedPointNetwork {
    /** Training steps' iterations and unconverged samples since the last drain. */
    SolverTrace solverTrace();

    /** How the forward and backward solves stop from the next call on. */
    void fixedPointStopping(Stopping stopping);
}
