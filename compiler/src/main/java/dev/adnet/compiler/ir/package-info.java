/**
 * The dataflow IR of a checked network: runtime primitives over values with known per-sample shapes, in
 * topological order, with the parameters and buffers they use. The checker lowers the AST to it; the cost model,
 * the differentiator and the Java emitter read it.
 */
package dev.adnet.compiler.ir;
