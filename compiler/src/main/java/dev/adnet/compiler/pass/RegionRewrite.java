package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pass that rewrites each region's ops on its own, nested regions first. Fused ops never cross a region's border:
 * a region reads nothing but its arguments, which is what lets inference run it on a sub-batch. A fixed point's body
 * stays as checked: the solver runs it on the rows still iterating and its implicit backward differentiates those
 * ops one by one, by their index in the checked schedule.
 */
abstract class RegionRewrite implements Pass {
    @Override
    public final Graph run(Graph graph) {
        return graph.withBody(region(graph.body(), new Uses(graph), false));
    }

    /** @param inGatedBody whether the region is a gated block's body or nested in one (it runs on the open rows) */
    private Region region(Region region, Uses uses, boolean inGatedBody) {
        List<Op> ops = new ArrayList<>();
        for (Op op : region.ops()) {
            if (op instanceof Op.RegionOp r) {
                op = r.withRegions(r.regions().stream().map(nested -> r instanceof FixedPoint || r instanceof Ode ? nested
                        : region(nested, uses, inGatedBody || r instanceof Op.GatedResidual g && nested == g.bodyRegion()))
                        .toList());
            }
            ops.add(op);
        }
        Edit edit = new Edit(ops, inGatedBody);
        rewrite(ops, uses, edit);
        return new Region(region.arguments(), edit.apply(), region.results());
    }

    /**
     * Records in {@code edit} what to replace and remove in {@code ops}, one region's ops in order (its constructs
     * already rewritten); {@code uses} describes the graph as the pass found it.
     */
    abstract void rewrite(List<Op> ops, Uses uses, Edit edit);

    /** Replacements and removals in one region's ops, each op taking part in one fusion at most. */
    static final class Edit {
        private final List<Op> ops;
        private final Set<Op> present = Collections.newSetFromMap(new IdentityHashMap<>());
        private final Map<Op, Op> replaced = new IdentityHashMap<>();
        private final Set<Op> removed = Collections.newSetFromMap(new IdentityHashMap<>());
        private final boolean inGatedBody;

        Edit(List<Op> ops, boolean inGatedBody) {
            this.ops = ops;
            this.inGatedBody = inGatedBody;
            present.addAll(ops);
        }

        /** Whether these ops run inside a gated block's body, on the open rows only. */
        boolean inGatedBody() {
            return inGatedBody;
        }

        /** Whether {@code op} is one of this region's ops and no fusion has taken it yet. */
        boolean free(Op op) {
            return op != null && present.contains(op) && !replaced.containsKey(op) && !removed.contains(op);
        }

        /** Puts {@code fused} where {@code at} stands and drops {@code gone}. */
        void fuse(Op at, Op fused, Op... gone) {
            replaced.put(at, fused);
            for (Op g : gone) {
                removed.add(g);
            }
        }

        List<Op> apply() {
            List<Op> out = new ArrayList<>();
            for (Op op : ops) {
                if (!removed.contains(op)) {
                    out.add(replaced.getOrDefault(op, op));
                }
            }
            return out;
        }
    }
}
