package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import java.util.ArrayList;
import java.util.List;

/**
 * The cost of a fixed point per sample: each iteration evaluates the body once and does the solver's own arithmetic
 * (the residual, Anderson's least squares over its window, Broyden's rank-one updates), so a sample that takes
 * {@code k} iterations costs {@code k * perIteration}. The network's cost table counts one iteration (the body's ops
 * and the solver's row); the minimum is one iteration, the maximum the cap, and the expectation follows from the
 * mean iterations the trace measures.
 *
 * @param bodyFlops FLOPs of one evaluation of the body
 * @param solverFlops the solver's own FLOPs per iteration
 */
public record FixedPointCost(String path, Op.SolverKind solver, long bodyFlops, long solverFlops, int maxIterations) {
    /** Broyden's rank-one updates kept per sample (the runtime's {@code SolverSpec.BROYDEN_MEMORY}). */
    static final int BROYDEN_MEMORY = 8;

    public long perIteration() {
        return Math.addExact(bodyFlops, solverFlops);
    }

    /** FLOPs per sample of a sample that takes {@code iterations} iterations, beyond the one the table counts. */
    public double extra(double iterations) {
        return Math.max(0, iterations - 1) * perIteration();
    }

    /** The fixed points of {@code g}, in schedule order. */
    public static List<FixedPointCost> of(Graph g) {
        List<FixedPointCost> out = new ArrayList<>();
        for (Op op : g.ops()) {
            if (op instanceof Op.FixedPoint f) {
                long body = 0;
                for (Op b : f.bodyRegion().schedule()) {
                    body = Math.addExact(body, CostModel.flops(b));
                }
                out.add(new FixedPointCost(f.path(), f.solver(), body, solverFlops(f), f.maxIterations()));
            }
        }
        return out;
    }

    /**
     * The solver's FLOPs per iteration and sample over an iterate of {@code d} elements: the residual (a difference
     * and two squared norms, 4d); Anderson adds about 4md for the Gram matrix of its window and the mixing; Broyden
     * about 4 per element and update for applying and updating its inverse.
     */
    static long solverFlops(Op.FixedPoint f) {
        long d = f.out().size();
        long perElement = switch (f.solver()) {
            case ITERATE -> 4;
            case ANDERSON -> 4 + 4L * f.memory();
            case BROYDEN -> 4 + 4L * BROYDEN_MEMORY;
        };
        return Counts.product(perElement, d);
    }

    /** FLOPs per sample when every fixed point's samples take {@code max} iterations: the worst case. */
    public static long maxFlops(CostModel.Report r, List<FixedPointCost> fixedPoints) {
        long f = r.totalFlops();
        for (FixedPointCost c : fixedPoints) {
            f = Math.addExact(f, Math.multiplyExact(c.maxIterations() - 1L, c.perIteration()));
        }
        return f;
    }
}
