package dev.adnet.compiler.freeze;

import java.util.List;

/**
 * What one construct learned, as source: a branch's argmax tree, AdaShare's per-task select or skip of each
 * unit. The frozen network is the trained one's text with every structure's {@link #edits} applied, and its
 * checkpoint the trained parameters under {@link #rename}.
 */
public interface LearnedStructure {
    /** The edits that write the decisions as plain adnet; they do not overlap each other's or other structures'. */
    List<SourceEdit> edits();

    /**
     * The frozen network's names for the trained parameter or buffer {@code name}: itself when this structure does not
     * own it, another name when it moves, several when the frozen network applies it on several inputs (each copy its
     * own parameter), none when the frozen network drops it (a decision's logits, an unused node).
     */
    List<String> rename(String name);
}
