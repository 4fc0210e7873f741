package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Batch normalisation over the channel axis 1 of {@code [B, C]} or {@code [B, C, H, W]} input; gamma, beta and all
 * statistics are {@code [C]}. {@code gamma}/{@code beta} may be null (no scale / no shift), and any gradient output
 * may be null (not needed).
 *
 * <p>Plain Java loops over the direct buffers ({@link BnKernels}; double accumulation): libnd4j's
 * {@code moments}, {@code batchnorm} and {@code batchnorm_bp} are the measured bottleneck of a residual block.
 */
public final class BatchNorm {
    private BatchNorm() {}

    /** Inference: normalises with the running statistics. */
    public static void inference(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps, INDArray out) {
        BnKernels.inference(dense(x), gamma, beta, runningMean, runningVar, eps, out, false);
    }

    /**
     * Training forward: normalises with the batch statistics, writes the batch mean and {@code 1/sqrt(var + eps)}
     * (biased variance) to {@code saveMean}/{@code saveInvStd} for {@link #backward}, and updates the running
     * statistics in place as PyTorch does: {@code running = (1 - momentum) * running + momentum * batch}, the
     * running variance taking the unbiased batch variance. Null running statistics are not updated.
     */
    public static void trainForward(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double momentum, double eps, INDArray out, INDArray saveMean, INDArray saveInvStd) {
        BnKernels.trainForward(dense(x), gamma, beta, runningMean, runningVar, momentum, eps, out, saveMean,
                saveInvStd, false);
    }

    /**
     * The training-mode VJP (through the batch mean and variance), from the statistics {@link #trainForward} saved.
     */
    public static void backward(INDArray x, INDArray gamma, INDArray saveMean, INDArray saveInvStd, INDArray gradOut,
            INDArray gradIn, INDArray gradGamma, INDArray gradBeta) {
        BnKernels.backward(dense(x), null, gamma, saveMean, saveInvStd, dense(gradOut), gradIn, gradGamma, gradBeta);
    }

    /** Inputs may be views; the kernels need dense c-order storage. */
    static INDArray dense(INDArray a) {
        return Direct.isDense(a) ? a : a.dup('c');
    }

    static int channels(INDArray x) {
        if (x.rank() != 2 && x.rank() != 4) {
            throw new IllegalArgumentException("batchnorm expects rank 2 or 4 input, got rank " + x.rank());
        }
        return (int) x.size(1);
    }

    static int inner(INDArray x) {
        return x.rank() == 4 ? Math.toIntExact(x.size(2) * x.size(3)) : 1;
    }

    static Direct opt(INDArray a) {
        return a == null ? null : Direct.in(a);
    }

    static Direct optOut(INDArray a) {
        return a == null ? null : Direct.out(a);
    }
}
