package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Self-distillation of an exit head from the network's final output (Hinton et al.; SDN's and BYOT's recipe):
 * {@code T^2 * mean_n KL(softmax(teacher/T) || softmax(student/T))} over the classes of {@code [B, C]} logits. The
 * teacher is a target, not a path for gradients; the {@code T^2} keeps the gradient's scale independent of the
 * temperature. Loss and gradient from one log-sum-exp pass.
 */
public final class Distillation {
    private Distillation() {}

    /**
     * @return the mean loss over the batch
     * @param gradStudent if non-null, overwritten with d(loss)/d(student) = T * (softmax(student/T) - softmax(teacher/T)) / B
     */
    public static double forward(INDArray student, INDArray teacher, double temperature, INDArray gradStudent) {
        Check.rank("student", student, 2);
        Check.sameShape("teacher", student, teacher);
        Check.sameShape("gradStudent", student, gradStudent);
        if (!(temperature > 0)) {
            throw new IllegalArgumentException("the distillation temperature must be positive, not " + temperature);
        }
        int batch = (int) student.size(0);
        int c = (int) student.size(1);
        double t = temperature;
        double total = 0;
        try (Direct s = Direct.in(student); Direct q = Direct.in(teacher);
                Direct g = gradStudent == null ? null : Direct.out(gradStudent)) {
            for (int n = 0; n < batch; n++) {
                int base = n * c;
                double sLog = logSumExp(s, base, c, t);
                double qLog = logSumExp(q, base, c, t);
                double kl = 0;
                for (int j = 0; j < c; j++) {
                    double logP = s.get(base + j) / t - sLog;
                    double logQ = q.get(base + j) / t - qLog;
                    double qj = Math.exp(logQ);
                    kl += qj * (logQ - logP);
                    if (g != null) {
                        g.set(base + j, t * (Math.exp(logP) - qj) / batch);
                    }
                }
                total += t * t * kl;
            }
        }
        return total / batch;
    }

    private static double logSumExp(Direct z, int base, int c, double t) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, z.get(base + j) / t);
        }
        double sum = 0;
        for (int j = 0; j < c; j++) {
            sum += Math.exp(z.get(base + j) / t - max);
        }
        return max + Math.log(sum);
    }
}
