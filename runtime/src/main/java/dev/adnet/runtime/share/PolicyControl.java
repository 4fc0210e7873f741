package dev.adnet.runtime.share;

/**
 * Which policies a training step samples, set by {@link AdaShareTrainer} between phases of AdaShare's schedule and read
 * by the generated training step of a network whose train section declares {@code policy_schedule adashare(...)}:
 * <ul>
 * <li>warm-up: no unit's policy is sampled, every unit runs ({@code z = 1}) and no logit gets a gradient (AdaShare's
 * {@code is_policy=False} forward);
 * <li>curriculum: only the last {@code k} units of each share sample their policy, the earlier ones run (AdaShare's
 * {@code num_train_layers}, the first units' policies padded with "select");
 * <li>temperature: the policies' Gumbel-softmax temperature, decayed by the trainer after every policy phase.
 * </ul>
 * A fresh control samples every unit at the compiled temperature, which is how a network without the schedule trains.
 * One control is written between steps and read during them, by one training thread ({@code TrainingGuard}).
 */
public final class PolicyControl {
    private volatile boolean warmup;
    private volatile int sampledUnits = Integer.MAX_VALUE;
    private volatile double temperature = Double.NaN;

    /** Warm-up: every unit runs and no policy is sampled. */
    public void warmup(boolean on) {
        this.warmup = on;
    }

    /** Only the last {@code k} units of each share sample their policy (k >= 1). */
    public void sampleLast(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("at least one unit's policy is sampled: " + k);
        }
        this.sampledUnits = k;
    }

    /** The policies' temperature from now on, overriding the compiled one. */
    public void setTemperature(double tau) {
        if (!(tau > 0)) {
            throw new IllegalArgumentException("a policy's temperature must be positive: " + tau);
        }
        this.temperature = tau;
    }

    /** Whether unit {@code unit} (from 0) of a share of {@code units} samples its policy in this step. */
    public boolean sampled(int unit, int units) {
        return !warmup && unit >= units - sampledUnits;
    }

    /** The first unit of a share of {@code units} that samples its policy ({@code units} when none does). */
    public int firstSampled(int units) {
        return warmup ? units : Math.max(0, units - sampledUnits);
    }

    /** The set temperature, else {@code compiled}. */
    public double temperatureOr(double compiled) {
        return Double.isNaN(temperature) ? compiled : temperature;
    }
}
