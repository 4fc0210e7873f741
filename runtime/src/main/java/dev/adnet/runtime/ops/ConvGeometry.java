package dev.adnet.runtime.ops;

/**
 * The geometry of a 2-D convolution over NCHW input.
 *
 * <p>With {@code same == false} the explicit symmetric padding {@code padH}/{@code padW} applies and the output
 * size is {@code floor((in + 2*pad - dilation*(kernel-1) - 1) / stride) + 1} (PyTorch's). With {@code same == true}
 * the padding fields are ignored and the output size is {@code ceil(in / stride)}; the padding is then chosen as in
 * TensorFlow's SAME (any odd extra row or column goes at the bottom or right).
 *
 * @param groups the number of channel groups; input and output channels must both be divisible by it
 */
public record ConvGeometry(
        int kernelH,
        int kernelW,
        int strideH,
        int strideW,
        int padH,
        int padW,
        int dilationH,
        int dilationW,
        boolean same,
        int groups) {

    public ConvGeometry {
        if (kernelH < 1 || kernelW < 1 || strideH < 1 || strideW < 1 || dilationH < 1 || dilationW < 1) {
            throw new IllegalArgumentException("kernel, stride and dilation must be positive: " + describe(
                    kernelH, kernelW, strideH, strideW, dilationH, dilationW));
        }
        if (padH < 0 || padW < 0 || groups < 1) {
            throw new IllegalArgumentException("padding must be >= 0 and groups >= 1");
        }
    }

    private static String describe(int... v) {
        return java.util.Arrays.toString(v);
    }

    /** A square kernel with explicit padding, no dilation, one group. */
    public static ConvGeometry of(int kernel, int stride, int pad) {
        return new ConvGeometry(kernel, kernel, stride, stride, pad, pad, 1, 1, false, 1);
    }

    /** A rectangular kernel with explicit padding, no dilation, one group. */
    public static ConvGeometry of(int kernelH, int kernelW, int strideH, int strideW, int padH, int padW) {
        return new ConvGeometry(kernelH, kernelW, strideH, strideW, padH, padW, 1, 1, false, 1);
    }

    /** A square kernel with SAME padding (output size {@code ceil(in / stride)}), no dilation, one group. */
    public static ConvGeometry same(int kernel, int stride) {
        return new ConvGeometry(kernel, kernel, stride, stride, 0, 0, 1, 1, true, 1);
    }

    /** This geometry with the given dilation in both directions. */
    public ConvGeometry withDilation(int dilation) {
        return new ConvGeometry(kernelH, kernelW, strideH, strideW, padH, padW, dilation, dilation, same, groups);
    }

    /** This geometry with the given number of groups. */
    public ConvGeometry withGroups(int g) {
        return new ConvGeometry(kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, same, g);
    }

    /** The output size along one spatial axis. */
    static long outSize(long in, int kernel, int stride, int pad, int dilation, boolean same) {
        if (same) {
            return (in + stride - 1) / stride;
        }
        long effective = (long) dilation * (kernel - 1) + 1;
        long o = (in + 2L * pad - effective) / stride + 1;
        if (in + 2L * pad < effective || o < 1) {
            throw new IllegalArgumentException("input size " + in + " too small for kernel " + kernel
                    + " (dilation " + dilation + ", padding " + pad + ")");
        }
        return o;
    }

    /** The padding actually applied before the first row/column along one axis (SAME: TensorFlow's rule). */
    static int padBefore(long in, int kernel, int stride, int pad, int dilation, boolean same) {
        if (!same) {
            return pad;
        }
        long out = (in + stride - 1) / stride;
        long total = Math.max((out - 1) * stride + (long) dilation * (kernel - 1) + 1 - in, 0);
        return (int) (total / 2);
    }

    /** The batch-first output shape {@code [B, outChannels, oH, oW]} for an NCHW input shape. */
    public long[] outputShape(long[] inputNCHW, long outChannels) {
        if (inputNCHW.length != 4) {
            throw new IllegalArgumentException("expected an NCHW shape, got rank " + inputNCHW.length);
        }
        if (inputNCHW[1] % groups != 0 || outChannels % groups != 0) {
            throw new IllegalArgumentException("channels " + inputNCHW[1] + " -> " + outChannels
                    + " not divisible by groups " + groups);
        }
        return new long[] {
            inputNCHW[0],
            outChannels,
            outSize(inputNCHW[2], kernelH, strideH, padH, dilationH, same),
            outSize(inputNCHW[3], kernelW, strideW, padW, dilationW, same)
        };
    }

    /** The integer arguments of libnd4j's conv2d / conv2d_bp: NCHW data, [oC, iC, kH, kW] weights. */
    long[] nativeArgs() {
        return new long[] {kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW, same ? 1 : 0, 0, 1};
    }
}
