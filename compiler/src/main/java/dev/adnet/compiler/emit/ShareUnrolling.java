package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.PolicyMix;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.TaskPolicy;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * Rewrites each unit of a share ({@link ShareUnit}) into straight-line ops, the form the emitter's forward and
 * backward run: the task's decision ({@link TaskPolicy}), the unit's ops as they are (its region reads only the
 * unit's input), {@code delta = unit - input} ({@link Op.Elementwise}) and {@code out = input + z * delta}
 * ({@link PolicyMix}). Inference finds each unit's ops between its decision and its mix and runs them only when the
 * decision selects it ({@link ShareEmitter#inferenceUnit}). The unit's output keeps its value, so nothing after it changes. A graph without shares comes
 * back as it is.
 */
final class ShareUnrolling {
    private int nextId;

    private ShareUnrolling(int nextId) {
        this.nextId = nextId;
    }

    static Graph unroll(Graph g) {
        if (g.ops().stream().noneMatch(o -> o instanceof ShareUnit)) {
            return g;
        }
        int max = 0;
        for (Graph.Port p : g.inputs()) {
            max = Math.max(max, p.value().id());
        }
        for (Op op : g.ops()) {
            max = Math.max(max, op.out().id());
        }
        return g.withBody(new ShareUnrolling(max + 1).region(g.body()));
    }

    private Region region(Region r) {
        List<Op> ops = new ArrayList<>();
        for (Op op : r.ops()) {
            if (op instanceof ShareUnit u) {
                Value z = new Value(nextId++, new long[] {1});
                ops.add(new TaskPolicy(u.logits(), z, u.soft(), u.shareIndex(), u.taskIndex(), u.unit(), u.sparsity(), u.sharing(),
                        u.path() + ".policy", u.origin()));
                ops.addAll(region(u.unitRegion()).ops());
                Value delta = new Value(nextId++, u.input().shape());
                ops.add(new Op.Elementwise(Op.ElementwiseKind.SUB, u.unitResult(), u.input(), delta, u.path() + ".delta", u.origin()));
                ops.add(new PolicyMix(u.input(), delta, z, u.out(), u.path(), u.origin()));
            } else if (op instanceof Op.RegionOp ro) {
                ops.add(ro.withRegions(ro.regions().stream().map(this::region).toList()));
            } else {
                ops.add(op);
            }
        }
        return new Region(r.arguments(), ops, r.results());
    }
}
