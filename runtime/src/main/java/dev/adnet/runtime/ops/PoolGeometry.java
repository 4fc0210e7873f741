package dev.adnet.runtime.ops;

/**
 * The geometry of a 2-D pooling window over NCHW input. Output size and SAME padding as in {@link ConvGeometry}
 * (no dilation): {@code floor((in + 2*pad - kernel) / stride) + 1}, or {@code ceil(in / stride)} when {@code same}.
 */
public record PoolGeometry(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW, boolean same) {

    public PoolGeometry {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("kernel and stride must be positive, padding >= 0");
        }
    }

    /** A square window with explicit padding. */
    public static PoolGeometry of(int kernel, int stride, int pad) {
        return new PoolGeometry(kernel, kernel, stride, stride, pad, pad, false);
    }

    /** A square window with SAME padding. */
    public static PoolGeometry same(int kernel, int stride) {
        return new PoolGeometry(kernel, kernel, stride, stride, 0, 0, true);
    }

    /** The batch-first output shape {@code [B, C, oH, oW]} for an NCHW input shape. */
    public long[] outputShape(long[] inputNCHW) {
        if (inputNCHW.length != 4) {
            throw new IllegalArgumentException("expected an NCHW shape, got rank " + inputNCHW.length);
        }
        return new long[] {
            inputNCHW[0],
            inputNCHW[1],
            ConvGeometry.outSize(inputNCHW[2], kernelH, strideH, padH, 1, same),
            ConvGeometry.outSize(inputNCHW[3], kernelW, strideW, padW, 1, same)
        };
    }

    /** libnd4j pooling iArgs: kH,kW,sH,sW,pH,pW,dH,dW,same,extra,format(0 = NCHW). */
    long[] nativeArgs(int extra) {
        return new long[] {kernelH, kernelW, strideH, strideW, padH, padW, 1, 1, same ? 1 : 0, extra, 0};
    }
}
