package dev.adnet.runtime.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A batch of training or evaluation samples.
 *
 * @param inputs network input name to a batch-first array
 * @param targets output name to its target: a one-hot array {@code [batch, classes]} for a classification
 *     loss, an array of the output's shape for a regression loss
 * @param labels output name to the class index of each sample (classification outputs only), for accuracy
 */
public record Batch(Map<String, INDArray> inputs, Map<String, INDArray> targets, Map<String, int[]> labels) {
    public Batch {
        inputs = Map.copyOf(inputs);
        targets = Map.copyOf(targets);
        labels = Map.copyOf(labels);
    }

    /** The number of samples, read from the first input. */
    public long size() {
        return inputs.values().iterator().next().size(0);
    }
}
