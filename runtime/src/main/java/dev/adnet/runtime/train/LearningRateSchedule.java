package dev.adnet.runtime.train;

/**
 * A learning rate as a function of the global step.
 *
 * <p>Warm-up (if any) rises linearly over the first {@code round(warmupEpochs * stepsPerEpoch)} steps: step
 * {@code s} gets {@code base * (s + 1) / warmupSteps}. After it, CONSTANT keeps the base rate; STEP multiplies it by
 * {@code factor} once for each milestone {@code m} with {@code step >= round(m * stepsPerEpoch)}; COSINE anneals
 * from the base rate to {@code minLearningRate} over the remaining steps,
 * {@code min + (base - min) * (1 + cos(pi * t)) / 2} with {@code t} going from 0 right after warm-up to 1 at the
 * last step of training.
 */
@FunctionalInterface
public interface LearningRateSchedule {
    double rate(long step, long stepsPerEpoch, int totalEpochs, double baseRate);

    static LearningRateSchedule of(ScheduleConfig c) {
        double[] milestones = c.milestones();
        double factor = c.factor();
        double min = c.minLearningRate();
        double warm = c.warmupEpochs();
        ScheduleConfig.Kind kind = c.kind();
        if (warm < 0) {
            throw new IllegalArgumentException("warm-up must not be negative: " + warm);
        }
        return (step, spe, epochs, base) -> {
            if (spe <= 0) {
                throw new IllegalArgumentException("steps per epoch must be positive: " + spe);
            }
            long warmSteps = Math.round(warm * spe);
            if (step < warmSteps) {
                return base * (step + 1) / warmSteps;
            }
            switch (kind) {
                case CONSTANT:
                    return base;
                case STEP: {
                    double r = base;
                    for (double m : milestones) {
                        if (step >= Math.round(m * spe)) {
                            r *= factor;
                        }
                    }
                    return r;
                }
                case COSINE: {
                    long total = (long) epochs * spe;
                    long span = total - warmSteps - 1;
                    double t = span <= 0 ? 1.0 : Math.min(1.0, (double) (step - warmSteps) / span);
                    return min + (base - min) * (1 + Math.cos(Math.PI * t)) / 2;
                }
                default:
                    throw new IllegalStateException("unknown schedule " + kind);
            }
        };
    }
}
