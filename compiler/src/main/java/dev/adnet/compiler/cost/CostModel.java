package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * FLOPs per sample of each op, counting a multiply-add as two FLOPs: convolution {@code 2 * Cout * Hout * Wout *
 * (Cin / groups) * kH * kW} plus one per output with a bias; dense {@code 2 * in * out} plus {@code out} with a bias;
 * batchnorm and layernorm 2 per element (the inference-time affine); activations, elementwise ops and scaling 1 per
 * element; pooling one per window element per output; flatten and dropout (identity at inference) 0. A construct's
 * region op is priced by its {@link CostRule}, which also computes the construct's cost as a whole ({@link
 * ConstructCost}: a gated block's body, an exit's cumulative cost, a fixed point's iteration).
 *
 * <p>Every count is exact ({@link Counts}): one that does not fit a long throws {@link ArithmeticException} instead
 * of wrapping. The checker reports a network whose FLOPs per sample do not fit a long, at the layer where they
 * overflow, so for a checked graph nothing here throws.
 */
public final class CostModel {
    private CostModel() {}

    /** One row of the cost table. */
    public record Row(Op op, long params, long flops) {}

    /**
     * The whole network's table and totals. {@code totalFlops} is the full network, every gated block executed.
     *
     * @param units the cost of each adaptive construct, in schedule order
     */
    public record Report(List<Row> rows, long totalParams, long totalFlops, long bufferElements, List<ConstructCost> units) {
        public Report {
            rows = List.copyOf(rows);
            units = List.copyOf(units);
        }

        /** The constructs of one kind ({@code GateCost.class}, {@code ExitCost.class}, ...), in schedule order. */
        public <C extends ConstructCost> List<C> units(Class<C> type) {
            return units.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** The cost rule of each kind of region op: a new construct adds its rule here. */
    private static final Map<Class<?>, CostRule<?>> RULES = rules(new GateCostRule(), new ExitCostRule(), new LoopCostRule(),
            new FixedPointCostRule(), new OdeCostRule(), new ShareCostRule());

    private static Map<Class<?>, CostRule<?>> rules(CostRule<?>... rules) {
        Map<Class<?>, CostRule<?>> m = new HashMap<>();
        for (CostRule<?> r : rules) {
            m.put(r.opType(), r);
        }
        return Map.copyOf(m);
    }

    /** The rule of {@code op}'s construct; every region op has one. */
    @SuppressWarnings("unchecked") // the table maps each op type to a rule for that type
    private static <O extends Op.RegionOp> CostRule<O> rule(O op) {
        CostRule<O> r = (CostRule<O>) RULES.get(op.getClass());
        if (r == null) {
            throw new IllegalStateException("no cost rule for " + op.kind());
        }
        return r;
    }

    public static Report of(Graph g) {
        List<Row> rows = new ArrayList<>();
        long flops = 0;
        Set<String> counted = new HashSet<>();
        long params = 0;
        for (Op op : g.ops()) {
            long p = 0;
            List<ParamDecl> own = new ArrayList<>(op.params());
            if (op instanceof Op.RegionOp r) {
                own.addAll(ownParams(r));
            }
            for (ParamDecl d : own) {
                if (counted.add(d.name())) {
                    p = Math.addExact(p, d.size());
                }
            }
            long f = flops(op);
            rows.add(new Row(op, p, f));
            flops = Math.addExact(flops, f);
            params = Math.addExact(params, p);
        }
        long buffers = g.buffers().stream().mapToLong(b -> b.size()).reduce(0, Math::addExact);
        ScheduleCosts costs = new ScheduleCosts(g, rows);
        List<ConstructCost> units = new ArrayList<>();
        for (Op op : g.ops()) {
            if (op instanceof Op.RegionOp r) {
                units.add(unitCost(r, costs));
            }
        }
        return new Report(rows, params, flops, buffers, units);
    }

    private static <O extends Op.RegionOp> List<ParamDecl> ownParams(O op) {
        return rule(op).ownParams(op);
    }

    private static <O extends Op.RegionOp> ConstructCost unitCost(O op, ScheduleCosts costs) {
        return rule(op).cost(op, costs);
    }

    /** FLOPs per sample of a region's ops, nested regions included. */
    public static long regionFlops(Region region) {
        long f = 0;
        for (Op op : region.schedule()) {
            f = Math.addExact(f, flops(op));
        }
        return f;
    }

    public static long flops(Op op) {
        long out = op.out().size();
        if (op instanceof Op.Conv2d c) {
            long macs = Counts.product(out, c.in().dim(0) / c.groups(), c.kernelH(), c.kernelW());
            return Math.addExact(Math.multiplyExact(2, macs), c.bias() != null ? out : 0);
        } else if (op instanceof Op.Dense d) {
            return Math.addExact(Counts.product(2, d.in().size(), out), d.bias() != null ? out : 0);
        } else if (op instanceof Op.BatchNorm || op instanceof Op.LayerNorm) {
            return Math.multiplyExact(2, out);
        } else if (op instanceof Op.Pool2d p) {
            return Counts.product(out, p.kernelH(), p.kernelW());
        } else if (op instanceof Op.GlobalAvgPool g) {
            return g.in().size();
        } else if (op instanceof Op.Flatten || op instanceof Op.Dropout) {
            return 0;
        } else if (op instanceof Op.GumbelGate) {
            return 2;
        } else if (op instanceof Op.ParentMixture m) {
            return Counts.product(2, out, m.parents().size()); // training's weighted sum; inference reads one parent

        } else if (op instanceof State) {
            return 0;
        } else if (op instanceof HaltingMean m) {
            return Counts.product(2, out, m.states().size()); // the unrolled loop's accumulation, every step
        } else if (op instanceof Op.RegionOp r) {
            return ownFlops(r);
        }
        return out;
    }

    private static <O extends Op.RegionOp> long ownFlops(O op) {
        return rule(op).ownFlops(op);
    }
}
