package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@code relu(batchnorm(x))} in training mode for {@code [B, C, H, W]}, fused: no intermediate array, the ReLU
 * applied in the normalisation pass, and its mask folded into the batchnorm VJP (see {@link BnKernels}). Same
 * conventions and saved statistics as {@link BatchNorm#trainForward} / {@link BatchNorm#backward}; gamma and beta
 * may be null, gradient outputs may be null. out, gradOut and gradIn must be dense c-order arrays of x's type (x
 * may be a view). The compiler emits this op for a batchnorm whose only consumer is a ReLU.
 */
public final class FusedBatchNormRelu {
    private FusedBatchNormRelu() {}

    /** Inference: {@code relu} of {@link BatchNorm#inference}, in one pass. */
    public static void inference(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps, INDArray out) {
        Check.rank("x", x, 4);
        BnKernels.inference(BatchNorm.dense(x), gamma, beta, runningMean, runningVar, eps, out, true);
    }

    public static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd) {
        Check.rank("x", x, 4);
        BnKernels.trainForward(BatchNorm.dense(x), gamma, beta, runningMean, runningVar, momentum, eps, out, saveMean,
                saveInvStd, true);
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
        BnKernels.backward(BatchNorm.dense(x), out, gamma, saveMean, saveInvStd, BatchNorm.dense(gradOut), gradIn,
                gradGamma, gradBeta);
    }
}
