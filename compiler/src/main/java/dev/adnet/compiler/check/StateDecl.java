package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Shapes;
import dev.adnet.compiler.ir.State;
import dev.adnet.compiler.ir.StateInit;
import dev.adnet.compiler.ir.Value;
import java.util.Arrays;

/**
 * {@code state name: [dims] = zeros(dims)} (or {@code ones(...)}): a value that is not computed from the inputs, the
 * same for every sample, lowered to one {@link State}. The initial value may be written without its dimensions
 * ({@code = zeros}) or left out (zeros); when written, the dimensions must be the declared shape.
 */
final class StateDecl {
    private StateDecl() {}

    static Val lower(Member.State st, Lowering lowering, Diagnostics diag) {
        String name = st.name().name();
        if (st.shape() == null) {
            diag.error(Code.INVALID_SHAPE, st.name().span(), "state '" + name + "' needs its shape: state " + name + ": [dims] = zeros(dims)");
            return Val.ERR;
        }
        long[] shape = new long[st.shape().dims().size()];
        if (shape.length == 0) {
            diag.error(Code.INVALID_SHAPE, st.shape().span(), "a shape needs at least one dimension");
            return Val.ERR;
        }
        for (int i = 0; i < shape.length; i++) {
            if (!(st.shape().dims().get(i) instanceof Expr.IntLit lit) || lit.value() < 1 || lit.value() > (1L << 31)) {
                diag.error(Code.INVALID_SHAPE, st.shape().dims().get(i).span(), "a dimension must be a positive integer");
                return Val.ERR;
            }
            shape[i] = lit.value();
        }
        if (!lowering.fitsValue(st.shape().span(), "state '" + name + "' is", shape)) {
            return Val.ERR;
        }
        StateInit init = init(st, shape, diag);
        if (init == null) {
            return Val.ERR;
        }
        Value v = lowering.newValue(shape);
        return lowering.add(new State(name, init, v, name, st.span())) ? new Val.Tensor(v) : Val.ERR;
    }

    private static StateInit init(Member.State st, long[] shape, Diagnostics diag) {
        Expr e = st.init();
        if (e == null) {
            return StateInit.ZEROS;
        }
        Expr callee = e instanceof Expr.Apply a ? a.callee() : e;
        StateInit init = callee instanceof Expr.Name n ? switch (n.name()) {
            case "zeros" -> StateInit.ZEROS;
            case "ones" -> StateInit.ONES;
            default -> null;
        } : null;
        if (init == null) {
            diag.error(Code.INVALID_VALUE, e.span(), "a state starts as zeros(dims) or ones(dims)");
            return null;
        }
        if (e instanceof Expr.Apply a) {
            long[] dims = new long[a.args().size()];
            for (int i = 0; i < dims.length; i++) {
                if (a.args().get(i).named() || !(a.args().get(i).value() instanceof Expr.IntLit lit)) {
                    diag.error(Code.INVALID_VALUE, a.args().get(i).span(), "the dimensions of a state's initial value are integers");
                    return null;
                }
                dims[i] = lit.value();
            }
            if (!Arrays.equals(dims, shape)) {
                diag.error(Code.SHAPE_MISMATCH, e.span(), "state '" + st.name().name() + "' is declared " + Shapes.text(shape)
                        + " but starts as " + Shapes.text(dims));
                return null;
            }
        }
        return init;
    }
}
