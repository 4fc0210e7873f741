package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The mean over the spatial axes: {@code [B, C, H, W] -> [B, C]}, one pass each way. Dense FLOAT arrays run the
 * vectorised, multi-threaded {@link FloatKernels} (a gate head pools a 28x28 map per block, and the accessor loop
 * took as long as a 16-channel convolution there); anything else the generic accessor in double.
 */
public final class GlobalAvgPool {
    private GlobalAvgPool() {}

    public static void forward(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(1));
        int planes = Math.toIntExact(x.size(0) * x.size(1));
        int hw = Math.toIntExact(x.size(2) * x.size(3));
        if (floatDense(x, out)) {
            FloatKernels.planeMeans(x.data().asNioFloat(), BnKernels.off(x), out.data().asNioFloat(),
                    BnKernels.off(out), planes, hw);
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(out);
            return;
        }
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int p = 0; p < planes; p++) {
                double sum = 0;
                for (int s = p * hw; s < (p + 1) * hw; s++) {
                    sum += xd.get(s);
                }
                od.set(p, sum / hw);
            }
        }
    }

    public static void backward(INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("gradIn", gradIn, 4);
        Check.shape("gradOut", gradOut, gradIn.size(0), gradIn.size(1));
        int planes = Math.toIntExact(gradIn.size(0) * gradIn.size(1));
        int hw = Math.toIntExact(gradIn.size(2) * gradIn.size(3));
        if (floatDense(gradOut, gradIn)) {
            FloatKernels.planeMeansBackward(gradOut.data().asNioFloat(), BnKernels.off(gradOut),
                    gradIn.data().asNioFloat(), BnKernels.off(gradIn), planes, hw);
            Reference.reachabilityFence(gradOut);
            Reference.reachabilityFence(gradIn);
            return;
        }
        try (Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int p = 0; p < planes; p++) {
                double v = g.get(p) / hw;
                for (int s = p * hw; s < (p + 1) * hw; s++) {
                    gi.set(s, v);
                }
            }
        }
    }

    private static boolean floatDense(INDArray a, INDArray b) {
        return a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT && Direct.isDense(a)
                && Direct.isDense(b);
    }
}
