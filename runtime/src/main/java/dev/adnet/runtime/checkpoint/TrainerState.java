package dev.adnet.runtime.checkpoint;

/**
 * Where training stands when a checkpoint is written.
 *
 * @param epoch the epoch to continue with (0-based)
 * @param batchInEpoch batches of that epoch already done (0 at an epoch boundary)
 * @param step global steps done
 * @param bestMetric the best evaluation metric so far (NaN if none)
 * @param seed the training seed
 * @param epochLossSum the sum of the batch losses times batch sizes so far in this epoch (for resuming mid-epoch)
 * @param epochSamples samples seen so far in this epoch
 * @param epochCorrect correctly classified samples so far in this epoch
 */
public record TrainerState(
        int epoch,
        int batchInEpoch,
        long step,
        double bestMetric,
        long seed,
        double epochLossSum,
        long epochSamples,
        long epochCorrect) {

    public static TrainerState start(long seed) {
        return new TrainerState(0, 0, 0, Double.NaN, seed, 0, 0, 0);
    }
}
