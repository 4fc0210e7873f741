package dev.adnet.runtime.implicit;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The vector-Jacobian product of a {@link TimeMap}: given an output gradient {@code g} at {@code (z, t)}, returns
 * {@code g df/dz} and adds {@code g df/dtheta} to the parameter gradients it owns.
 */
@FunctionalInterface
public interface TimeMapVjp {
    INDArray apply(INDArray z, double[] t, int[] rows, INDArray g);
}
