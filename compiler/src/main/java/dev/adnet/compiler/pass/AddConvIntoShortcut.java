package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;
import java.util.List;

/**
 * Channels-last inference: a residual add (or add + ReLU) of a folded convolution + batchnorm without ReLU, read by
 * the add alone, to a shortcut computed before the convolution that no op reads from the convolution on becomes a
 * {@link FusedOp.ConvBatchNormAddInto} where the add was: oneDNN adds the convolution's result into the shortcut's
 * array as it writes it. All of it on the whole batch (no gated body or exit head, no exit in between), the shortcut
 * neither a network input (the caller's array) nor a dropout's (its input's array). Runs after
 * {@link FoldConvBatchNorm} and {@link FuseAddRelu}.
 */
public final class AddConvIntoShortcut extends RegionRewrite {
    @Override
    public String name() {
        return "conv-add-into-shortcut";
    }

    @Override
    void rewrite(List<Op> ops, Uses uses, Edit edit) {
        for (Op op : ops) {
            Op.Elementwise add = op instanceof Op.Elementwise e && e.op() == Op.ElementwiseKind.ADD ? e
                    : op instanceof FusedOp.AddRelu f ? f.add() : null;
            if (add == null || !edit.free(op) || uses.onRowsOfItsOwn(op) || uses.isOutput(add.out())
                    || add.a().id() == add.b().id()) {
                continue;
            }
            // the convolution's operand is tried first as the add's second operand, then as its first
            for (Value[] pair : new Value[][] {{add.b(), add.a()}, {add.a(), add.b()}}) {
                if (fuses(op, pair[0], pair[1], uses, edit)) {
                    break;
                }
            }
        }
    }

    private static boolean fuses(Op add, Value fromConv, Value shortcut, Uses uses, Edit edit) {
        Op from = uses.producer(shortcut);
        // the shortcut must exist before the convolution writes into it (a projection shortcut runs after the
        // block's body: the projection's convolution is then the one that adds)
        if (!(uses.producer(fromConv) instanceof FusedOp.ConvBatchNorm conv) || conv.relu() != null || !edit.free(conv)
                || from == null || uses.position(from) >= uses.position(conv) || from instanceof Op.Dropout
                || uses.onRowsOfItsOwn(conv) || uses.onRowsOfItsOwn(from) || uses.isOutput(fromConv)
                || uses.isOutput(shortcut) || uses.readers(fromConv).size() != 1 || uses.exitBetween(from, add)) {
            return false;
        }
        int at = uses.position(add);
        int convAt = uses.position(conv);
        for (Op reader : uses.readers(shortcut)) {
            if (uses.position(reader) != at && uses.position(reader) >= convAt) {
                return false;
            }
        }
        edit.fuse(add, new FusedOp.ConvBatchNormAddInto(conv, add, shortcut), conv);
        return true;
    }
}
