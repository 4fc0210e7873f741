package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;

/**
 * A plain FLOP count of one sample through the training graph, for callers without the cost model's number:
 * convolution {@code 2 * Cout*Hout*Wout * (Cin/groups)*kH*kW} (+{@code Cout*Hout*Wout} with bias), dense
 * {@code 2 * in*out} (+{@code out}), batchnorm and layernorm 2 per element, activations, elementwise ops, scale
 * and dropout 1 per element, pools {@code kH*kW} per output element, global pooling 1 per input element,
 * flatten and concat 0.
 */
public final class FlopCount {
    private FlopCount() {}

    public static long perSample(Graph graph) {
        long total = 0;
        for (Op op : graph.ops()) {
            total += of(op);
        }
        return total;
    }

    public static long of(Op op) {
        long outSize = op.out().size();
        if (op instanceof Op.Conv2d c) {
            long macs = outSize * (c.in().dim(0) / c.groups()) * c.kernelH() * c.kernelW();
            return 2 * macs + (c.bias() == null ? 0 : outSize);
        } else if (op instanceof Op.Dense d) {
            return 2 * d.in().size() * outSize + (d.bias() == null ? 0 : outSize);
        } else if (op instanceof Op.BatchNorm || op instanceof Op.LayerNorm) {
            return 2 * outSize;
        } else if (op instanceof Op.Activation || op instanceof Op.Elementwise || op instanceof Op.Scale
                || op instanceof Op.Dropout) {
            return outSize;
        } else if (op instanceof Op.Pool2d p) {
            return outSize * p.kernelH() * p.kernelW();
        } else if (op instanceof Op.GlobalAvgPool g) {
            return g.in().size();
        }
        return 0;
    }
}
