package dev.adnet.runtime.share;

import dev.adnet.runtime.adaptive.GumbelSoftmax;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One task's decision for one unit of a share, from its two logits {@code [select, skip]} (AdaShare's order): a policy
 * per task, not per sample, so the decision {@code z} ({@code [B, 1]}) holds the same value in every row.
 *
 * <p>Training (AdaShare's {@code F.gumbel_softmax(logits, tau, hard)}): one Gumbel sample per step, {@code s =
 * softmax((logits + g) / tau)}, {@code z = s[select]} (soft) or {@code z = [s[select] > s[skip]]} (straight-through,
 * the gradient of the soft sample passed through). The noise is {@link GumbelSoftmax#gumbel} of the step's seed, so a
 * step is reproducible. Inference: the argmax, 1 when {@code select > skip}.
 */
public final class TaskPolicy {
    private TaskPolicy() {}

    /**
     * @param logits {@code [2]}: select, skip
     * @param z {@code [B, 1]} output, the decision in every row
     * @param soft {@code [B, 2]} output, the soft sample (every element its select probability), for {@link #backward}
     */
    public static void trainForward(INDArray logits, double tau, boolean softEstimator, long seed, INDArray z, INDArray soft) {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("a policy's temperature must be positive: " + tau);
        }
        double a0 = logits.getDouble(0) + GumbelSoftmax.gumbel(seed, 0, 0);
        double a1 = logits.getDouble(1) + GumbelSoftmax.gumbel(seed, 0, 1);
        // a 2-way softmax as a logistic function of the difference: stable for any difference
        double select = 1 / (1 + Math.exp(-(a0 - a1) / tau));
        z.assign(softEstimator ? select : select > 0.5 ? 1.0 : 0.0);
        soft.assign(select);
    }

    /**
     * The gradient of the logits from the decision's, summed over the batch (one decision stands for every row):
     * {@code d select = sum(gradZ) * s (1 - s) / tau}, {@code d skip} its negation; overwrites {@code gradLogits}.
     */
    public static void backward(INDArray soft, double tau, INDArray gradZ, INDArray gradLogits) {
        if (gradLogits == null) {
            return;
        }
        double s = soft.getDouble(0);
        double g = gradZ.sumNumber().doubleValue() * s * (1 - s) / tau;
        gradLogits.putScalar(0, g);
        gradLogits.putScalar(1, -g);
    }

    /**
     * {@link #trainForward} under AdaShare's schedule: a unit whose policy {@code control} does not sample (warm-up,
     * or before the curriculum's last units) runs, {@code z = 1}, and its soft sample is NaN, which {@link #backward}
     * reads as "no gradient".
     */
    public static void trainForward(PolicyControl control, int unit, int units, INDArray logits, double tau,
            boolean softEstimator, long seed, INDArray z, INDArray soft) {
        if (control.sampled(unit, units)) {
            trainForward(logits, control.temperatureOr(tau), softEstimator, seed, z, soft);
        } else {
            z.assign(1.0);
            soft.assign(Double.NaN);
        }
    }

    /** {@link #backward} under the schedule: a unit that ran without sampling gives its logits no gradient. */
    public static void backward(PolicyControl control, INDArray soft, double tau, INDArray gradZ, INDArray gradLogits) {
        if (gradLogits != null && Double.isNaN(soft.getDouble(0))) {
            gradLogits.assign(0.0);
            return;
        }
        backward(soft, control.temperatureOr(tau), gradZ, gradLogits);
    }

    /** The argmax decision, 1 (run the unit) when the select logit is larger; ties skip. */
    public static boolean runs(INDArray logits) {
        return logits.getDouble(0) > logits.getDouble(1);
    }

    /** {@link #runs} as the decision array {@code [B, 1]}. */
    public static void inference(INDArray logits, INDArray z) {
        z.assign(runs(logits) ? 1.0 : 0.0);
    }
}
