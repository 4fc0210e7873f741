package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;

/**
 * An exit's head runs on the samples still in the batch; a sample leaving there has cost everything scheduled up to
 * its decision. The op itself is the decision: a host-side softmax statistic, 3 FLOPs per logit.
 */
final class ExitCostRule implements CostRule<Op.Exit> {
    @Override
    public Class<Op.Exit> opType() {
        return Op.Exit.class;
    }

    @Override
    public long ownFlops(Op.Exit op) {
        return Math.multiplyExact(3, op.head().size());
    }

    @Override
    public ExitCost cost(Op.Exit op, ScheduleCosts costs) {
        Graph g = costs.graph();
        int decision = g.end(op.headRegion()); // the exit op stands right after its head's ops
        long head = costs.sum(g.start(op.headRegion()), decision + 1);
        return new ExitCost(op, costs.sum(0, decision + 1), head, costs.total());
    }
}
