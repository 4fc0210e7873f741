package dev.adnet.compiler.ir;

/**
 * The training set-up a {@code train} section declares, as compiler data: the emitter writes it out as the runtime's
 * {@code TrainingConfig}, {@code OptimizerConfig} and {@code ScheduleConfig} (same fields, same enum constant names),
 * which the front end names and never loads.
 *
 * @param optimizer the update rule
 * @param schedule the learning-rate schedule
 * @param epochs passes over the training data
 * @param batchSize samples per step
 * @param seed seeds initialisation, shuffling and every random choice during training
 */
public record TrainingSetup(Optimizer optimizer, Schedule schedule, int epochs, int batchSize, long seed) {

    /**
     * An optimizer: the fields of the runtime's {@code OptimizerConfig}.
     *
     * @param momentum SGD momentum (0 for plain SGD)
     * @param weightDecay L2 penalty (SGD, Adam) or decoupled decay (AdamW)
     */
    public record Optimizer(OptimizerKind kind, double learningRate, double momentum, boolean nesterov,
            double weightDecay, double beta1, double beta2, double epsilon) {

        public static Optimizer sgd(double lr, double momentum, boolean nesterov, double weightDecay) {
            return new Optimizer(OptimizerKind.SGD, lr, momentum, nesterov, weightDecay, 0.9, 0.999, 1e-8);
        }

        public static Optimizer adam(double lr, double weightDecay, double beta1, double beta2, double eps) {
            return new Optimizer(OptimizerKind.ADAM, lr, 0, false, weightDecay, beta1, beta2, eps);
        }

        public static Optimizer adamw(double lr, double weightDecay, double beta1, double beta2, double eps) {
            return new Optimizer(OptimizerKind.ADAMW, lr, 0, false, weightDecay, beta1, beta2, eps);
        }
    }

    /** The constants of the runtime's {@code OptimizerConfig.Kind}. */
    public enum OptimizerKind {
        SGD,
        ADAM,
        ADAMW
    }

    /**
     * A learning-rate schedule: the fields of the runtime's {@code ScheduleConfig}, positions in epochs.
     *
     * @param milestones for STEP: the epochs at which the rate is multiplied by {@code factor}
     * @param minLearningRate for COSINE: the rate reached at the end of training
     * @param warmupEpochs linear warm-up from 0 to the base rate over this many epochs (0 for none)
     */
    public record Schedule(ScheduleKind kind, double[] milestones, double factor, double minLearningRate,
            double warmupEpochs) {
        public Schedule {
            milestones = milestones.clone();
        }

        @Override
        public double[] milestones() {
            return milestones.clone();
        }
    }

    /** The constants of the runtime's {@code ScheduleConfig.Kind}. */
    public enum ScheduleKind {
        CONSTANT,
        STEP,
        COSINE
    }
}
