package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** {@code mean((pred - target)^2)} over all elements; the target is a constant (no gradient). */
public final class MeanSquaredError {
    private MeanSquaredError() {}

    /**
     * @return the mean squared error
     * @param grad if non-null, overwritten with d(loss)/d(pred) = 2 (pred - target) / N
     */
    public static double forward(INDArray pred, INDArray target, INDArray grad) {
        Check.sameShape("target", pred, target);
        Check.sameShape("grad", pred, grad);
        double sum = 0;
        try (Direct p = Direct.in(pred); Direct t = Direct.in(target);
                Direct g = grad == null ? null : Direct.out(grad)) {
            double n = p.length;
            for (int i = 0; i < p.length; i++) {
                double d = p.get(i) - t.get(i);
                sum += d * d;
                if (g != null) {
                    g.set(i, 2 * d / n);
                }
            }
            return sum / n;
        }
    }
}
