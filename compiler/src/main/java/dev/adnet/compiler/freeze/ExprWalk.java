package dev.adnet.compiler.freeze;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.CallSpec;
import dev.adnet.compiler.ast.Expr;
import java.util.ArrayList;
import java.util.List;

/** Every expression inside an expression, itself first: where the freeze writer finds names and branches. */
final class ExprWalk {
    private ExprWalk() {}

    static List<Expr> all(Expr e) {
        List<Expr> out = new ArrayList<>();
        walk(e, out);
        return out;
    }

    private static void walk(Expr e, List<Expr> out) {
        if (e == null) {
            return;
        }
        out.add(e);
        if (e instanceof Expr.ListLit l) {
            l.items().forEach(x -> walk(x, out));
        } else if (e instanceof Expr.Apply a) {
            walk(a.callee(), out);
            args(a.args(), out);
        } else if (e instanceof Expr.Pipe p) {
            walk(p.left(), out);
            walk(p.right(), out);
        } else if (e instanceof Expr.Negate n) {
            walk(n.operand(), out);
        } else if (e instanceof Expr.Binary b) {
            walk(b.left(), out);
            walk(b.right(), out);
        } else if (e instanceof Expr.Group g) {
            body(g.body(), out);
        } else if (e instanceof Expr.Residual r) {
            args(r.args(), out);
            walk(r.operand(), out);
        } else if (e instanceof Expr.Gate g) {
            args(g.args(), out);
            walk(g.operand(), out);
        } else if (e instanceof Expr.Repeat r) {
            walk(r.count(), out);
            args(r.sharing(), out);
            body(r.body(), out);
        } else if (e instanceof Expr.FixedPoint f) {
            args(f.args(), out);
            call(f.solver(), out);
            body(f.body(), out);
        } else if (e instanceof Expr.Exit x) {
            args(x.args(), out);
            walk(x.condition(), out);
            body(x.body(), out);
        } else if (e instanceof Expr.Share s) {
            call(s.policy(), out);
            body(s.body(), out);
        } else if (e instanceof Expr.Branch b) {
            call(b.policy(), out);
            body(b.body(), out);
        }
    }

    private static void args(List<Arg> args, List<Expr> out) {
        args.forEach(a -> walk(a.value(), out));
    }

    private static void call(CallSpec c, List<Expr> out) {
        if (c != null) {
            args(c.args(), out);
        }
    }

    private static void body(Body b, List<Expr> out) {
        for (Body.Statement st : b.statements()) {
            walk(st instanceof Body.Bind bind ? bind.value() : ((Body.Eval) st).value(), out);
        }
    }
}
