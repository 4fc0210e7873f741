package dev.adnet.runtime.train;

/**
 * A learning-rate schedule as declared in a {@code train} section. Positions are in epochs, fractional
 * epochs allowed; the trainer converts them to steps.
 *
 * @param kind the schedule's shape after warm-up
 * @param milestones for STEP: the epochs at which the rate is multiplied by {@code factor}
 * @param factor for STEP: the multiplier at each milestone
 * @param minLearningRate for COSINE: the rate reached at the end of training
 * @param warmupEpochs linear warm-up from 0 to the base rate over this many epochs (0 for none)
 */
public record ScheduleConfig(Kind kind, double[] milestones, double factor, double minLearningRate, double warmupEpochs) {

    public enum Kind {
        CONSTANT,
        STEP,
        COSINE
    }

    public ScheduleConfig {
        milestones = milestones.clone();
    }

    @Override
    public double[] milestones() {
        return milestones.clone();
    }

    public static ScheduleConfig constant() {
        return new ScheduleConfig(Kind.CONSTANT, new double[0], 1.0, 0.0, 0.0);
    }
}
