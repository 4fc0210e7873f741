package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 2-D max pooling (padding never wins: padded positions count as minus infinity), via libnd4j's
 * {@code maxpool2d} / {@code maxpool2d_bp}. The gradient of a window goes to its maximum.
 */
public final class MaxPool2d {
    private MaxPool2d() {}

    public static void forward(INDArray x, PoolGeometry g, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, g.outputShape(x.shape()));
        INDArray o = Native.denseTarget(out);
        Native.exec("maxpool2d", new INDArray[] {x}, new INDArray[] {o}, g.nativeArgs(0));
        Native.writeBack(o, out);
    }

    public static void backward(INDArray x, INDArray gradOut, PoolGeometry g, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("x", x, 4);
        Check.shape("gradOut", gradOut, g.outputShape(x.shape()));
        Check.sameShape("gradIn", x, gradIn);
        INDArray gi = Native.denseTarget(gradIn);
        Native.exec("maxpool2d_bp", new INDArray[] {x, gradOut}, new INDArray[] {gi}, g.nativeArgs(0));
        Native.writeBack(gi, gradIn);
    }
}
