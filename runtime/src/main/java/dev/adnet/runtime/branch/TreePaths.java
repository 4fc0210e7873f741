package dev.adnet.runtime.branch;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The nodes of a learned tree that inference computes: those on the argmax path of a task asked for. Each task's
 * path runs from its own node of the last layer down through each node's {@link ParentMixture#argmax} parent; a node
 * on the paths of several tasks is computed once, and a node on none is not computed at all.
 */
public final class TreePaths {
    private TreePaths() {}

    /**
     * {@code needed[l][t]}: whether node (layer {@code l + 1}, task {@code t}) lies on the path of a task {@code wanted}.
     *
     * @param parentLogits {@code parentLogits[l][t]}: the parent logits of node (layer {@code l + 2}, task {@code t}), one
     *     per node of the layer before; empty for a tree of one layer
     * @param wanted which tasks are asked for, one per task
     */
    public static boolean[][] needed(INDArray[][] parentLogits, boolean[] wanted) {
        int tasks = wanted.length;
        int layers = parentLogits.length + 1;
        boolean[][] needed = new boolean[layers][tasks];
        needed[layers - 1] = wanted.clone();
        for (int l = layers - 1; l >= 1; l--) {
            if (parentLogits[l - 1].length != tasks) {
                throw new IllegalArgumentException("layer " + (l + 1) + " has " + parentLogits[l - 1].length
                        + " nodes' parent logits, not one per task (" + tasks + ")");
            }
            for (int t = 0; t < tasks; t++) {
                if (needed[l][t]) {
                    int parent = ParentMixture.argmax(parentLogits[l - 1][t]);
                    if (parent >= tasks) {
                        throw new IllegalArgumentException("node (" + (l + 1) + ", " + t + ") has " + parentLogits[l - 1][t].length()
                                + " parent logits, not one per task (" + tasks + ")");
                    }
                    needed[l - 1][parent] = true;
                }
            }
        }
        return needed;
    }
}
