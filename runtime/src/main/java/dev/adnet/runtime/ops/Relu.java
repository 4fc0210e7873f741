package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.DoubleBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code max(x, 0)}; the gradient at exactly 0 is taken as 0 (as PyTorch). Dense FLOAT arrays run the tiled,
 * vectorised, multi-threaded {@link FloatKernels}; dense DOUBLE arrays branch-free loops over the raw buffers
 * (see {@link Bits}); anything else the generic accessor. NaN inputs give NaN outputs and gradients in FLOAT.
 */
public final class Relu {
    private Relu() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        if (fast(x, out, out)) {
            int n = Math.toIntExact(x.length());
            int xo = BnKernels.off(x);
            int oo = BnKernels.off(out);
            if (x.dataType() == DataType.FLOAT) {
                FloatKernels.relu(x.data().asNioFloat(), xo, out.data().asNioFloat(), oo, n);
            } else {
                DoubleBuffer xb = x.data().asNioDouble();
                DoubleBuffer ob = out.data().asNioDouble();
                for (int i = 0; i < n; i++) {
                    ob.put(oo + i, Bits.relu(xb.get(xo + i)));
                }
            }
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
            return;
        }
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int i = 0; i < xd.length; i++) {
                od.set(i, Bits.relu(xd.get(i)));
            }
        }
    }

    /** Uses {@code x} only ({@code out} may be null). */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        if (fast(x, gradOut, gradIn)) {
            int n = Math.toIntExact(x.length());
            int xo = BnKernels.off(x);
            int go = BnKernels.off(gradOut);
            int io = BnKernels.off(gradIn);
            if (x.dataType() == DataType.FLOAT) {
                FloatKernels.reluBackward(x.data().asNioFloat(), xo, gradOut.data().asNioFloat(), go, null, 0,
                        gradIn.data().asNioFloat(), io, n);
            } else {
                DoubleBuffer xb = x.data().asNioDouble();
                DoubleBuffer gb = gradOut.data().asNioDouble();
                DoubleBuffer ib = gradIn.data().asNioDouble();
                for (int i = 0; i < n; i++) {
                    ib.put(io + i, Bits.ifPositive(xb.get(xo + i), gb.get(go + i)));
                }
            }
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(gradOut);
            Reference.reachabilityFence(gradIn);
            return;
        }
        try (Direct xd = Direct.in(x); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < xd.length; i++) {
                gi.set(i, Bits.ifPositive(xd.get(i), g.get(i)));
            }
        }
    }

    /**
     * {@link #backward} of a gradient that arrives as two contributions, {@code gradOut + gradOut2}, summed in the same
     * pass (the generated backward passes the last contribution here instead of first adding it into gradOut).
     */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradOut2, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut2", x, gradOut2);
        if (x.dataType() == DataType.FLOAT && fast(x, gradOut, gradIn) && fast(x, gradOut2, gradIn)) {
            Check.sameShape("gradOut", x, gradOut);
            Check.sameShape("gradIn", x, gradIn);
            FloatKernels.reluBackward(x.data().asNioFloat(), BnKernels.off(x), gradOut.data().asNioFloat(),
                    BnKernels.off(gradOut), gradOut2.data().asNioFloat(), BnKernels.off(gradOut2),
                    gradIn.data().asNioFloat(), BnKernels.off(gradIn), Math.toIntExact(x.length()));
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(gradOut);
            Reference.reachabilityFence(gradOut2);
            Reference.reachabilityFence(gradIn);
            return;
        }
        INDArray sum = gradOut.dup();
        Elementwise.accumulate(sum, gradOut2);
        backward(x, out, sum, gradIn);
    }

    private static boolean fast(INDArray a, INDArray b, INDArray c) {
        DataType t = a.dataType();
        return (t == DataType.FLOAT || t == DataType.DOUBLE) && b.dataType() == t && c.dataType() == t
                && Direct.isDense(a) && Direct.isDense(b) && Direct.isDense(c);
    }
}
