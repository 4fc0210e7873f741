package dev.adnet.compiler.ir;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A sequence of ops with the values it takes from outside and the values it gives back: a network's body, a gated
 * block's head, body and shortcut, an exit's head (and, as the language grows, a loop's body or a fixed point's
 * function). An op that owns regions ({@link Op.RegionOp}) is how constructs nest: a gate inside an exit head is a
 * gated-residual op inside the exit's head region.
 *
 * <p>A region's ops read only its {@code arguments}, values computed earlier in the region (nested regions
 * included), and nothing else: that is what lets inference run it on a sub-batch of its arguments' rows. The checker
 * enforces it ({@code readsOnly}); {@link IrVerifier} checks it again on every graph built.
 *
 * @param arguments the values from outside that the ops may read
 * @param ops the ops, in execution order
 * @param results the values the region gives back (may be arguments themselves, e.g. an identity shortcut)
 */
public record Region(List<Value> arguments, List<Op> ops, List<Value> results) {
    public Region {
        arguments = List.copyOf(arguments);
        ops = List.copyOf(ops);
        results = List.copyOf(results);
    }

    /** The single result of a region that gives back one value. */
    public Value result() {
        if (results.size() != 1) {
            throw new IllegalStateException("a region with " + results.size() + " results has no single result");
        }
        return results.get(0);
    }

    /**
     * Every op of this region and of the regions nested in it, in schedule order: a region op comes right after the
     * ops of its regions (in the order {@link Op.RegionOp#regions()} lists them), since it combines their results.
     */
    public List<Op> schedule() {
        List<Op> out = new ArrayList<>();
        schedule(out, null);
        return out;
    }

    /**
     * Appends the schedule to {@code out}; when {@code ranges} is given, records there each region's range in
     * {@code out}, end exclusive (the index of the op that owns it).
     */
    void schedule(List<Op> out, Map<Region, int[]> ranges) {
        int start = out.size();
        for (Op op : ops) {
            if (op instanceof Op.RegionOp r) {
                for (Region nested : r.regions()) {
                    nested.schedule(out, ranges);
                }
            }
            out.add(op);
        }
        if (ranges != null) {
            ranges.put(this, new int[] {start, out.size()});
        }
    }

    /**
     * The values this region's ops (nested regions included) read that neither {@code bound} nor the region itself
     * defines, in the order they are first read: what a fixed point's or an ODE's body captures from the network.
     */
    public List<Value> readsFromOutside(Set<Value> bound) {
        Set<Value> inside = new HashSet<>(bound);
        Set<Value> outside = new LinkedHashSet<>();
        for (Op op : schedule()) {
            for (Value v : op.inputs()) {
                if (!inside.contains(v)) {
                    outside.add(v);
                }
            }
            inside.add(op.out());
        }
        return List.copyOf(outside);
    }

    /** Regions compare by identity: two empty shortcuts of two gates are different regions. */
    @Override
    public boolean equals(Object o) {
        return this == o;
    }

    @Override
    public int hashCode() {
        return System.identityHashCode(this);
    }
}
