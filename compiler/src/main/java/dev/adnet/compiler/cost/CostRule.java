package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import java.util.List;

/**
 * The cost rule of one kind of region op: the FLOPs of the op itself (what combines its regions' results) and the
 * cost of the construct as a whole. {@link CostModel} looks the rule up by the op's type; a new construct adds its
 * rule to {@link CostModel}'s table and nothing else there.
 *
 * @param <O> the region op
 */
public interface CostRule<O extends Op.RegionOp> {
    /** The region op this rule prices. */
    Class<O> opType();

    /** FLOPs per sample of the op itself, its regions' ops excluded (they are rows of their own). */
    long ownFlops(O op);

    /**
     * Parameters the op itself holds besides those its regions' ops name (a loop's per-pass copies, which no op of the
     * step region reads); they count in the op's own row.
     */
    default List<ParamDecl> ownParams(O op) {
        return List.of();
    }

    /** The construct's cost, from the FLOPs of the schedule it is part of. */
    ConstructCost cost(O op, ScheduleCosts costs);
}
