package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code relu(batchnorm(x))} in training mode for {@code [B, C, H, W]}, fused: no intermediate array, the ReLU
 * applied in the normalisation pass, and its mask folded into the batchnorm VJP (see {@link BnKernels}). Same
 * conventions and saved statistics as {@link BatchNorm#trainForward} / {@link BatchNorm#backward}; gamma and beta
 * may be null, gradient outputs may be null. x, out, gradOut and gradIn must be dense c-order arrays of one type.
 */
public final class FusedBatchNormRelu {
    private FusedBatchNormRelu() {}

    public static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd) {
        Check.rank("x", x, 4);
        BnKernels.trainForward(x, gamma, beta, runningMean, runningVar, momentum, eps, out, saveMean, saveInvStd,
                true);
    }

    /**
     * The VJP; {@code out} is the forward output, whose zeros give the ReLU mask (the gradient at exactly 0 is 0).
     */
    public static void backward(INDArray x, INDArray out, INDArray gamma, INDArray saveMean, INDArray saveInvStd,
            INDArray gradOut, INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        Check.rank("x", x, 4);
        if (out == null) {
            throw new IllegalArgumentException("out (the forward output) is required for the ReLU mask");
        }
        BnKernels.backward(x, out, gamma, saveMean, saveInvStd, gradOut, gradIn, gradGamma, gradBeta);
    }
}
