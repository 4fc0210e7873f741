package dev.adnet.runtime.train;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The running training accuracy of each task of a multi-task network over one epoch, from the training-mode outputs
 * of its steps; the trainer prints it at the end of each epoch.
 */
final class TaskAccuracy {
    private final List<String> tasks;
    private final Map<String, long[]> counts = new LinkedHashMap<>();

    TaskAccuracy(List<String> tasks) {
        this.tasks = List.copyOf(tasks);
    }

    /** Counts the step's correct predictions of every task the batch has labels for. */
    void add(Batch batch, StepResult step) {
        for (String t : tasks) {
            int[] labels = batch.labels().get(t);
            INDArray out = step.outputs().get(t);
            if (labels != null && out != null) {
                long[] c = counts.computeIfAbsent(t, k -> new long[2]);
                c[0] += Evaluator.correct(out, labels);
                c[1] += labels.length;
            }
        }
    }

    /** Each counted task's accuracy over the epoch so far, in task order; then starts over. */
    Map<String, Double> drain() {
        Map<String, Double> acc = new LinkedHashMap<>();
        counts.forEach((t, c) -> acc.put(t, c[0] / (double) c[1]));
        counts.clear();
        return acc;
    }

    /** {@code "; train acc category 91.20%, group 97.00%"}, or empty when no task was counted. */
    static String text(Map<String, Double> accuracy) {
        if (accuracy.isEmpty()) {
            return "";
        }
        StringBuilder s = new StringBuilder("; train acc");
        String sep = " ";
        for (Map.Entry<String, Double> e : accuracy.entrySet()) {
            s.append(sep).append(String.format(Locale.ROOT, "%s %.2f%%", e.getKey(), 100 * e.getValue()));
            sep = ", ";
        }
        return s.toString();
    }
}
