package dev.adnet.compiler.check;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Counts;
import dev.adnet.compiler.ir.Op;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * FLOPs per sample must fit a long: the cost table, {@code describe}, the gate and exit reports and the generated
 * {@code FLOPS_PER_SAMPLE} constants are longs. Every tensor already fits the runtime ({@link Lowering#add}), yet a
 * layer's own count can still overflow (a pooling window of two billion elements), and so can the sum over a long
 * network. Either is reported at the layer where it happens.
 *
 * <p>The parameter total needs no such check: each parameter fits {@link Counts#MAX_ELEMENTS} and a network has at
 * most {@link Lowering#MAX_OPS} ops with at most a few parameters each, far below a long.
 */
final class FlopsLimit {
    private FlopsLimit() {}

    /** Reports the first layer where the FLOPs per sample stop fitting a long; false then. */
    static boolean check(List<Op> ops, Diagnostics diag) {
        long total = 0;
        for (Op op : ops) {
            String who = op.kind() + " '" + op.path() + "'";
            long f;
            try {
                f = CostModel.flops(op);
            } catch (ArithmeticException e) {
                diag.error(Code.FLOPS_TOO_LARGE, op.origin(), who + " alone costs more than " + Counts.text(Long.MAX_VALUE)
                        + " FLOPs per sample, the largest count a long holds");
                return false;
            }
            if (total > Long.MAX_VALUE - f) {
                BigInteger reached = BigInteger.valueOf(total).add(BigInteger.valueOf(f));
                diag.error(Code.FLOPS_TOO_LARGE, op.origin(), String.format(Locale.ROOT, "the network's FLOPs per sample "
                        + "reach %,d at %s, more than the %s a long holds", reached, who, Counts.text(Long.MAX_VALUE)));
                return false;
            }
            total += f;
        }
        return true;
    }
}
