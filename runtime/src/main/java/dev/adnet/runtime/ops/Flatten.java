package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Copies between shapes with the same number of elements in c order, e.g. {@code [B, C, H, W] -> [B, C*H*W]}. */
public final class Flatten {
    private Flatten() {}

    public static void forward(INDArray x, INDArray out) {
        copy(x, out);
    }

    public static void backward(INDArray gradOut, INDArray gradIn) {
        copy(gradOut, gradIn);
    }

    private static void copy(INDArray from, INDArray to) {
        if (from.length() != to.length() || from.size(0) != to.size(0)) {
            throw new IllegalArgumentException("flatten: incompatible shapes " + from.shapeInfoToString() + " -> "
                    + to.shapeInfoToString());
        }
        try (Direct f = Direct.in(from); Direct t = Direct.out(to)) {
            for (int i = 0; i < f.length; i++) {
                t.set(i, f.get(i));
            }
        }
    }
}
