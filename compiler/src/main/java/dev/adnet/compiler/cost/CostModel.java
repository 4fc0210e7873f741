package dev.adnet.compiler.cost;

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
    public record Report(List<Row> rows, long totalParams, long totalFlops, long bufferElements, List<GateCost> gates) {
        /** FLOPs per sample when every gate is closed. */
        public long minFlops() {
            return totalFlops - gates.stream().mapToLong(GateCost::bodyFlops).sum();
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
                    p += d.size();
                }
            }
            long f = flops(op);
            rows.add(new Row(op, p, f));
            flops += f;
            params += p;
        }
        long buffers = g.buffers().stream().mapToLong(b -> b.size()).sum();
        List<GateCost> gates = new ArrayList<>();
        for (Op.GatedResidual gate : g.gates()) {
            gates.add(new GateCost(gate.gateIndex(), gate.path(), bodyFlops(g.ops(), gate), gate.target()));
        }
        return new Report(rows, params, flops, buffers, gates);
    }

    /** FLOPs per sample of a gated block's body: the ops {@code [bodyStart, bodyEnd)} of {@code ops}. */
    public static long bodyFlops(List<Op> ops, Op.GatedResidual gate) {
        long f = 0;
        for (int i = gate.bodyStart(); i < gate.bodyEnd(); i++) {
            f += flops(ops.get(i));
        }
        return f;
    }

    public static long flops(Op op) {
        long out = op.out().size();
        if (op instanceof Op.Conv2d c) {
            long macs = out * (c.in().dim(0) / c.groups()) * c.kernelH() * c.kernelW();
            return 2 * macs + (c.bias() != null ? out : 0);
        } else if (op instanceof Op.Dense d) {
            return 2 * d.in().size() * out + (d.bias() != null ? out : 0);
        } else if (op instanceof Op.BatchNorm || op instanceof Op.LayerNorm) {
            return 2 * out;
        } else if (op instanceof Op.Pool2d p) {
            return out * p.kernelH() * p.kernelW();
        } else if (op instanceof Op.GlobalAvgPool g) {
            return g.in().size();
        } else if (op instanceof Op.Flatten || op instanceof Op.Dropout) {
            return 0;
        } else if (op instanceof Op.GumbelGate) {
            return 2;
        }
        return out;
    }
}
