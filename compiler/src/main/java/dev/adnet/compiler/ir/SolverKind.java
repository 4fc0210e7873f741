package dev.adnet.compiler.ir;

/** How a fixed point is solved. */
public enum SolverKind {
    ANDERSON,
    BROYDEN,
    ITERATE
}
