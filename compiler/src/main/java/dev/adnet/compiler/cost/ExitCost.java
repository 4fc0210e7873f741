package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * An early exit.
 *
 * @param cumulativeFlops FLOPs per sample of everything up to and including this exit's head and decision: what a
 *     sample that leaves here costs
 * @param headFlops FLOPs per sample of the head and the decision alone
 * @param totalFlops FLOPs per sample of the whole network, every head included
 */
public record ExitCost(Op.Exit op, long cumulativeFlops, long headFlops, long totalFlops) implements ConstructCost {
    @Override
    public int index() {
        return op.exitIndex();
    }

    @Override
    public String name() {
        return op.name();
    }

    @Override
    public String path() {
        return op.path();
    }

    public Op.ExitPolicyKind policy() {
        return op.policy();
    }

    public double threshold() {
        return op.threshold();
    }

    @Override
    public long flops() {
        return headFlops;
    }

    /** What a sample leaving here does not compute: everything after the exit, every gated block run. */
    @Override
    public long saved() {
        return Math.subtractExact(totalFlops, cumulativeFlops);
    }

    /**
     * FLOPs per sample of the network run to its final output without any exit head: what a network without exits
     * costs, and the reference that exit savings and budgets are measured against.
     */
    public static long fullFlops(CostModel.Report r) {
        return Math.subtractExact(r.totalFlops(), r.units(ExitCost.class).stream().mapToLong(ExitCost::headFlops)
                .reduce(0, Math::addExact));
    }

    /**
     * FLOPs per sample that leaves at each exit, then at the final output (exits + 1 entries), every gate open:
     * everything computed before the decision, earlier exit heads included.
     */
    public static long[] leavingFlops(CostModel.Report r) {
        List<ExitCost> exits = r.units(ExitCost.class);
        long[] f = new long[exits.size() + 1];
        for (int k = 0; k < exits.size(); k++) {
            f[k] = exits.get(k).cumulativeFlops();
        }
        f[exits.size()] = r.totalFlops();
        return f;
    }

    /** Expected FLOPs per sample when a sample leaves at exit {@code k} with probability {@code p[k]} (final last). */
    public static double expectedFlops(CostModel.Report r, double[] p) {
        long[] f = leavingFlops(r);
        double e = 0;
        for (int k = 0; k < f.length; k++) {
            e += p[k] * f[k];
        }
        return e;
    }
}
