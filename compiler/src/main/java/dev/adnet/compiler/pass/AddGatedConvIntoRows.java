package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import java.util.List;

/**
 * Channels-last inference: an in-place gated residual ({@link AddGatedRowsInPlace}) whose body ends with a folded
 * convolution + batchnorm without ReLU, read by the residual alone, gets {@link FusedOp.GatedResidualInPlace#lastConvAdds()}:
 * when the open rows are one range of the batch, that convolution adds into the shortcut's rows with the ReLU
 * inside oneDNN, and the pooling the residual computes ({@link PoolInKernel}) is taken of that range alone. The
 * convolution must not read the array it writes into (a body of one convolution reads the block's input).
 */
public final class AddGatedConvIntoRows extends RegionRewrite {
    @Override
    public String name() {
        return "gated-conv-add-into-rows";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (!(op instanceof FusedOp.GatedResidualInPlace g) || g.lastConvAdds() || !edit.free(op)) {
                continue;
            }
            Op.GatedResidual gate = g.gate();
            Region body = gate.bodyRegion();
            if (body.ops().isEmpty() || !(body.ops().get(body.ops().size() - 1) instanceof FusedOp.ConvBatchNorm last)
                    || last.relu() != null || last.out().id() != gate.body().id() || uses.readers(gate.body()).size() != 1) {
                continue;
            }
            int in = last.conv().in().id();
            if (in != gate.input().id() && in != gate.shortcut().id()) {
                edit.fuse(op, g.withLastConvAdding());
            }
        }
    }
}
