package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Channels-last inference: the first global average pooling of the output of an in-place gated residual
 * ({@link AddGatedRowsInPlace}) or of an add + ReLU is computed by that residual's kernel
 * ({@code Compaction.addRowsInPlace} and {@code Elementwise.addRelu} with means) and stands as a
 * {@link FusedOp.PooledInKernel}: the gate head after every block would otherwise read the block's output again.
 * An in-place residual's closed rows copy their means from the earlier pooling of its shortcut (its own gate
 * head's), when there is one. All on the whole batch with no exit in between, so that the pooling's rows are the
 * batch's; the pooling may stand in another construct's region (the next gate's head), which is why this pass
 * rewrites the whole graph at once. Not an add inside a convolution ({@link AddConvIntoShortcut}): its pooling reads
 * the result afterwards, one pass where the add kernel would read two arrays and write one.
 */
public final class PoolInKernel implements Pass {
    @Override
    public String name() {
        return "pool-in-kernel";
    }

    @Override
    public Graph run(Graph graph) {
        Uses uses = new Uses(graph);
        Map<Op, UnaryOperator<Op>> edits = new IdentityHashMap<>();
        for (Op op : graph.ops()) {
            boolean gate = op instanceof FusedOp.GatedResidualInPlace g && g.pool() == null;
            if (!gate && !(op instanceof FusedOp.AddRelu && !uses.onRowsOfItsOwn(op))) {
                continue;
            }
            Op.GlobalAvgPool pool = firstPooling(uses, op.out(), r -> !uses.exitBetween(op, r));
            if (pool == null || edits.containsKey(pool)) {
                continue;
            }
            edits.put(pool, p -> new FusedOp.PooledInKernel(pool));
            if (gate) {
                int at = uses.position(op);
                Value shortcut = ((FusedOp.GatedResidualInPlace) op).gate().shortcut();
                Op.GlobalAvgPool closed = firstPooling(uses, shortcut, r -> uses.position(r) < at && !uses.exitBetween(r, op));
                edits.put(op, o -> ((FusedOp.GatedResidualInPlace) o).withPools(pool, closed));
            } else {
                edits.put(op, o -> new FusedOp.AddReluPool((FusedOp.AddRelu) o, pool));
            }
        }
        return edits.isEmpty() ? graph : graph.withBody(region(graph.body(), edits));
    }

    /** The first pooling of {@code v} on the whole batch that {@code where} accepts; null when none. */
    private static Op.GlobalAvgPool firstPooling(Uses uses, Value v, java.util.function.Predicate<Op> where) {
        for (Op r : uses.readers(v)) {
            if (r instanceof Op.GlobalAvgPool p && !uses.onRowsOfItsOwn(p) && where.test(p)) {
                return p;
            }
        }
        return null;
    }

    /** {@code region} with each op that {@code edits} names replaced, nested regions first. */
    private static Region region(Region region, Map<Op, UnaryOperator<Op>> edits) {
        List<Op> ops = new ArrayList<>();
        for (Op op : region.ops()) {
            Op next = op;
            if (op instanceof Op.RegionOp r && !(r instanceof FixedPoint) && !(r instanceof Ode)) {
                // a fixed point's and an ODE's bodies stay as checked (RegionRewrite)
                next = r.withRegions(r.regions().stream().map(n -> region(n, edits)).toList());
            }
            UnaryOperator<Op> edit = edits.get(op);
            ops.add(edit == null ? next : edit.apply(next));
        }
        return new Region(region.arguments(), ops, region.results());
    }
}
