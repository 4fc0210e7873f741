package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * Inference: a gated residual outside any gated body whose output only a ReLU reads, and is no network output,
 * becomes one {@link FusedOp.GatedResidualRelu} where the gated residual was: the ReLU runs inside the kernel that
 * adds the open rows back ({@code Compaction.scatterResidual}, or in place into the shortcut). Not for training,
 * whose backward needs the two values apart.
 */
public final class FuseGatedResidualRelu extends RegionRewrite {
    @Override
    public String name() {
        return "gated-residual-relu";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        if (edit.inGatedBody()) {
            return;
        }
        for (Op op : ops) {
            if (op instanceof Op.GatedResidual g && edit.free(g) && uses.soleReader(g.out()) instanceof Op.Activation relu
                    && Uses.isRelu(relu) && edit.free(relu)) {
                edit.fuse(g, new FusedOp.GatedResidualRelu(g, relu), relu);
            }
        }
    }
}
