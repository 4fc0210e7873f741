package dev.adnet.runtime.implicit;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The right-hand side {@code dz/dt = f(z, x, t)} of a continuous-depth layer, on some samples of a batch. */
@FunctionalInterface
public interface TimeMap {
    /**
     * @param z the samples' states, {@code [rows.length, ...]}; not to be kept after the call
     * @param t each sample's time (samples take steps of their own size, so their times differ)
     * @param rows the samples' indices in the full batch, ascending
     * @return {@code dz/dt} for those samples, of {@code z}'s shape and type
     */
    INDArray apply(INDArray z, double[] t, int[] rows);
}
