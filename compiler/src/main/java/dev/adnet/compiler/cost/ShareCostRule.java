package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;

/**
 * A share unit's own row costs nothing at inference: the task's policy either runs the unit (its region's rows) or
 * passes the input on. Training's mix of the two ({@code x + z * (unit - x)}) is not an inference cost.
 */
final class ShareCostRule implements CostRule<ShareUnit> {
    @Override
    public Class<ShareUnit> opType() {
        return ShareUnit.class;
    }

    @Override
    public long ownFlops(ShareUnit op) {
        return 0;
    }

    @Override
    public ShareCost cost(ShareUnit op, ScheduleCosts costs) {
        int index = costs.graph().ops().stream().filter(o -> o instanceof ShareUnit).toList().indexOf(op);
        return new ShareCost(op, index, CostModel.regionFlops(op.unitRegion()));
    }
}
