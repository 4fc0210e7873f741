package dev.adnet.runtime.data;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a checkpoint records of the data it was trained on, so that evaluation and prediction treat new data the same
 * way: each input's normalisation and each classification output's class names.
 */
public record DataSpec(Map<String, Normalisation> normalisation, Map<String, List<String>> classNames) {
    public DataSpec {
        normalisation = Collections.unmodifiableMap(new LinkedHashMap<>(normalisation));
        Map<String, List<String>> c = new LinkedHashMap<>();
        classNames.forEach((k, v) -> c.put(k, List.copyOf(v)));
        classNames = Collections.unmodifiableMap(c);
    }

    /** What checkpoints written before data specs existed were trained on: Fashion-MNIST, one input and one output. */
    public static DataSpec fashionMnist(String input, String output) {
        return new DataSpec(Map.of(input, Normalisation.FASHION_MNIST), Map.of(output, FashionMnist.CLASS_NAMES));
    }

    /** The class names of {@code output}, or {@code class 0}, {@code class 1}, ... when none were recorded. */
    public List<String> classNames(String output, int classes) {
        List<String> names = classNames.get(output);
        if (names != null && names.size() == classes) {
            return names;
        }
        return java.util.stream.IntStream.range(0, classes).mapToObj(c -> "class " + c).toList();
    }
}
