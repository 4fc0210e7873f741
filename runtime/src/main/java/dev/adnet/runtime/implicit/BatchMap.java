package dev.adnet.runtime.implicit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A map applied to some samples of a batch: a fixed-point body {@code z -> f(z, x)}, the implicit backward's
 * {@code g -> g J_f(z*) + y}, or an ODE's right-hand side. The solvers call it only on the samples that are still
 * iterating, so a sample that has converged costs nothing more.
 */
@FunctionalInterface
public interface BatchMap {
    /**
     * @param z the current values of the samples {@code rows}, batch-first, {@code [rows.length, ...]} with the
     *     per-sample shape of the solve; the solver may reuse it after the call returns, so it must not be kept
     * @param rows those samples' indices in the full batch, ascending: the map reads the samples' other inputs
     *     (the {@code x} of {@code f(z, x)}) at these rows
     * @return the map's value at {@code z}, of {@code z}'s shape and type, in an array the solver may keep until
     *     the next call
     */
    INDArray apply(INDArray z, int[] rows);
}
