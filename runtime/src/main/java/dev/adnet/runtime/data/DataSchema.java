package dev.adnet.runtime.data;

import dev.adnet.runtime.TensorSpec;
import java.util.Arrays;
import java.util.List;

/**
 * What a network needs from a dataset: one array per declared input, of the declared per-sample shape, and a target
 * per trained output (class indices for a classification loss, values of the output's shape for a regression loss).
 *
 * @param network the network's name, for messages
 * @param inputs the declared inputs
 * @param targets every output, with what its loss needs
 */
public record DataSchema(String network, List<TensorSpec> inputs, List<Target> targets) {
    public DataSchema {
        inputs = List.copyOf(inputs);
        targets = List.copyOf(targets);
    }

    /** What an output's loss takes. */
    public enum Kind {
        /** integer class indices in {@code [0, classes)}, one per sample ({@code cross_entropy}) */
        CLASSES,
        /** values of the output's shape ({@code mse}) */
        VALUES,
        /** nothing: the output has no loss; data for it is ignored */
        NONE
    }

    /** An output and what its loss takes. */
    public record Target(String name, long[] shape, Kind kind) {
        public Target {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** The class count of a classification output {@code [classes]}. */
        public int classes() {
            return (int) shape[shape.length - 1];
        }

        @Override
        public String toString() {
            return name + Arrays.toString(shape) + (kind == Kind.CLASSES ? " (class indices)" : kind == Kind.VALUES ? " (values)" : "");
        }
    }

    /** One input and one classification output: an image classifier, for instance. */
    public static DataSchema classifier(String network, TensorSpec input, TensorSpec output) {
        return new DataSchema(network, List.of(input), List.of(new Target(output.name(), output.shape(), Kind.CLASSES)));
    }

    public Target target(String name) {
        return targets.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    public TensorSpec input(String name) {
        return inputs.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }
}
