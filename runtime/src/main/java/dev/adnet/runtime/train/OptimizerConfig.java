package dev.adnet.runtime.train;

/**
 * An optimizer as declared in a {@code train} section.
 *
 * @param kind which update rule
 * @param learningRate the base learning rate, before the schedule
 * @param momentum SGD momentum (0 for plain SGD)
 * @param nesterov SGD with Nesterov momentum
 * @param weightDecay L2 penalty added to the gradient (SGD, Adam) or decoupled decay (AdamW); applies only to
 *     parameters whose {@link dev.adnet.runtime.Parameter#decay()} is true
 * @param beta1 Adam's first-moment decay
 * @param beta2 Adam's second-moment decay
 * @param epsilon Adam's denominator guard
 */
public record OptimizerConfig(
        Kind kind,
        double learningRate,
        double momentum,
        boolean nesterov,
        double weightDecay,
        double beta1,
        double beta2,
        double epsilon) {

    public enum Kind {
        SGD,
        ADAM,
        ADAMW
    }

    public static OptimizerConfig sgd(double lr, double momentum, boolean nesterov, double weightDecay) {
        return new OptimizerConfig(Kind.SGD, lr, momentum, nesterov, weightDecay, 0.9, 0.999, 1e-8);
    }

    public static OptimizerConfig adam(double lr, double weightDecay, double beta1, double beta2, double eps) {
        return new OptimizerConfig(Kind.ADAM, lr, 0, false, weightDecay, beta1, beta2, eps);
    }

    public static OptimizerConfig adamw(double lr, double weightDecay, double beta1, double beta2, double eps) {
        return new OptimizerConfig(Kind.ADAMW, lr, 0, false, weightDecay, beta1, beta2, eps);
    }
}
