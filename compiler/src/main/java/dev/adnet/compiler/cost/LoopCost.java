package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;

/**
 * The cost rule of a halting loop. A step costs its body (halting unit included) and the weighted accumulation of
 * its state into the output (a multiply-add per element). The first step always runs; each further one only for the
 * samples still running. In the cost table the step's ops appear once, as one step, and the loop's own row holds the
 * rest of the cap's steps, so the table's total is the most a sample can cost.
 *
 * @param bodyFlops FLOPs per sample of one step's region
 * @param stepFlops FLOPs per sample of one step: the region and the accumulation
 */
public record LoopCost(int index, String path, int cap, long bodyFlops, long stepFlops) {

    static LoopCost of(Op.HaltingLoop loop) {
        long body = 0;
        for (Op op : loop.bodyRegion().schedule()) {
            body = Math.addExact(body, CostModel.flops(op));
        }
        long accumulate = Math.multiplyExact(2, loop.out().size());
        return new LoopCost(loop.loopIndex(), loop.path(), loop.cap(), body, Math.addExact(body, accumulate));
    }

    /** The loop op's row: the first step's accumulation and the other {@code cap - 1} steps. */
    long loopOpFlops() {
        return Math.addExact(stepFlops - bodyFlops, optionalFlops());
    }

    /** FLOPs per sample of the steps after the first, all of them taken. */
    public long optionalFlops() {
        return Math.multiplyExact(cap - 1L, stepFlops);
    }

    /** FLOPs per sample of a sample that takes {@code steps} steps (from 1 to the cap). */
    public double flopsAt(double steps) {
        return steps * stepFlops;
    }
}
