package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * Inference: a gate head's {@code dense -> batchnorm -> relu -> dense} into its gate's decision, each value read
 * once and no network output, becomes one {@link FusedOp.GateHead} where the last dense layer was
 * ({@code GateHead.inference}): the same dispatch for a closed gate as for an open one, and a small one.
 */
public final class FuseGateHead extends RegionRewrite {
    @Override
    public String name() {
        return "gate-head";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (!(op instanceof Op.GumbelGate g)
                    || !(uses.soleProducer(g.logits()) instanceof Op.Dense last) || !edit.free(last)) {
                continue;
            }
            Op relu = uses.soleProducer(last.in());
            if (!Uses.isRelu(relu) || !edit.free(relu)) {
                continue;
            }
            if (!(uses.soleProducer(relu.inputs().get(0)) instanceof Op.BatchNorm b) || b.in().rank() != 1
                    || !edit.free(b)) {
                continue;
            }
            if (uses.soleProducer(b.in()) instanceof Op.Dense first && edit.free(first)) {
                edit.fuse(last, new FusedOp.GateHead(first, b, (Op.Activation) relu, last), first, b, relu);
            }
        }
    }
}
