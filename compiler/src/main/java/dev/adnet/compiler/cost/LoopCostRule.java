package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;

/** A halting loop's own row holds the first step's accumulation and the steps after the first ({@link LoopCost}). */
final class LoopCostRule implements CostRule<Op.HaltingLoop> {
    @Override
    public Class<Op.HaltingLoop> opType() {
        return Op.HaltingLoop.class;
    }

    @Override
    public long ownFlops(Op.HaltingLoop op) {
        return LoopCost.of(op).loopOpFlops();
    }

    @Override
    public LoopCost cost(Op.HaltingLoop op, ScheduleCosts costs) {
        return LoopCost.of(op);
    }
}
