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
 * @param measures batch means of what the network measures besides its loss, by name (a halting loop's mean ponder
 *     time); the trainer reports their epoch means
 */
public record StepResult(double loss, Map<String, Double> terms, Map<String, INDArray> outputs, Map<String, Double> measures) {
    public StepResult {
        terms = Map.copyOf(terms);
        outputs = Map.copyOf(outputs);
        measures = Map.copyOf(measures);
    }

    /** A step of a network that measures nothing besides its loss. */
    public StepResult(double loss, Map<String, Double> terms, Map<String, INDArray> outputs) {
        this(loss, terms, outputs, Map.of());
    }
}
