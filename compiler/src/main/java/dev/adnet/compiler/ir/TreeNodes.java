package dev.adnet.compiler.ir;

/**
 * The names of a learned tree's nodes ({@code branch tree(tau)}): node (layer, task) of the branch instance
 * {@code branch} owns the parameters under {@code node(...) + "."}, its parent logits among them. The checker names
 * them so and {@code adnet freeze} reads them back.
 */
public final class TreeNodes {
    private TreeNodes() {}

    /** The scope of node ({@code layer}, from 1; {@code task}). */
    public static String node(String branch, int layer, String task) {
        return branch + ".l" + layer + "." + task;
    }

    /** The parent logits of a node (layers after the first). */
    public static String logits(String node) {
        return node + ".parents";
    }
}
