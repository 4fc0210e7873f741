package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.Graph;

/** One rewrite of a program into another that computes the same values. */
public interface Pass {
    /** The pass's name, as the pipeline and its tests list it. */
    String name();

    /** The rewritten graph, verified when built (an equal copy when nothing matched). */
    Graph run(Graph graph);
}
