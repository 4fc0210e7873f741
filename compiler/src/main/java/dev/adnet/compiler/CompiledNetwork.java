package dev.adnet.compiler;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.ir.Graph;

/**
 * A network that checked cleanly, ready for code generation.
 *
 * @param graph the lowered network
 * @param sourceFile the file it was declared in
 * @param sourceHash SHA-256 (hex) of the file and everything it imports
 * @param cost its cost table
 */
public record CompiledNetwork(Graph graph, String sourceFile, String sourceHash, CostModel.Report cost) {}
