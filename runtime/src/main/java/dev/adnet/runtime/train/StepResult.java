package dev.adnet.runtime.train;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What one training step computed.
 *
 * @param loss the total loss that was differentiated
 * @param terms each declared loss or complexity term by its display name (for example
 *     {@code cross_entropy(logits)}), already multiplied by its weight
 * @param outputs the training-mode outputs of the step, by output name, for running accuracy
 */
public record StepResult(double loss, Map<String, Double> terms, Map<String, INDArray> outputs) {
    public StepResult {
        terms = Map.copyOf(terms);
        outputs = Map.copyOf(outputs);
    }
}
