package dev.adnet.compiler.ir;

import dev.adnet.runtime.train.TrainingConfig;
import java.util.List;

/**
 * A checked train section: the loss as a weighted sum of terms, and the training set-up.
 *
 * @param terms the loss terms, each with its weight
 * @param config optimizer, schedule, epochs, batch size, seed
 */
public record TrainSpec(List<LossTerm> terms, TrainingConfig config) {
    public TrainSpec {
        terms = List.copyOf(terms);
    }

    /** One term of the loss. */
    public sealed interface LossTerm {
        double weight();

        /** How the term is shown in progress and metrics, e.g. {@code cross_entropy(logits)}. */
        String display();
    }

    /** Softmax cross-entropy of an output against one-hot targets, mean over the batch. */
    public record CrossEntropy(String output, double weight, double smoothing, String display) implements LossTerm {}

    /** Mean squared error of an output against targets of its shape. */
    public record MeanSquaredError(String output, double weight, String display) implements LossTerm {}
}
