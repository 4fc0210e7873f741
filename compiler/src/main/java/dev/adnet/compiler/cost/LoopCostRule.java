package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.Op;

/** A halting loop's own row holds the first step's accumulation and the steps after the first ({@link LoopCost}). */
final class LoopCostRule implements CostRule<HaltingLoop> {
    @Override
    public Class<HaltingLoop> opType() {
        return HaltingLoop.class;
    }

    @Override
    public long ownFlops(HaltingLoop op) {
        return LoopCost.of(op).loopOpFlops();
    }

    @Override
    public LoopCost cost(HaltingLoop op, ScheduleCosts costs) {
        return LoopCost.of(op);
    }
}
