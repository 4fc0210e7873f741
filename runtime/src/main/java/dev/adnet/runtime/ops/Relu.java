package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code max(x, 0)}; the gradient at exactly 0 is taken as 0 (as PyTorch). Branch-free (see {@link Bits}).
 */
public final class Relu {
    private Relu() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int i = 0; i < xd.length; i++) {
                od.set(i, Bits.relu(xd.get(i)));
            }
        }
    }

    /** Uses {@code x} only ({@code out} may be null). */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        try (Direct xd = Direct.in(x); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < xd.length; i++) {
                gi.set(i, Bits.ifPositive(xd.get(i), g.get(i)));
            }
        }
    }
}
