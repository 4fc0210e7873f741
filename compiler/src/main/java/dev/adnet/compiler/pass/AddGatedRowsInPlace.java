package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;
import java.util.List;

/**
 * Inference: a gated residual + ReLU ({@link FuseGatedResidualRelu}) whose shortcut is a ReLU's output (so
 * non-negative: its ReLU changes nothing) that no op after the residual reads, no dropout reads (at inference a
 * dropout's value is its input's array) and is no network output becomes a {@link FusedOp.GatedResidualInPlace}: the
 * open rows are added into the shortcut's array, whose closed rows already are the result. Runs after
 * {@link FuseGatedResidualRelu}.
 */
public final class AddGatedRowsInPlace extends RegionRewrite {
    @Override
    public String name() {
        return "gated-residual-in-place";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            if (!(op instanceof FusedOp.GatedResidualRelu f) || !edit.free(op)) {
                continue;
            }
            Value shortcut = f.gate().shortcut();
            if (uses.isOutput(shortcut) || !uses.definedByRelu(shortcut)) {
                continue;
            }
            int at = uses.position(op);
            if (uses.readers(shortcut).stream().allMatch(r -> uses.position(r) <= at && !(r instanceof Op.Dropout))) {
                edit.fuse(op, new FusedOp.GatedResidualInPlace(f, null, null, false));
            }
        }
    }
}
