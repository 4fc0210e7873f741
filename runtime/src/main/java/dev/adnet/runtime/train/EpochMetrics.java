package dev.adnet.runtime.train;

import java.util.Map;

/**
 * What one epoch measured.
 *
 * @param epoch the epoch, from 0
 * @param step the global step count at its end
 * @param trainLoss the mean training loss over the epoch's samples
 * @param trainAccuracy the running training accuracy of the loader's output (NaN if none)
 * @param testAccuracy evaluation accuracy per classification output (empty without a test loader)
 * @param learningRate the learning rate of the epoch's last step
 * @param seconds the epoch's wall time (training and evaluation)
 * @param samplesPerSecond training throughput
 * @param taskAccuracy the running training accuracy of each task of a multi-task network (empty without tasks)
 */
public record EpochMetrics(
        int epoch,
        long step,
        double trainLoss,
        double trainAccuracy,
        Map<String, Double> testAccuracy,
        double learningRate,
        double seconds,
        double samplesPerSecond,
        Map<String, Double> taskAccuracy) {
    public EpochMetrics {
        testAccuracy = Map.copyOf(testAccuracy);
        taskAccuracy = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(taskAccuracy));
    }

    /** The metrics of a network without tasks. */
    public EpochMetrics(int epoch, long step, double trainLoss, double trainAccuracy, Map<String, Double> testAccuracy,
            double learningRate, double seconds, double samplesPerSecond) {
        this(epoch, step, trainLoss, trainAccuracy, testAccuracy, learningRate, seconds, samplesPerSecond, Map.of());
    }
}
