package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 2-D average pooling via libnd4j's {@code avgpool2d} / {@code avgpool2d_bp}.
 *
 * <p>Padding: by default padded positions COUNT in the divisor (every window divides by {@code kH * kW}), as
 * PyTorch's default {@code count_include_pad=True}. The overloads with {@code countPadding = false} divide by the
 * number of real input positions in the window instead (TensorFlow's behaviour for SAME padding).
 */
public final class AvgPool2d {
    private AvgPool2d() {}

    public static void forward(INDArray x, PoolGeometry g, INDArray out) {
        forward(x, g, true, out);
    }

    public static void backward(INDArray x, INDArray gradOut, PoolGeometry g, INDArray gradIn) {
        backward(x, gradOut, g, true, gradIn);
    }

    public static void forward(INDArray x, PoolGeometry g, boolean countPadding, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, g.outputShape(x.shape()));
        INDArray o = Native.denseTarget(out);
        Native.exec("avgpool2d", new INDArray[] {x}, new INDArray[] {o}, g.nativeArgs(extra(countPadding)));
        Native.writeBack(o, out);
    }

    public static void backward(INDArray x, INDArray gradOut, PoolGeometry g, boolean countPadding,
            INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("x", x, 4);
        Check.shape("gradOut", gradOut, g.outputShape(x.shape()));
        Check.sameShape("gradIn", x, gradIn);
        INDArray gi = Native.denseTarget(gradIn);
        Native.exec("avgpool2d_bp", new INDArray[] {x, gradOut}, new INDArray[] {gi},
                g.nativeArgs(extra(countPadding)));
        Native.writeBack(gi, gradIn);
    }

    /** libnd4j's extraParam0: 0 divides by the real positions only, 1 by the whole kernel area. */
    private static int extra(boolean countPadding) {
        return countPadding ? 1 : 0;
    }
}
