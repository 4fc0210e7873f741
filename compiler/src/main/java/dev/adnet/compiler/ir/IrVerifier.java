package dev.adnet.compiler.ir;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks the IR's scoping rules, so that a lowering or a rewrite pass that breaks them fails at once, naming the op,
 * instead of generating code that reads the wrong array:
 * <ul>
 *   <li>every value is defined once (as a network input, a region argument passed down, or an op's output);
 *   <li>an op reads only its region's arguments and the values defined before it in that region;
 *   <li>a construct ({@link Op.RegionOp}) reads its {@link Op.RegionOp#operands() operands} from its surroundings, its
 *       regions' arguments are visible there, and each region sees nothing but its arguments (what lets inference
 *       run a region on a sub-batch of their rows); the construct's own inputs are its regions' results;
 *   <li>a value a construct binds for its regions (a loop's state, a fixed point's iterate) is defined by it, once,
 *       and visible to its regions only;
 *   <li>an op that stores its result in an operand's array ({@link Op.InPlace}) reads that operand, and no op after
 *       it in the schedule reads it, nor is it a network output: the overwrite is then invisible.
 * </ul>
 */
public final class IrVerifier {
    private final Set<Value> defined = new HashSet<>();

    private IrVerifier() {}

    /** Throws {@link IllegalStateException} naming the first op that breaks a rule. */
    public static void verify(Region body) {
        IrVerifier v = new IrVerifier();
        v.defined.addAll(body.arguments());
        v.region(body);
        inPlace(body);
    }

    private static void inPlace(Region body) {
        List<Op> schedule = body.schedule();
        for (int i = 0; i < schedule.size(); i++) {
            if (!(schedule.get(i) instanceof Op.InPlace op)) {
                continue;
            }
            Value v = op.overwrites();
            if (!reads(op).contains(v)) {
                throw new IllegalStateException(op.kind() + " " + op.path() + " overwrites " + v + ", which it does not read");
            }
            if (body.results().contains(v)) {
                throw new IllegalStateException(op.kind() + " " + op.path() + " overwrites " + v + ", a network output");
            }
            for (Op later : schedule.subList(i + 1, schedule.size())) {
                if (reads(later).contains(v)) {
                    throw new IllegalStateException(op.kind() + " " + op.path() + " overwrites " + v + ", which "
                            + later.kind() + " " + later.path() + " reads after it");
                }
            }
        }
    }

    /** What an op reads: a construct its operands and its regions' results, any other op its inputs. */
    private static List<Value> reads(Op op) {
        if (op instanceof Op.RegionOp r) {
            List<Value> all = new java.util.ArrayList<>(r.operands());
            all.addAll(op.inputs());
            return all;
        }
        return op.inputs();
    }

    private void region(Region region) {
        Set<Value> visible = new HashSet<>(region.arguments());
        for (Op op : region.ops()) {
            if (op instanceof Op.RegionOp r) {
                requireVisible(op, r.operands(), visible);
                Set<Value> regionVisible = new HashSet<>(visible);
                for (Value b : r.bound()) {
                    if (!defined.add(b)) {
                        throw new IllegalStateException(op.kind() + " " + op.path() + " binds " + b + ", defined before");
                    }
                    regionVisible.add(b);
                }
                Set<Value> results = new HashSet<>();
                for (Region nested : r.regions()) {
                    requireVisible(op, nested.arguments(), regionVisible);
                    region(nested);
                    results.addAll(nested.results());
                }
                for (Value in : op.inputs()) {
                    if (!results.contains(in) && !visible.contains(in)) {
                        throw new IllegalStateException(op.kind() + " " + op.path() + " combines " + in
                                + ", which none of its regions gives back");
                    }
                }
            } else {
                requireVisible(op, op.inputs(), visible);
            }
            define(op);
            visible.add(op.out());
        }
        for (Value result : region.results()) {
            if (!visible.contains(result)) {
                throw new IllegalStateException("a region gives back " + result + ", which it neither reads nor defines");
            }
        }
    }

    private static void requireVisible(Op op, List<Value> values, Set<Value> visible) {
        for (Value v : values) {
            if (!visible.contains(v)) {
                throw new IllegalStateException(op.kind() + " " + op.path() + " reads " + v
                        + ", which is not defined before it in its region");
            }
        }
    }

    private void define(Op op) {
        if (!defined.add(op.out())) {
            throw new IllegalStateException(op.kind() + " " + op.path() + " defines " + op.out() + " a second time");
        }
    }
}
