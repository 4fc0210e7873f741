package dev.adnet.runtime.train;

/**
 * The training set-up a source file declares; the command line may override epochs, batch size, learning
 * rate and seed.
 *
 * @param optimizer the update rule
 * @param schedule the learning-rate schedule
 * @param epochs passes over the training data
 * @param batchSize samples per step
 * @param seed seeds initialisation, shuffling and every random choice during training
 */
public record TrainingConfig(OptimizerConfig optimizer, ScheduleConfig schedule, int epochs, int batchSize, long seed) {

    public TrainingConfig withEpochs(int e) {
        return new TrainingConfig(optimizer, schedule, e, batchSize, seed);
    }

    public TrainingConfig withBatchSize(int b) {
        return new TrainingConfig(optimizer, schedule, epochs, b, seed);
    }

    public TrainingConfig withSeed(long s) {
        return new TrainingConfig(optimizer, schedule, epochs, batchSize, s);
    }

    public TrainingConfig withLearningRate(double lr) {
        OptimizerConfig o = optimizer;
        return new TrainingConfig(
                new OptimizerConfig(o.kind(), lr, o.momentum(), o.nesterov(), o.weightDecay(), o.beta1(), o.beta2(), o.epsilon()),
                schedule, epochs, batchSize, seed);
    }
}
