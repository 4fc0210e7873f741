package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hyperbolic tangent; the forward is libnd4j's vectorised transform, the VJP a loop using the output. */
public final class Tanh {
    private Tanh() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(x, out));
    }

    /** Uses {@code out} only ({@code x} may be null): {@code dy * (1 - y^2)}. */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut", out, gradOut);
        Check.sameShape("gradIn", out, gradIn);
        try (Direct y = Direct.in(out); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < y.length; i++) {
                double v = y.get(i);
                gi.set(i, g.get(i) * (1 - v * v));
            }
        }
    }
}
