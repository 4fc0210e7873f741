package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Copies between shapes with the same number of elements in c order, e.g. {@code [B, C, H, W] -> [B, C*H*W]}
 * (libnd4j's assign over a c-order reshape view: multi-threaded, no temporary for dense input).
 */
public final class Flatten {
    private Flatten() {}

    public static void forward(INDArray x, INDArray out) {
        copy(x, out);
    }

    public static void backward(INDArray gradOut, INDArray gradIn) {
        if (gradIn != null) {
            copy(gradOut, gradIn);
        }
    }

    private static void copy(INDArray from, INDArray to) {
        if (from.length() != to.length() || from.size(0) != to.size(0)) {
            throw new IllegalArgumentException("flatten: incompatible shapes " + from.shapeInfoToString() + " -> "
                    + to.shapeInfoToString());
        }
        to.assign(from.reshape('c', to.shape()));
    }
}
