package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;

/**
 * An ODE's op is its solver: per function evaluation and sample, the solver's arithmetic over the state. Its body's
 * ops are rows of their own, so the table counts one evaluation; {@link OdeCost} prices the rest.
 */
final class OdeCostRule implements CostRule<Ode> {
    /**
     * FLOPs per element and evaluation: a stage's input is the state plus up to six weighted earlier stages (about
     * 7 multiply-adds on average over a step's six evaluations, 14 FLOPs), and the step's error estimate, scale and
     * new state spread over its six evaluations (about 4).
     */
    static final int PER_ELEMENT = 18;

    @Override
    public Class<Ode> opType() {
        return Ode.class;
    }

    @Override
    public long ownFlops(Ode o) {
        return Counts.product(PER_ELEMENT, o.out().size());
    }

    @Override
    public OdeCost cost(Ode op, ScheduleCosts costs) {
        Graph g = costs.graph();
        int index = 0;
        for (Op o : g.ops()) {
            if (o == op) {
                break;
            }
            if (o instanceof Ode) {
                index++;
            }
        }
        long body = costs.sum(g.start(op.bodyRegion()), g.end(op.bodyRegion()));
        return new OdeCost(op, index, body, ownFlops(op));
    }
}
