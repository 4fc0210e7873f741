package dev.adnet.runtime.train;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.data.DataLoader;
import java.util.Map;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Runs a network in inference mode over a loader and measures accuracy per classification output. */
public final class Evaluator {
    private Evaluator() {}

    /**
     * Accuracy and confusion matrix ({@code [true class][predicted class]}) per classification output.
     *
     * @param samples how many samples were evaluated
     */
    public record Result(Map<String, Double> accuracy, Map<String, long[][]> confusion, long samples) {
        public Result {
            accuracy = Map.copyOf(accuracy);
            confusion = Map.copyOf(confusion);
        }

        /** The accuracy of {@code output}, NaN if it was not evaluated. */
        public double accuracy(String output) {
            return accuracy.getOrDefault(output, Double.NaN);
        }
    }

    public static Result evaluate(Network net, DataLoader loader) {
        return evaluate(net, loader, null);
    }

    /**
     * The same, running {@link Network#predict} and handing each batch's trace (which gated blocks ran for each
     * sample, the FLOPs it cost) to {@code trace}; with a null {@code trace}, plain {@link Network#forward}.
     */
    public static Result evaluate(Network net, DataLoader loader,
            java.util.function.BiConsumer<dev.adnet.runtime.Prediction, Batch> trace) {
        Map<String, long[][]> confusion = new TreeMap<>();
        Map<String, Long> correct = new TreeMap<>();
        long samples = 0;
        for (Batch b : loader.epoch(0)) {
            Map<String, INDArray> out;
            if (trace == null) {
                out = net.forward(b.inputs());
            } else {
                dev.adnet.runtime.Prediction p = net.predict(b.inputs());
                trace.accept(p, b);
                out = p.outputs();
            }
            for (Map.Entry<String, int[]> e : b.labels().entrySet()) {
                INDArray logits = out.get(e.getKey());
                if (logits == null) {
                    continue;
                }
                int[] pred = argmax(logits);
                int classes = (int) logits.size(1);
                long[][] m = confusion.computeIfAbsent(e.getKey(), k -> new long[classes][classes]);
                int[] labels = e.getValue();
                long c = 0;
                for (int i = 0; i < labels.length; i++) {
                    if (labels[i] < m.length && pred[i] < m.length) {
                        m[labels[i]][pred[i]]++;
                    }
                    if (labels[i] == pred[i]) {
                        c++;
                    }
                }
                correct.merge(e.getKey(), c, Long::sum);
            }
            samples += b.size();
        }
        Map<String, Double> acc = new TreeMap<>();
        for (Map.Entry<String, Long> e : correct.entrySet()) {
            acc.put(e.getKey(), samples == 0 ? Double.NaN : e.getValue() / (double) samples);
        }
        return new Result(acc, confusion, samples);
    }

    /** The index of the largest entry of each row of {@code [batch, classes]} (the first on ties). */
    public static int[] argmax(INDArray logits) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("expected [batch, classes], got " + java.util.Arrays.toString(logits.shape()));
        }
        int n = (int) logits.size(0);
        int k = (int) logits.size(1);
        double[] v = logits.dup('c').data().asDouble();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            int best = 0;
            for (int j = 1; j < k; j++) {
                if (v[i * k + j] > v[i * k + best]) {
                    best = j;
                }
            }
            out[i] = best;
        }
        return out;
    }

    /** How many rows of {@code logits} have their largest entry at the label. */
    public static int correct(INDArray logits, int[] labels) {
        int[] p = argmax(logits);
        int c = 0;
        for (int i = 0; i < p.length; i++) {
            if (p[i] == labels[i]) {
                c++;
            }
        }
        return c;
    }
}
