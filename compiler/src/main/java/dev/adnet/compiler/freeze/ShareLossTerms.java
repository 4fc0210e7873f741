package dev.adnet.compiler.freeze;

import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ast.NetworkDecl;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The loss without its {@code sparsity()} and {@code sharing()} terms, which name the share the frozen network no longer
 * has: the loss's top-level sum is written again without the terms that call them.
 */
final class ShareLossTerms {
    private static final List<String> TERMS = List.of("sparsity", "sharing");

    private ShareLossTerms() {}

    /** The edit of the train section's loss, or none when it has no such term. */
    static Optional<SourceEdit> edit(NetworkDecl net, SourceText text) {
        for (Member m : net.members()) {
            if (m instanceof Member.Train t) {
                for (Member.Setting s : t.settings()) {
                    if (s.key().name().equals("loss")) {
                        return edit(s.value(), text);
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<SourceEdit> edit(Expr loss, SourceText text) {
        List<Expr> terms = new ArrayList<>();
        List<String> signs = new ArrayList<>();
        flatten(loss, "+", terms, signs);
        StringBuilder kept = new StringBuilder();
        boolean dropped = false;
        for (int i = 0; i < terms.size(); i++) {
            Expr term = terms.get(i);
            if (callsShareTerm(term)) {
                if (!isShareTerm(term)) {
                    throw new FreezeException(term.span() + ": adnet freeze drops the sparsity() and sharing() terms of "
                            + "the loss, which must be summands of it (w * sparsity() + ...), not inside another term");
                }
                dropped = true;
                continue;
            }
            String sign = signs.get(i);
            kept.append(kept.isEmpty() ? (sign.equals("-") ? "-" : "") : " " + sign + " ").append(source(term, text));
        }
        if (!dropped) {
            return Optional.empty();
        }
        if (kept.isEmpty()) {
            throw new FreezeException(loss.span() + ": the loss has only sparsity() and sharing() terms, which the frozen "
                    + "network does not have; add a task's loss");
        }
        int[] extent = extent(loss, text);
        return Optional.of(new SourceEdit(extent[0], extent[1], kept.toString()));
    }

    /** The summands of {@code e} with their signs. */
    private static void flatten(Expr e, String sign, List<Expr> terms, List<String> signs) {
        if (e instanceof Expr.Binary b && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB)) {
            flatten(b.left(), sign, terms, signs);
            String right = b.op() == Expr.BinaryOp.ADD ? sign : (sign.equals("+") ? "-" : "+");
            flatten(b.right(), right, terms, signs);
        } else {
            terms.add(e);
            signs.add(sign);
        }
    }

    private static boolean callsShareTerm(Expr term) {
        return ExprWalk.all(term).stream().anyMatch(ShareLossTerms::isCall);
    }

    /** {@code sparsity()}, or a constant times or over it. */
    private static boolean isShareTerm(Expr term) {
        if (isCall(term)) {
            return true;
        }
        if (term instanceof Expr.Binary b && (b.op() == Expr.BinaryOp.MUL || b.op() == Expr.BinaryOp.DIV)) {
            return isShareTerm(b.left()) && isNumber(b.right()) || b.op() == Expr.BinaryOp.MUL && isNumber(b.left())
                    && isShareTerm(b.right());
        }
        return false;
    }

    private static boolean isCall(Expr e) {
        return e instanceof Expr.Apply a && a.callee() instanceof Expr.Name n && TERMS.contains(n.name());
    }

    private static boolean isNumber(Expr e) {
        return e instanceof Expr.IntLit || e instanceof Expr.FloatLit;
    }

    private static String source(Expr e, SourceText text) {
        int[] extent = extent(e, text);
        return text.text().substring(extent[0], extent[1]);
    }

    /** Where {@code e}'s text starts and ends: a binary expression's own span is only its operator. */
    private static int[] extent(Expr e, SourceText text) {
        int start = Integer.MAX_VALUE;
        int end = 0;
        for (Expr x : ExprWalk.all(e)) {
            int at = text.offset(x.span());
            start = Math.min(start, at);
            end = Math.max(end, at + x.span().length());
        }
        return new int[] {start, end};
    }
}
