package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;

/**
 * The cost of a halting loop. A step costs its body (halting unit included) and the weighted accumulation of its
 * state into the output (a multiply-add per element). The first step always runs; each further one only for the
 * samples still running. In the cost table the step's ops appear once, as one step, and the loop's own row holds the
 * rest of the cap's steps, so the table's total is the most a sample can cost.
 *
 * @param bodyFlops FLOPs per sample of one step's region
 * @param stepFlops FLOPs per sample of one step: the region and the accumulation
 */
public record LoopCost(Op.HaltingLoop op, long bodyFlops, long stepFlops) implements ConstructCost {

    static LoopCost of(Op.HaltingLoop loop) {
        long body = CostModel.regionFlops(loop.bodyRegion());
        long accumulate = Math.multiplyExact(2, loop.out().size());
        return new LoopCost(loop, body, Math.addExact(body, accumulate));
    }

    @Override
    public int index() {
        return op.loopIndex();
    }

    @Override
    public String name() {
        return op.path();
    }

    @Override
    public String path() {
        return op.path();
    }

    /** The most steps a sample takes. */
    public int cap() {
        return op.cap();
    }

    /** Every step to the cap. */
    @Override
    public long flops() {
        return Math.multiplyExact((long) cap(), stepFlops);
    }

    /** The steps after the first, which a sample that halts at once does not take. */
    @Override
    public long saved() {
        return optionalFlops();
    }

    /** The loop op's row: the first step's accumulation and the other {@code cap - 1} steps. */
    long loopOpFlops() {
        return Math.addExact(stepFlops - bodyFlops, optionalFlops());
    }

    /** FLOPs per sample of the steps after the first, all of them taken. */
    public long optionalFlops() {
        return Math.multiplyExact(cap() - 1L, stepFlops);
    }

    /** FLOPs per sample of a sample that takes {@code steps} steps (from 1 to the cap). */
    public double flopsAt(double steps) {
        return steps * stepFlops;
    }

    /** FLOPs per sample when every gate is closed and every loop stops after its first step. */
    public static long minFlops(CostModel.Report r) {
        long looped = r.units(LoopCost.class).stream().mapToLong(LoopCost::optionalFlops).reduce(0, Math::addExact);
        return Math.subtractExact(GateCost.minFlops(r), looped);
    }
}
