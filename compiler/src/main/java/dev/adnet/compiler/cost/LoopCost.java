package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * The cost of a loop, halting or gated. A step costs its body, its decision (the halting unit, or the gate) and the
 * weighted accumulation of its state into the output (a multiply-add per element). The first step always runs; each
 * further one only for the samples still running. A gated loop computes no gate after its last pass. In the cost
 * table the step's ops appear once, as one step, and the loop's own row holds the rest of the cap's steps, so the
 * table's total is the most a sample can cost.
 *
 * @param bodyFlops FLOPs per sample of one step's region (its decision included)
 * @param stepFlops FLOPs per sample of one step: the region and the accumulation
 * @param decisionFlops FLOPs per sample of a gated loop's gate, which the last pass does not compute (0 for ACT)
 */
public record LoopCost(HaltingLoop op, long bodyFlops, long stepFlops, long decisionFlops) implements ConstructCost {

    static LoopCost of(HaltingLoop loop) {
        long body = CostModel.regionFlops(loop.bodyRegion());
        long accumulate = Math.multiplyExact(2, loop.out().size());
        long decision = 0;
        if (loop.policy() instanceof LoopPolicy.Gate) {
            List<Op> ops = loop.bodyRegion().ops();
            for (Op op : ops.subList(loop.bodyLength(), ops.size())) {
                decision = Math.addExact(decision, CostModel.flops(op));
            }
        }
        return new LoopCost(loop, body, Math.addExact(body, accumulate), decision);
    }

    /** Whether a gate after each pass decides (else ACT's halting unit). */
    public boolean gated() {
        return op.policy() instanceof LoopPolicy.Gate;
    }

    /** A gated loop's execution-rate target of each gate; NaN for a halting loop. */
    public double target() {
        return op.policy() instanceof LoopPolicy.Gate g ? g.target() : Double.NaN;
    }

    /**
     * A gated loop's expected passes when each gate opens at its target rate t: the first pass, then pass k + 1 with
     * probability t^k (a sample that stops does not come back), {@code 1 + t + ... + t^(cap - 1)}.
     */
    public double expectedPasses() {
        double t = target();
        double sum = 0;
        double reach = 1;
        for (int k = 0; k < cap(); k++) {
            sum += reach;
            reach *= t;
        }
        return sum;
    }

    /** A gated loop's expected FLOPs per sample at its target: each pass taken, less the gate after the last one. */
    public double expectedFlops() {
        return expectedPasses() * stepFlops - Math.pow(target(), cap() - 1) * decisionFlops;
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
        return Math.subtractExact(Math.multiplyExact((long) cap(), stepFlops), decisionFlops);
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
        return Math.subtractExact(Math.multiplyExact(cap() - 1L, stepFlops), decisionFlops);
    }

    /** FLOPs per sample of a sample that takes {@code steps} steps (from 1 to the cap). */
    public double flopsAt(double steps) {
        return steps * stepFlops - (steps >= cap() ? decisionFlops : 0);
    }

    /** FLOPs per sample when every gate is closed and every loop stops after its first step. */
    public static long minFlops(CostModel.Report r) {
        long looped = r.units(LoopCost.class).stream().mapToLong(LoopCost::optionalFlops).reduce(0, Math::addExact);
        return Math.subtractExact(GateCost.minFlops(r), looped);
    }
}
