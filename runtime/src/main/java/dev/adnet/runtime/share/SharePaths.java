package dev.adnet.runtime.share;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Which tasks of a share compute the same values at inference. A skipped unit is the identity, so a task's input to
 * unit {@code u} is the share's input run through the units its argmax policy selects before {@code u}: two tasks
 * whose policies take the same decisions on units {@code 0..u} hold the same value after unit {@code u}, and the
 * unit needs computing once for both (the prefix tree that {@code adnet freeze} writes, decided at run time).
 */
public final class SharePaths {
    private SharePaths() {}

    /**
     * {@code first[t][u]}: the first task {@code r <= t} (declaration order) whose argmax policy takes task {@code t}'s
     * decisions on every unit up to and including {@code u}; {@code t} itself when no earlier task does.
     *
     * @param logits {@code logits[t][u]}, task {@code t}'s {@code [select, skip]} logits for unit {@code u}
     */
    public static int[][] firstSame(INDArray[][] logits) {
        int tasks = logits.length;
        boolean[][] runs = new boolean[tasks][];
        for (int t = 0; t < tasks; t++) {
            runs[t] = new boolean[logits[t].length];
            if (t > 0 && runs[t].length != runs[0].length) {
                throw new IllegalArgumentException("task " + t + " has " + runs[t].length + " units' logits, task 0 "
                        + runs[0].length);
            }
            for (int u = 0; u < runs[t].length; u++) {
                runs[t][u] = TaskPolicy.runs(logits[t][u]);
            }
        }
        int[][] first = new int[tasks][];
        for (int t = 0; t < tasks; t++) {
            first[t] = new int[runs[t].length];
            int r = 0;
            for (int u = 0; u < runs[t].length; u++) {
                // the earliest task agreeing with t so far; agreement up to u implies agreement up to u - 1
                while (r < t && runs[r][u] != runs[t][u]) {
                    r = nextAgreeing(runs, r + 1, t, u);
                }
                first[t][u] = r;
            }
        }
        return first;
    }

    /** The first task from {@code from} (at most {@code t}) that agrees with task {@code t} on units {@code 0..u - 1}. */
    private static int nextAgreeing(boolean[][] runs, int from, int t, int u) {
        for (int r = from; r < t; r++) {
            boolean same = true;
            for (int k = 0; k < u && same; k++) {
                same = runs[r][k] == runs[t][k];
            }
            if (same) {
                return r;
            }
        }
        return t;
    }
}
