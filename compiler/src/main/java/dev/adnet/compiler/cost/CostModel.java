package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import java.util.ArrayList;
import java.util.List;

/**
 * FLOPs per sample of each op, counting a multiply-add as two FLOPs: convolution {@code 2 * Cout * Hout * Wout *
 * (Cin / groups) * kH * kW} plus one per output with a bias; dense {@code 2 * in * out} plus {@code out} with a bias;
 * batchnorm and layernorm 2 per element (the inference-time affine); activations, elementwise ops and scaling 1 per
 * element; pooling one per window element per output; flatten and dropout (identity at inference) 0.
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
     * @param gates one entry per gated block, in gate order
     */
    public record Report(List<Row> rows, long totalParams, long totalFlops, long bufferElements, List<GateCost> gates,
            List<ExitCost> exits) {
        public Report {
            rows = List.copyOf(rows);
            gates = List.copyOf(gates);
            exits = List.copyOf(exits);
        }

        /**
         * FLOPs per sample of the network run to its final output without any exit head: what a network without exits
         * costs, and the reference that exit savings and budgets are measured against.
         */
        public long fullFlops() {
            return Math.subtractExact(totalFlops, exits.stream().mapToLong(ExitCost::headFlops).reduce(0, Math::addExact));
        }

        /**
         * FLOPs per sample that leaves at each exit, then at the final output (exits + 1 entries), every gate open:
         * everything computed before the decision, earlier exit heads included.
         */
        public long[] exitFlops() {
            long[] f = new long[exits.size() + 1];
            for (int k = 0; k < exits.size(); k++) {
                f[k] = exits.get(k).cumulativeFlops();
            }
            f[exits.size()] = totalFlops;
            return f;
        }

        /** Expected FLOPs per sample when a sample leaves at exit {@code k} with probability {@code p[k]} (final last). */
        public double expectedExitFlops(double[] p) {
            long[] f = exitFlops();
            double e = 0;
            for (int k = 0; k < f.length; k++) {
                e += p[k] * f[k];
            }
            return e;
        }

        /** FLOPs per sample when every gate is closed. */
        public long minFlops() {
            return Math.subtractExact(totalFlops, gates.stream().mapToLong(GateCost::bodyFlops).reduce(0, Math::addExact));
        }

        /** Expected FLOPs per sample when gate {@code l} executes with probability {@code rates[l]}. */
        public double expectedFlops(double[] rates) {
            double e = minFlops();
            for (int l = 0; l < gates.size(); l++) {
                e += rates[l] * gates.get(l).bodyFlops();
            }
            return e;
        }

        /** Expected FLOPs per sample at each gate's declared target rate. */
        public double expectedFlopsAtTargets() {
            return expectedFlops(gates.stream().mapToDouble(GateCost::target).toArray());
        }
    }

    /**
     * An early exit.
     *
     * @param cumulativeFlops FLOPs per sample of everything up to and including this exit's head and decision
     * @param headFlops FLOPs per sample of the head alone
     */
    public record ExitCost(int index, String name, String path, Op.ExitPolicyKind policy, double threshold,
            long cumulativeFlops, long headFlops) {}

    /** A gated block: the FLOPs per sample it costs when it runs (the gate head always runs and is not included). */
    public record GateCost(int index, String path, long bodyFlops, double target) {}

    public static Report of(Graph g) {
        List<Row> rows = new ArrayList<>();
        long flops = 0;
        java.util.Set<String> counted = new java.util.HashSet<>();
        long params = 0;
        for (Op op : g.ops()) {
            long p = 0;
            for (ParamDecl d : op.params()) {
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
        List<GateCost> gates = new ArrayList<>();
        for (Op.GatedResidual gate : g.gates()) {
            gates.add(new GateCost(gate.gateIndex(), gate.path(), bodyFlops(gate), gate.target()));
        }
        List<ExitCost> exits = new ArrayList<>();
        long cumulative = 0;
        for (int i = 0; i < g.ops().size(); i++) {
            Op op = g.ops().get(i);
            cumulative = Math.addExact(cumulative, rows.get(i).flops());
            if (op instanceof Op.Exit x) {
                long head = 0;
                for (int j = g.start(x.headRegion()); j <= g.end(x.headRegion()); j++) {
                    head = Math.addExact(head, rows.get(j).flops());
                }
                exits.add(new ExitCost(x.exitIndex(), x.name(), x.path(), x.policy(), x.threshold(), cumulative, head));
            }
        }
        return new Report(rows, params, flops, buffers, gates, exits);
    }

    /** FLOPs per sample of a gated block's body region. */
    public static long bodyFlops(Op.GatedResidual gate) {
        long f = 0;
        for (Op op : gate.bodyRegion().schedule()) {
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
        } else if (op instanceof Op.Exit x) {
            return Math.multiplyExact(3, x.head().size()); // the host-side softmax statistic over the head's logits
        } else if (op instanceof Op.FixedPoint f) {
            return FixedPointCost.solverFlops(f); // per iteration; its body's ops are rows of their own
        }
        return out;
    }
}
