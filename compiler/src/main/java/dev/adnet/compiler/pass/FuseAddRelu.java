package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * An add of two different values whose sum only a ReLU reads, and is no network output, becomes one
 * {@link FusedOp.AddRelu} where the add was ({@code Elementwise.addRelu}), so it reads its operands where the add
 * did. The sum is never stored: the ReLU's backward reads the ReLU's output in its place (the same sign pattern),
 * and the add's backward only routes gradients. Training and inference.
 */
public final class FuseAddRelu extends RegionRewrite {
    @Override
    public String name() {
        return "add-relu";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (op instanceof Op.Elementwise e && e.op() == Op.ElementwiseKind.ADD && !e.a().equals(e.b())
                    && edit.free(e) && uses.soleReader(e.out()) instanceof Op.Activation relu && Uses.isRelu(relu)
                    && edit.free(relu)) {
                edit.fuse(e, new FusedOp.AddRelu(e, relu), relu);
            }
        }
    }
}
