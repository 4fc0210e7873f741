package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.SolverKind;
import java.util.List;

/**
 * The cost of a fixed point per sample: each iteration evaluates the body once and does the solver's own arithmetic
 * (the residual, Anderson's least squares over its window, Broyden's rank-one updates), so a sample that takes
 * {@code k} iterations costs {@code k * perIteration}. The network's cost table counts one iteration (the body's ops
 * and the solver's row); the minimum is one iteration, the maximum the cap, and the expectation follows from the
 * mean iterations the trace measures.
 *
 * @param index its position among the network's fixed points, in schedule order
 * @param bodyFlops FLOPs of one evaluation of the body
 * @param solverFlops the solver's own FLOPs per iteration
 */
public record FixedPointCost(FixedPoint op, int index, long bodyFlops, long solverFlops) implements ConstructCost {
    @Override
    public String name() {
        return op.path();
    }

    @Override
    public String path() {
        return op.path();
    }

    public SolverKind solver() {
        return op.solver();
    }

    public int maxIterations() {
        return op.maxIterations();
    }

    public long perIteration() {
        return Math.addExact(bodyFlops, solverFlops);
    }

    /** One iteration's FLOPs: what the network's table counts for the fixed point. */
    @Override
    public long flops() {
        return perIteration();
    }

    /** Nothing: the table counts the one iteration every sample takes; more iterations cost more, never less. */
    @Override
    public long saved() {
        return 0;
    }

    /** FLOPs per sample of a sample that takes {@code iterations} iterations, beyond the one the table counts. */
    public double extra(double iterations) {
        return Math.max(0, iterations - 1) * perIteration();
    }

    /** FLOPs per sample when every fixed point's samples take {@code max} iterations: the worst case. */
    public static long maxFlops(CostModel.Report r) {
        long f = r.totalFlops();
        for (FixedPointCost c : r.units(FixedPointCost.class)) {
            f = Math.addExact(f, Math.multiplyExact(c.maxIterations() - 1L, c.perIteration()));
        }
        return f;
    }

    /** The fixed points of a report, in schedule order. */
    public static List<FixedPointCost> of(CostModel.Report r) {
        return r.units(FixedPointCost.class);
    }
}
