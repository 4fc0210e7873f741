package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * Channels-last inference: a dense layer on the flatten of an image that nothing else reads becomes one
 * {@link FusedOp.FlattenDense} ({@code ChannelsLast.flattenDense}): the dense layer reads the image as it is, so the
 * flattened copy is never made. Runs after {@link FuseGateHead}, which takes a gate head's dense layers.
 */
public final class FuseFlattenDense extends RegionRewrite {
    @Override
    public String name() {
        return "flatten-dense";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (op instanceof Op.Dense d && edit.free(d) && uses.soleProducer(d.in()) instanceof Op.Flatten f
                    && f.in().rank() == 3 && edit.free(f)) {
                edit.fuse(d, new FusedOp.FlattenDense(f, d), f);
            }
        }
    }
}
