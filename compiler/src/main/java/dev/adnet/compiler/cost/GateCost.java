package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * A gated block: the FLOPs per sample its body costs when its gate is open (the gate head always runs and is not
 * included). With every gate closed the network costs {@link #minFlops}; at rates {@code r} {@link #expectedFlops}.
 */
public record GateCost(Op.GatedResidual op, long bodyFlops) implements ConstructCost {
    @Override
    public int index() {
        return op.gateIndex();
    }

    @Override
    public String name() {
        return op.path();
    }

    @Override
    public String path() {
        return op.path();
    }

    /** The execution rate the gate is trained towards. */
    public double target() {
        return op.target();
    }

    @Override
    public long flops() {
        return bodyFlops;
    }

    @Override
    public long saved() {
        return bodyFlops;
    }

    /** FLOPs per sample when every gate is closed. */
    public static long minFlops(CostModel.Report r) {
        return Math.subtractExact(r.totalFlops(), r.units(GateCost.class).stream().mapToLong(GateCost::bodyFlops)
                .reduce(0, Math::addExact));
    }

    /** Expected FLOPs per sample when gate {@code l} executes with probability {@code rates[l]}. */
    public static double expectedFlops(CostModel.Report r, double[] rates) {
        List<GateCost> gates = r.units(GateCost.class);
        double e = minFlops(r);
        for (int l = 0; l < gates.size(); l++) {
            e += rates[l] * gates.get(l).bodyFlops();
        }
        return e;
    }

    /** Expected FLOPs per sample at each gate's declared target rate. */
    public static double expectedFlopsAtTargets(CostModel.Report r) {
        return expectedFlops(r, r.units(GateCost.class).stream().mapToDouble(GateCost::target).toArray());
    }
}
