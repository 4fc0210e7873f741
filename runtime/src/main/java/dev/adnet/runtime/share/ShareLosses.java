package dev.adnet.runtime.share;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdaShare's regularisers of one share's policy logits ({@code logits[task][unit]}, each {@code [select, skip]}), as
 * its code computes them with its default settings ({@code is_sharing} and {@code diff_sparsity_weights} on,
 * {@code envs/blockdrop_env.py}):
 * <ul>
 * <li>sparsity ({@code get_sparsity_loss2}): for each task, the mean over units of the cross-entropy of the logits
 * against "skip", {@code softplus(select - skip)}; summed over tasks;
 * <li>sharing ({@code get_hamming_loss}): over pairs of tasks {@code i < j} and units {@code u}, {@code (u + 1) / U *
 * |select_i,u - select_j,u|} on the raw select logits. The weights grow with the unit's depth, as in that code (the
 * paper's formula weights early units more).
 * </ul>
 * The gradients are added into the logits' gradients ({@code weight} times the term's).
 */
public final class ShareLosses {
    private ShareLosses() {}

    public static double sparsity(INDArray[][] logits) {
        double sum = 0;
        for (INDArray[] task : logits) {
            double t = 0;
            for (INDArray l : task) {
                t += softplus(l.getDouble(0) - l.getDouble(1));
            }
            sum += t / task.length;
        }
        return sum;
    }

    public static void sparsityGradient(INDArray[][] logits, double weight, INDArray[][] grads) {
        for (int t = 0; t < logits.length; t++) {
            int units = logits[t].length;
            for (int u = 0; u < units; u++) {
                INDArray l = logits[t][u];
                double g = weight * sigmoid(l.getDouble(0) - l.getDouble(1)) / units;
                add(grads[t][u], 0, g);
                add(grads[t][u], 1, -g);
            }
        }
    }

    /**
     * The sparsity term under AdaShare's schedule: over the units whose policy {@code control} samples (the
     * curriculum's last units, as {@code get_sparsity_loss2} takes {@code logits[-num_blocks:]}), 0 when none does.
     */
    public static double sparsity(INDArray[][] logits, PolicyControl control) {
        double sum = 0;
        for (INDArray[] task : logits) {
            int first = control.firstSampled(task.length);
            double t = 0;
            for (int u = first; u < task.length; u++) {
                t += softplus(task[u].getDouble(0) - task[u].getDouble(1));
            }
            sum += first == task.length ? 0 : t / (task.length - first);
        }
        return sum;
    }

    public static void sparsityGradient(INDArray[][] logits, PolicyControl control, double weight, INDArray[][] grads) {
        for (int t = 0; t < logits.length; t++) {
            int units = logits[t].length;
            int first = control.firstSampled(units);
            for (int u = first; u < units; u++) {
                INDArray l = logits[t][u];
                double g = weight * sigmoid(l.getDouble(0) - l.getDouble(1)) / (units - first);
                add(grads[t][u], 0, g);
                add(grads[t][u], 1, -g);
            }
        }
    }

    public static double sharing(INDArray[][] logits) {
        double sum = 0;
        for (int i = 0; i < logits.length; i++) {
            for (int j = i + 1; j < logits.length; j++) {
                int units = logits[i].length;
                for (int u = 0; u < units; u++) {
                    sum += (u + 1.0) / units * Math.abs(logits[i][u].getDouble(0) - logits[j][u].getDouble(0));
                }
            }
        }
        return sum;
    }

    public static void sharingGradient(INDArray[][] logits, double weight, INDArray[][] grads) {
        for (int i = 0; i < logits.length; i++) {
            for (int j = i + 1; j < logits.length; j++) {
                int units = logits[i].length;
                for (int u = 0; u < units; u++) {
                    double g = weight * (u + 1.0) / units * Math.signum(logits[i][u].getDouble(0) - logits[j][u].getDouble(0));
                    add(grads[i][u], 0, g);
                    add(grads[j][u], 0, -g);
                }
            }
        }
    }

    private static void add(INDArray a, int i, double v) {
        a.putScalar(i, a.getDouble(i) + v);
    }

    private static double softplus(double x) {
        return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
    }

    private static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
