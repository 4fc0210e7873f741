package dev.adnet.compiler.ir;

/** What stops a loop, per sample: ACT's halting unit or a gate after each pass. */
public sealed interface LoopPolicy {
    /** Adaptive Computation Time: the ponder-cost weight tau and the halting threshold's eps. */
    record Act(double ponder, double eps) implements LoopPolicy {}

    /** Dynamic recursion: a gate after each pass but the last, whose execution-rate target is {@code target}. */
    record Gate(double target) implements LoopPolicy {}
}
