package dev.adnet.compiler.index;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.Expr;
import java.util.List;

/** An expression as short source text for hovers and outlines; long ones are cut with an ellipsis. */
final class ExprText {
    private static final int MAX = 80;

    private ExprText() {}

    static String of(Expr e) {
        String s = text(e);
        return s.length() <= MAX ? s : s.substring(0, MAX - 3) + "...";
    }

    static String shape(List<Expr> dims) {
        return "[" + String.join(", ", dims.stream().map(ExprText::text).toList()) + "]";
    }

    private static String text(Expr e) {
        if (e instanceof Expr.IntLit i) {
            return Long.toString(i.value());
        } else if (e instanceof Expr.FloatLit f) {
            return Double.toString(f.value());
        } else if (e instanceof Expr.StringLit s) {
            return "\"" + s.value() + "\"";
        } else if (e instanceof Expr.BoolLit b) {
            return Boolean.toString(b.value());
        } else if (e instanceof Expr.ListLit l) {
            return shape(l.items());
        } else if (e instanceof Expr.Name n) {
            return n.name();
        } else if (e instanceof Expr.Apply a) {
            return text(a.callee()) + args(a.args());
        } else if (e instanceof Expr.Pipe p) {
            return text(p.left()) + " -> " + text(p.right());
        } else if (e instanceof Expr.Negate n) {
            return "-" + text(n.operand());
        } else if (e instanceof Expr.Binary b) {
            return text(b.left()) + " " + b.op().symbol + " " + text(b.right());
        } else if (e instanceof Expr.Residual r) {
            return "residual" + (r.args().isEmpty() ? "" : args(r.args())) + " " + text(r.operand());
        } else if (e instanceof Expr.Gate g) {
            return "gate" + (g.args().isEmpty() ? "" : args(g.args())) + " " + text(g.operand());
        } else if (e instanceof Expr.Repeat r) {
            return "repeat " + text(r.count()) + " { ... }";
        } else if (e instanceof Expr.Exit x) {
            return "exit" + (x.name() == null ? "" : " " + x.name().name()) + " { ... }";
        }
        return "{ ... }";
    }

    private static String args(List<Arg> args) {
        return "(" + String.join(", ", args.stream().map(a -> (a.named() ? a.name().name() + " = " : "") + text(a.value())).toList()) + ")";
    }
}
