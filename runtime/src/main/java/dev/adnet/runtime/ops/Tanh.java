package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The hyperbolic tangent. Dense FLOAT arrays run {@link FloatKernels#tanh} (a vectorised rational approximation,
 * ten times libnd4j's transform on a [256, 256] array); DOUBLE arrays libnd4j's transform, so that gradient checks
 * see the exact function. The VJP uses the output.
 */
public final class Tanh {
    private Tanh() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        if (dense(DataType.FLOAT, x, out)) {
            FloatKernels.tanh(x.data().asNioFloat(), BnKernels.off(x), out.data().asNioFloat(), BnKernels.off(out),
                    Math.toIntExact(x.length()));
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
            return;
        }
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh(x, out));
    }

    /** Uses {@code out} only ({@code x} may be null): {@code dy * (1 - y^2)}. */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut", out, gradOut);
        Check.sameShape("gradIn", out, gradIn);
        if (dense(DataType.FLOAT, out, gradOut, gradIn)) {
            FloatKernels.tanhBackward(out.data().asNioFloat(), BnKernels.off(out), gradOut.data().asNioFloat(),
                    BnKernels.off(gradOut), gradIn.data().asNioFloat(), BnKernels.off(gradIn), Math.toIntExact(out.length()));
            Reference.reachabilityFence(out);
            Reference.reachabilityFence(gradOut);
            Reference.reachabilityFence(gradIn);
            return;
        }
        try (Direct y = Direct.in(out); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < y.length; i++) {
                double v = y.get(i);
                gi.set(i, g.get(i) * (1 - v * v));
            }
        }
    }

    private static boolean dense(DataType type, INDArray... arrays) {
        for (INDArray a : arrays) {
            if (a.dataType() != type || !Direct.isDense(a)) {
                return false;
            }
        }
        return true;
    }
}
