package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Op;

/**
 * The policy after {@code when} in an exit: {@code confidence > t}, {@code entropy < t}, {@code patience(k)} or
 * {@code budget(b)}. Checks the ranges that do not depend on the network around the exit.
 */
final class ExitPolicies {
    private ExitPolicies() {}

    record Policy(Op.ExitPolicyKind kind, double threshold) {}

    private static final String FORMS = "an exit policy is 'confidence > t', 'entropy < t', 'patience(k)' or 'budget(b)'";

    /** The checked policy, or null after reporting. */
    static Policy parse(Expr c, Env env, Evaluator evaluator, Diagnostics diag) {
        if (c instanceof Expr.Binary b && b.left() instanceof Expr.Name n) {
            // strict comparisons only: the runtime's policies compare strictly (ExitPolicy.fires)
            boolean greater = b.op() == Expr.BinaryOp.GT;
            boolean less = b.op() == Expr.BinaryOp.LT;
            if (n.name().equals("confidence") && greater) {
                Double t = evaluator.number(b.right(), env, "a confidence threshold");
                if (t == null) {
                    return null;
                }
                if (!(t >= 0 && t < 1)) {
                    diag.error(Code.INVALID_VALUE, b.right().span(), "a confidence threshold is a probability in [0, 1), not "
                            + t + (t >= 1 ? ": no softmax probability exceeds it, so no sample would leave" : ""));
                    return null;
                }
                return new Policy(Op.ExitPolicyKind.CONFIDENCE, t);
            }
            if (n.name().equals("entropy") && less) {
                Double t = evaluator.number(b.right(), env, "an entropy threshold");
                if (t == null) {
                    return null;
                }
                if (!(t > 0) || Double.isInfinite(t)) {
                    diag.error(Code.INVALID_VALUE, b.right().span(), "an entropy threshold must be positive, not " + t
                            + ": no entropy is below it, so no sample would leave");
                    return null;
                }
                return new Policy(Op.ExitPolicyKind.ENTROPY, t);
            }
            if ((n.name().equals("confidence") || n.name().equals("entropy"))
                    && (b.op() == Expr.BinaryOp.GE || b.op() == Expr.BinaryOp.LE)) {
                String strict = n.name().equals("confidence") ? "confidence > t" : "entropy < t";
                diag.error(Code.INVALID_VALUE, b.span(), "a sample leaves when its " + n.name() + " is strictly "
                        + (n.name().equals("confidence") ? "above" : "below") + " the threshold: write '" + strict + "'");
                return null;
            }
            if (n.name().equals("confidence") || n.name().equals("entropy")) {
                diag.error(Code.INVALID_VALUE, b.span(), n.name().equals("confidence")
                        ? "a sample leaves when its confidence is high: write 'confidence > t'"
                        : "a sample leaves when its entropy is low: write 'entropy < t'");
                return null;
            }
        }
        if (c instanceof Expr.Apply a && a.callee() instanceof Expr.Name n
                && (n.name().equals("patience") || n.name().equals("budget"))) {
            if (a.args().size() != 1 || a.args().get(0).named()) {
                diag.error(a.args().isEmpty() ? Code.MISSING_ARGUMENT : Code.TOO_MANY_ARGUMENTS, a.span(), n.name() + " takes one number: " + n.name()
                        + (n.name().equals("patience") ? "(k)" : "(b)"));
                return null;
            }
            Expr arg = a.args().get(0).value();
            Double v = evaluator.number(arg, env, n.name().equals("patience") ? "a patience" : "a budget");
            if (v == null) {
                return null;
            }
            if (n.name().equals("patience")) {
                if (v != Math.rint(v) || v < 1 || v > 1000) {
                    diag.error(Code.INVALID_VALUE, arg.span(), "a patience is a count of agreeing exits from 1 to 1000, not " + v);
                    return null;
                }
                return new Policy(Op.ExitPolicyKind.PATIENCE, v);
            }
            if (!(v > 0 && v <= 1)) {
                diag.error(Code.INVALID_VALUE, arg.span(), "a budget is a fraction of the full network's FLOPs in (0, 1], not " + v);
                return null;
            }
            return new Policy(Op.ExitPolicyKind.BUDGET, v);
        }
        diag.error(Code.INVALID_VALUE, c.span(), FORMS);
        return null;
    }
}
