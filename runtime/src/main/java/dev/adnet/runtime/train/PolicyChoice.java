package dev.adnet.runtime.train;

import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.data.DataLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The end of AdaShare's policy learning ({@code re-train.py}'s {@code sample_policy}): policies sampled from the learned
 * distribution, each unit of each task selected with probability {@code softmax(logits)[select]}, each scored on the
 * held-out samples, the best kept. A policy is set into the network as logits {@code (1, 0)} for select and
 * {@code (0, 1)} for skip, so the argmax inference, {@code adnet eval} and {@code adnet freeze} run exactly it.
 */
final class PolicyChoice {
    /** One sampled policy (select per logits parameter, in {@code logits} order) and its held-out score. */
    record Candidate(boolean[] select, Map<String, Double> accuracy, double score) {}

    private final dev.adnet.runtime.Network net;
    private final List<Parameter> logits;

    PolicyChoice(dev.adnet.runtime.Network net, List<Parameter> logits) {
        this.net = net;
        this.logits = List.copyOf(logits);
    }

    /** {@code count} policies drawn with {@code seed}, duplicates dropped, in order of drawing. */
    List<boolean[]> sample(int count, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, boolean[]> distinct = new LinkedHashMap<>();
        for (int s = 0; s < count; s++) {
            boolean[] select = new boolean[logits.size()];
            for (int i = 0; i < select.length; i++) {
                INDArray l = logits.get(i).value();
                double p = 1 / (1 + Math.exp(l.getDouble(1) - l.getDouble(0)));
                select[i] = rng.nextDouble() < p;
            }
            distinct.putIfAbsent(java.util.Arrays.toString(select), select);
        }
        return new ArrayList<>(distinct.values());
    }

    /** Each policy's accuracy per task on {@code heldOut} and their mean, the score; leaves the last one set. */
    List<Candidate> score(List<boolean[]> policies, DataLoader heldOut) {
        List<Candidate> scored = new ArrayList<>();
        for (boolean[] p : policies) {
            set(p);
            Map<String, Double> acc = Evaluator.evaluate(net, heldOut).accuracy();
            double score = acc.values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
            scored.add(new Candidate(p, acc, score));
        }
        return scored;
    }

    /** The candidate with the highest score, the first of equals. */
    static Candidate best(List<Candidate> candidates) {
        Candidate best = candidates.get(0);
        for (Candidate c : candidates) {
            if (c.score() > best.score()) {
                best = c;
            }
        }
        return best;
    }

    /** Sets the logits so that the argmax policy is {@code select}. */
    void set(boolean[] select) {
        for (int i = 0; i < select.length; i++) {
            INDArray l = logits.get(i).value();
            l.putScalar(0, select[i] ? 1.0 : 0.0);
            l.putScalar(1, select[i] ? 0.0 : 1.0);
        }
    }

    /** The logits' current values, to put back with {@link #restore}. */
    List<INDArray> snapshot() {
        return logits.stream().map(p -> p.value().dup()).toList();
    }

    void restore(List<INDArray> values) {
        for (int i = 0; i < values.size(); i++) {
            logits.get(i).value().assign(values.get(i));
        }
    }

    /** {@code category: select skip select} per task, the unit decisions in order. */
    String text(boolean[] select) {
        Map<String, StringBuilder> byTask = new LinkedHashMap<>();
        for (int i = 0; i < select.length; i++) {
            String name = logits.get(i).name();
            String owner = name.substring(0, name.lastIndexOf('.'));
            String task = owner.substring(owner.lastIndexOf('.') + 1);
            byTask.computeIfAbsent(task, k -> new StringBuilder(k + ":")).append(select[i] ? " select" : " skip");
        }
        return String.join("; ", byTask.values().stream().map(StringBuilder::toString).toList());
    }

    /** {@code category 91.20%, group 97.00%}. */
    static String accuracy(Map<String, Double> acc) {
        List<String> parts = new ArrayList<>();
        new java.util.TreeMap<>(acc).forEach((t, a) -> parts.add(String.format(Locale.ROOT, "%s %.2f%%", t, 100 * a)));
        return String.join(", ", parts);
    }
}
