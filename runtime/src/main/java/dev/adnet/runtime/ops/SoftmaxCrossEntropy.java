package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Softmax cross-entropy over the classes of {@code logits [B, C]} against target distributions {@code [B, C]}
 * (one-hot rows, or any rows summing to 1), averaged over the batch, with PyTorch's label smoothing: the target
 * becomes {@code (1 - s) * t + s / C}. Computed with log-sum-exp, so large logits do not overflow. The loss and
 * its gradient come from one pass.
 */
public final class SoftmaxCrossEntropy {
    private SoftmaxCrossEntropy() {}

    /**
     * @return the mean loss over the batch
     * @param gradLogits if non-null, overwritten with d(mean loss)/d(logits) = (softmax * sum(t') - t') / B
     */
    public static double forward(INDArray logits, INDArray oneHot, double labelSmoothing, INDArray gradLogits) {
        Check.rank("logits", logits, 2);
        Check.sameShape("oneHot", logits, oneHot);
        Check.sameShape("gradLogits", logits, gradLogits);
        int batch = (int) logits.size(0);
        int c = (int) logits.size(1);
        double s = labelSmoothing;
        double total = 0;
        try (Direct z = Direct.in(logits); Direct t = Direct.in(oneHot);
                Direct g = gradLogits == null ? null : Direct.out(gradLogits)) {
            for (int n = 0; n < batch; n++) {
                int base = n * c;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < c; j++) {
                    max = Math.max(max, z.get(base + j));
                }
                double sumExp = 0;
                for (int j = 0; j < c; j++) {
                    sumExp += Math.exp(z.get(base + j) - max);
                }
                double logSum = max + Math.log(sumExp);
                double tSum = 0;
                double loss = 0;
                for (int j = 0; j < c; j++) {
                    double tj = (1 - s) * t.get(base + j) + s / c;
                    tSum += tj;
                    loss -= tj * (z.get(base + j) - logSum);
                }
                total += loss;
                if (g != null) {
                    for (int j = 0; j < c; j++) {
                        double tj = (1 - s) * t.get(base + j) + s / c;
                        double p = Math.exp(z.get(base + j) - logSum);
                        g.set(base + j, (p * tSum - tj) / batch);
                    }
                }
            }
        }
        return total / batch;
    }
}
