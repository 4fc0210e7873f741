package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_a;

import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One convolution call's sizes and geometry, in oneDNN's terms: the key of its primitives, and the dimensions,
 * strides, gaps between kernel taps and padding on both sides that its descriptors take.
 */
record ConvShape(long n, long c, long h, long w, long oc, long oh, long ow, ConvGeometry g, boolean bias) {

    /** The shape of a channels-first call: x {@code [N, C, H, W]}, weights {@code [oC, C, kH, kW]}, y (or dy) NCHW. */
    static ConvShape channelsFirst(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray y) {
        return new ConvShape(x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), y.size(2), y.size(3), g, b != null);
    }

    /** The shape of a channels-last call: x {@code [N, H, W, C]}, weights {@code [oC, C, kH, kW]}, y (or dy) NHWC. */
    static ConvShape channelsLast(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray y) {
        return new ConvShape(x.size(0), x.size(3), x.size(1), x.size(2), w.size(0), y.size(1), y.size(2), g, b != null);
    }

    /** The bias's memory descriptor (one value per output channel). */
    dnnl_memory_desc_t biasMd() {
        return OneDnn.desc(new long[] {oc}, dnnl_a);
    }

    long[] srcDims() {
        return new long[] {n, c, h, w};
    }

    long[] dstDims() {
        return new long[] {n, oc, oh, ow};
    }

    long[] weightDims() {
        return new long[] {oc, c, g.kernelH(), g.kernelW()};
    }

    long[] strides() {
        return new long[] {g.strideH(), g.strideW()};
    }

    /** oneDNN counts the gaps between taps: dilation 1 is 0. */
    long[] dilation() {
        return new long[] {g.dilationH() - 1, g.dilationW() - 1};
    }

    long[] padBefore() {
        return new long[] {
            ConvGeometry.padBefore(h, g.kernelH(), g.strideH(), g.padH(), g.dilationH(), g.same()),
            ConvGeometry.padBefore(w, g.kernelW(), g.strideW(), g.padW(), g.dilationW(), g.same())
        };
    }

    /**
     * SAME: what the output size needs beyond the padding before (the odd extra row goes after). Explicit padding:
     * the same as before, as PyTorch pads; oneDNN floors the division as it does.
     */
    long[] padAfter() {
        long[] before = padBefore();
        if (!g.same()) {
            return before;
        }
        return new long[] {
            Math.max((oh - 1) * g.strideH() + (long) g.dilationH() * (g.kernelH() - 1) + 1 - h - before[0], 0),
            Math.max((ow - 1) * g.strideW() + (long) g.dilationW() * (g.kernelW() - 1) + 1 - w - before[1], 0)
        };
    }
}
