package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The logistic function; the forward a Java pass for dense FLOAT arrays (a halting unit's [k, 1] cost more in
 * libnd4j's op dispatch than in arithmetic), libnd4j's transform otherwise; the VJP a loop using the output.
 */
public final class Sigmoid {
    private Sigmoid() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        if (x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && Direct.isDense(x) && Direct.isDense(out)) {
            FloatKernels.sigmoid(x.data().asNioFloat(), BnKernels.off(x), out.data().asNioFloat(), BnKernels.off(out),
                    Math.toIntExact(x.length()));
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
            return;
        }
        Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.strict.Sigmoid(x, out));
    }

    /** Uses {@code out} only ({@code x} may be null): {@code dy * y * (1 - y)}. */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut", out, gradOut);
        Check.sameShape("gradIn", out, gradIn);
        try (Direct y = Direct.in(out); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < y.length; i++) {
                double v = y.get(i);
                gi.set(i, g.get(i) * v * (1 - v));
            }
        }
    }
}
