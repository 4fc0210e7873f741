package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * Channels-last inference: a batchnorm of images (or a {@link FusedOp.BatchNormRelu}) right after the convolution
 * whose output it alone reads folds into it, as one {@link FusedOp.ConvBatchNorm} ({@code ChannelsLast.convBatchNorm}:
 * scaled weights and a bias, the ReLU as oneDNN's post-op), so no pass over the activation remains. Right after:
 * the pair then runs where the convolution's input is still what it was. Runs after {@link FuseBatchNormRelu}.
 */
public final class FoldConvBatchNorm extends RegionRewrite {
    @Override
    public String name() {
        return "fold-conv-batchnorm";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (int i = 1; i < ops.size(); i++) {
            Op op = ops.get(i);
            Op.BatchNorm b = op instanceof Op.BatchNorm bn ? bn : op instanceof FusedOp.BatchNormRelu f ? f.batchNorm() : null;
            Op.Activation relu = op instanceof FusedOp.BatchNormRelu f ? f.relu() : null;
            if (b == null || b.in().rank() != 3 || uses.isOutput(b.out()) || !edit.free(op)
                    || !(ops.get(i - 1) instanceof Op.Conv2d c) || !c.out().equals(b.in())
                    || uses.soleReader(c.out()) == null || !edit.free(c)) {
                continue;
            }
            edit.fuse(op, new FusedOp.ConvBatchNorm(c, b, relu), c);
        }
    }
}
