package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * The cost of a continuous-depth layer per sample: each function evaluation runs the body once and the solver's own
 * arithmetic (the stage combinations, the error estimate and the new state), so a sample that takes {@code k}
 * evaluations costs {@code k * perEvaluation}. The network's table counts one evaluation (the body's ops and the
 * solver's row). Dormand-Prince takes two evaluations to choose its first step and six per step after that (the
 * seventh stage of a step is the first of the next), so the minimum is {@value #MIN_EVALUATIONS} (one step) and the
 * maximum {@code 2 + 6 * max_steps}; the expectation follows from the mean evaluations {@code adnet eval} measures.
 *
 * @param index its position among the network's ODEs, in schedule order
 * @param bodyFlops FLOPs of one evaluation of the body
 * @param solverFlops the solver's own FLOPs per evaluation
 */
public record OdeCost(Ode op, int index, long bodyFlops, long solverFlops) implements ConstructCost {
    /** Two evaluations for the starting step size and six for a single step over the whole interval. */
    public static final int MIN_EVALUATIONS = 8;

    @Override
    public String name() {
        return op.path();
    }

    @Override
    public String path() {
        return op.path();
    }

    public long perEvaluation() {
        return Math.addExact(bodyFlops, solverFlops);
    }

    /** The evaluations of a sample that hits the step cap: two to start, six per step. */
    public int maxEvaluations() {
        return 2 + 6 * op.maxSteps();
    }

    /** One evaluation's FLOPs: what the network's table counts for the ODE. */
    @Override
    public long flops() {
        return perEvaluation();
    }

    /** Nothing: the table counts one evaluation; every further one costs more, never less. */
    @Override
    public long saved() {
        return 0;
    }

    /** FLOPs per sample of the whole network when every ODE's samples take {@code evaluations(c)} evaluations. */
    private static long flops(CostModel.Report r, java.util.function.ToLongFunction<OdeCost> evaluations) {
        long f = r.totalFlops();
        for (OdeCost c : of(r)) {
            f = Math.addExact(f, Math.multiplyExact(evaluations.applyAsLong(c) - 1, c.perEvaluation()));
        }
        return f;
    }

    /** FLOPs per sample when every ODE takes a single step: the least any sample costs. */
    public static long minFlops(CostModel.Report r) {
        return flops(r, c -> MIN_EVALUATIONS);
    }

    /** FLOPs per sample when every ODE's samples reach the step cap: the worst case. */
    public static long maxFlops(CostModel.Report r) {
        return flops(r, OdeCost::maxEvaluations);
    }

    /** The ODEs of a report, in schedule order. */
    public static List<OdeCost> of(CostModel.Report r) {
        return r.units(OdeCost.class);
    }
}
