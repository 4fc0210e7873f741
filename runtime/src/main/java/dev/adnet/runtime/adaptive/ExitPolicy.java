package dev.adnet.runtime.adaptive;

/**
 * When a sample leaves at an exit, judged from the exit head's logits over the classes. A calibrated budget is a
 * {@link #CONFIDENCE} policy whose threshold calibration chose.
 */
public enum ExitPolicy {
    /** The head is trained but no sample leaves there. */
    NONE,
    /** The largest softmax probability exceeds the threshold (SDN). */
    CONFIDENCE,
    /** The softmax's entropy (natural log) is below the threshold (BranchyNet, DeeBERT). */
    ENTROPY,
    /** The predicted class has been the same at {@code threshold} consecutive exits, this one included (PABEE). */
    PATIENCE;

    /**
     * Whether the sample whose logits are {@code logits[offset, offset + classes)} leaves.
     *
     * @param streak how many consecutive exits, this one included, have predicted this exit's class
     */
    public boolean fires(double[] logits, int offset, int classes, double threshold, int streak) {
        return switch (this) {
            case NONE -> false;
            case CONFIDENCE -> confidence(logits, offset, classes) > threshold;
            case ENTROPY -> entropy(logits, offset, classes) < threshold;
            case PATIENCE -> streak >= threshold;
        };
    }

    /** The largest softmax probability: {@code 1 / sum_j exp(l_j - max)}. */
    public static double confidence(double[] logits, int offset, int classes) {
        double max = max(logits, offset, classes);
        double sum = 0;
        for (int j = 0; j < classes; j++) {
            sum += Math.exp(logits[offset + j] - max);
        }
        return 1.0 / sum;
    }

    /** The softmax's entropy in nats, computed stably from the logits. */
    public static double entropy(double[] logits, int offset, int classes) {
        double max = max(logits, offset, classes);
        double sum = 0;
        double weighted = 0;
        for (int j = 0; j < classes; j++) {
            double d = logits[offset + j] - max;
            double e = Math.exp(d);
            sum += e;
            weighted += e * d;
        }
        // H = log(sum) - sum_j p_j d_j, with p_j = e_j / sum and d_j = l_j - max
        return Math.log(sum) - weighted / sum;
    }

    /** The first index of the largest logit. */
    public static int argmax(double[] logits, int offset, int classes) {
        int best = 0;
        for (int j = 1; j < classes; j++) {
            if (logits[offset + j] > logits[offset + best]) {
                best = j;
            }
        }
        return best;
    }

    private static double max(double[] logits, int offset, int classes) {
        double m = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < classes; j++) {
            m = Math.max(m, logits[offset + j]);
        }
        return m;
    }
}
