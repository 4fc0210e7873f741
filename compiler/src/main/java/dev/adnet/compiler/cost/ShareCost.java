package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;

/**
 * The cost of one unit of a share as one task runs it: the unit's FLOPs, spent only when the task's policy selects
 * it (a skipped unit passes its input on and costs nothing).
 *
 * @param index the unit's position among the network's share units (every task's), in schedule order
 * @param unitFlops FLOPs per sample of the unit's region
 */
public record ShareCost(ShareUnit op, int index, long unitFlops) implements ConstructCost {
    @Override
    public String name() {
        return op.task() + " unit " + (op.unit() + 1);
    }

    @Override
    public String path() {
        return op.path();
    }

    @Override
    public long flops() {
        return unitFlops;
    }

    @Override
    public long saved() {
        return unitFlops;
    }
}
