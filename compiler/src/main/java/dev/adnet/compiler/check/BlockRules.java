package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks of block declarations that do not need a use: parameter types, duplicate parameters, and blocks that
 * instantiate themselves directly or through others (reported at the reference that closes the cycle).
 */
final class BlockRules {
    private BlockRules() {}

    static Args.Type type(BlockDecl.TypeRef t) {
        if (t.list()) {
            return Args.Type.LIST;
        }
        return switch (t.name().name()) {
            case "int" -> Args.Type.INT;
            case "float" -> Args.Type.FLOAT;
            case "bool" -> Args.Type.BOOL;
            case "string" -> Args.Type.STRING;
            case "stage" -> Args.Type.STAGE;
            default -> Args.Type.ANY;
        };
    }

    static void checkDeclaration(BlockDecl b, Diagnostics diag) {
        Set<String> seen = new HashSet<>();
        for (BlockDecl.Param p : b.params()) {
            if (!seen.add(p.name().name())) {
                diag.error(Code.DUPLICATE_NAME, p.name().span(), "parameter '" + p.name().name() + "' is declared twice");
            }
            if (!p.type().list() && type(p.type()) == Args.Type.ANY) {
                diag.error(Code.UNKNOWN_TYPE, p.type().span(), "unknown type '" + p.type().name().name()
                        + "'; parameter types are int, float, bool, string and stage");
            }
        }
    }

    /** Reports every cycle among {@code blocks} once. */
    static void checkRecursion(Map<String, BlockDecl> blocks, Diagnostics diag) {
        Map<String, List<Expr.Name>> refs = new HashMap<>();
        for (BlockDecl b : blocks.values()) {
            Set<String> local = new HashSet<>();
            b.params().forEach(p -> local.add(p.name().name()));
            List<Expr.Name> found = new ArrayList<>();
            collect(b.body(), local, blocks, found);
            refs.put(b.name().name(), found);
        }
        Set<String> done = new HashSet<>();
        for (String start : blocks.keySet()) {
            walk(start, new ArrayList<>(), refs, done, diag);
        }
    }

    private static void walk(String block, List<String> path, Map<String, List<Expr.Name>> refs, Set<String> done,
            Diagnostics diag) {
        if (done.contains(block)) {
            return;
        }
        path.add(block);
        for (Expr.Name ref : refs.getOrDefault(block, List.of())) {
            int at = path.indexOf(ref.name());
            if (at >= 0) {
                List<String> cycle = new ArrayList<>(path.subList(at, path.size()));
                cycle.add(ref.name());
                diag.error(Code.RECURSIVE_BLOCK, ref.span(), "block '" + ref.name() + "' instantiates itself: "
                        + String.join(" -> ", cycle));
            } else {
                walk(ref.name(), path, refs, done, diag);
            }
        }
        path.remove(path.size() - 1);
        done.add(block);
    }

    private static void collect(Body body, Set<String> shadowed, Map<String, BlockDecl> blocks, List<Expr.Name> out) {
        Set<String> local = new HashSet<>(shadowed);
        body.inputs().forEach(i -> local.add(i.name()));
        for (Body.Statement s : body.statements()) {
            if (s instanceof Body.Bind b) {
                collect(b.value(), local, blocks, out);
                local.add(b.name().name());
            } else {
                collect(((Body.Eval) s).value(), local, blocks, out);
            }
        }
    }

    private static void collect(Expr e, Set<String> shadowed, Map<String, BlockDecl> blocks, List<Expr.Name> out) {
        if (e instanceof Expr.Name n) {
            if (!shadowed.contains(n.name()) && blocks.containsKey(n.name())) {
                out.add(n);
            }
        } else if (e instanceof Expr.Apply a) {
            collect(a.callee(), shadowed, blocks, out);
            args(a.args(), shadowed, blocks, out);
        } else if (e instanceof Expr.Pipe p) {
            collect(p.left(), shadowed, blocks, out);
            collect(p.right(), shadowed, blocks, out);
        } else if (e instanceof Expr.Negate n) {
            collect(n.operand(), shadowed, blocks, out);
        } else if (e instanceof Expr.Binary b) {
            collect(b.left(), shadowed, blocks, out);
            collect(b.right(), shadowed, blocks, out);
        } else if (e instanceof Expr.ListLit l) {
            l.items().forEach(i -> collect(i, shadowed, blocks, out));
        } else if (e instanceof Expr.Group g) {
            collect(g.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.Residual r) {
            args(r.args(), shadowed, blocks, out);
            collect(r.operand(), shadowed, blocks, out);
        } else if (e instanceof Expr.Gate g) {
            args(g.args(), shadowed, blocks, out);
            collect(g.operand(), shadowed, blocks, out);
        } else if (e instanceof Expr.Repeat r) {
            collect(r.count(), shadowed, blocks, out);
            args(r.sharing(), shadowed, blocks, out);
            collect(r.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.FixedPoint f) {
            collect(f.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.Ode o) {
            collect(o.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.Exit x) {
            collect(x.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.Share s) {
            collect(s.body(), shadowed, blocks, out);
        } else if (e instanceof Expr.Branch b) {
            collect(b.body(), shadowed, blocks, out);
        }
    }

    private static void args(List<Arg> args, Set<String> shadowed, Map<String, BlockDecl> blocks, List<Expr.Name> out) {
        args.forEach(a -> collect(a.value(), shadowed, blocks, out));
    }
}
