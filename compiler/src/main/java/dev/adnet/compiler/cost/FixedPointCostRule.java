package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;

/**
 * A fixed point's op is its solver: per iteration and sample, the residual and the solver's update over the iterate.
 * Its body's ops are rows of their own, so the table counts one iteration; {@link FixedPointCost} prices more.
 */
final class FixedPointCostRule implements CostRule<FixedPoint> {
    /** Broyden's rank-one updates kept per sample (the runtime's {@code SolverSpec.BROYDEN_MEMORY}). */
    static final int BROYDEN_MEMORY = 8;

    @Override
    public Class<FixedPoint> opType() {
        return FixedPoint.class;
    }

    /**
     * The solver's FLOPs per iteration and sample over an iterate of {@code d} elements: the residual (a difference
     * and two squared norms, 4d); Anderson adds about 4md for the Gram matrix of its window and the mixing; Broyden
     * about 4 per element and update for applying and updating its inverse.
     */
    @Override
    public long ownFlops(FixedPoint f) {
        long perElement = switch (f.solver()) {
            case ITERATE -> 4;
            case ANDERSON -> 4 + 4L * f.memory();
            case BROYDEN -> 4 + 4L * BROYDEN_MEMORY;
        };
        return Counts.product(perElement, f.out().size());
    }

    @Override
    public FixedPointCost cost(FixedPoint op, ScheduleCosts costs) {
        Graph g = costs.graph();
        int index = 0;
        for (Op o : g.ops()) {
            if (o == op) {
                break;
            }
            if (o instanceof FixedPoint) {
                index++;
            }
        }
        long body = costs.sum(g.start(op.bodyRegion()), g.end(op.bodyRegion()));
        return new FixedPointCost(op, index, body, ownFlops(op));
    }
}
