package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * A batchnorm of images whose output only a ReLU reads, and is no network output, becomes one
 * {@link FusedOp.BatchNormRelu} where the ReLU was ({@code FusedBatchNormRelu}): no intermediate array, one pass
 * each way instead of two. Training and inference.
 */
public final class FuseBatchNormRelu extends RegionRewrite {
    @Override
    public String name() {
        return "batchnorm-relu";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (op instanceof Op.BatchNorm b && b.in().rank() == 3 && edit.free(b)
                    && uses.soleReader(b.out()) instanceof Op.Activation relu && Uses.isRelu(relu) && edit.free(relu)) {
                edit.fuse(relu, new FusedOp.BatchNormRelu(b, relu), b);
            }
        }
    }
}
