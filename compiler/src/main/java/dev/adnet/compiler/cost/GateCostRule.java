package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;

/**
 * A gated block's body is spent only on the samples whose gate is open; the op itself adds the gated body into the
 * shortcut, one FLOP per output element.
 */
final class GateCostRule implements CostRule<Op.GatedResidual> {
    @Override
    public Class<Op.GatedResidual> opType() {
        return Op.GatedResidual.class;
    }

    @Override
    public long ownFlops(Op.GatedResidual op) {
        return op.out().size();
    }

    @Override
    public GateCost cost(Op.GatedResidual op, ScheduleCosts costs) {
        return new GateCost(op, CostModel.regionFlops(op.bodyRegion()));
    }
}
