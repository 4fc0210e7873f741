package dev.adnet.compiler.index;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.CallSpec;
import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Ident;
import dev.adnet.compiler.ast.Import;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ast.NetworkDecl;
import dev.adnet.compiler.check.Catalogue;
import dev.adnet.compiler.source.Span;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Every name written in one file, resolved with the checker's scoping rules: a network sees its inputs, outputs,
 * values and blocks; a block sees only its parameters and the blocks of its file (and what that file imports); a
 * body adds its input names and bindings; {@code import A from "lib.adnet"} names a block of another file. A
 * symbol is identified by the span of its declaration, so indexes of different files agree on it.
 */
public final class SymbolIndex {
    public enum Kind { NETWORK, BLOCK, PARAM, INPUT, OUTPUT, VALUE, LAYER }

    /** A declared name; {@code declaration} is null for a built-in layer. */
    public record Symbol(String name, Kind kind, Span declaration, String detail) {}

    /** One place a name is written: where it is declared, or a use of it. */
    public record Occurrence(Span span, Symbol symbol, boolean declaration) {}

    /** An entry of the file's outline; {@code endLine} is the last line it may cover. */
    public record Outline(Symbol symbol, int endLine, List<Outline> children) {
        public Outline {
            children = List.copyOf(children);
        }
    }

    private final String file;
    private final Map<String, CompilationUnit> units;
    private final List<Occurrence> occurrences = new ArrayList<>();
    private final List<Outline> outline = new ArrayList<>();
    /** The names each top-level declaration sees, by its first line, for completion. */
    private final List<Map.Entry<Integer, Map<String, Symbol>>> regions = new ArrayList<>();
    private final Map<String, Symbol> fileBlocks = new LinkedHashMap<>();

    private SymbolIndex(String file, Map<String, CompilationUnit> units) {
        this.file = file;
        this.units = units;
    }

    /**
     * The index of {@code file}, whose tree and its imports' trees are in {@code units} by display name (as
     * {@link dev.adnet.compiler.CompileResult#units()} holds them); empty when the file has no tree.
     */
    public static Optional<SymbolIndex> of(String file, Map<String, CompilationUnit> units) {
        CompilationUnit unit = units.get(file);
        if (unit == null) {
            return Optional.empty();
        }
        SymbolIndex index = new SymbolIndex(file, units);
        index.build(unit);
        index.occurrences.sort(Comparator.comparingInt((Occurrence o) -> o.span().line()).thenComparingInt(o -> o.span().column()));
        return Optional.of(index);
    }

    public String file() {
        return file;
    }

    public List<Occurrence> occurrences() {
        return List.copyOf(occurrences);
    }

    public List<Outline> outline() {
        return List.copyOf(outline);
    }

    /** The name written at a 1-based line and column, if any. */
    public Optional<Occurrence> at(int line, int column) {
        for (Occurrence o : occurrences) {
            Span s = o.span();
            if (s.line() == line && column >= s.column() && column <= s.column() + s.length()) {
                return Optional.of(o);
            }
        }
        return Optional.empty();
    }

    /** Every occurrence in this file of the symbol declared at {@code declaration}. */
    public List<Occurrence> occurrencesOf(Span declaration) {
        return occurrences.stream().filter(o -> declaration.equals(o.symbol().declaration())).toList();
    }

    /** The parameters of a block this file can see, in order; empty for any other symbol. */
    public List<Symbol> parametersOf(Symbol block) {
        BlockDecl b = block.kind() == Kind.BLOCK ? blockDecls.get(block.declaration()) : null;
        return b == null ? List.of() : b.params().stream().map(SymbolIndex::paramSymbol).toList();
    }

    /** The values, parameters and blocks visible on a line, for completion. */
    public List<Symbol> visibleAt(int line) {
        Map<String, Symbol> names = new LinkedHashMap<>(fileBlocks);
        Map<String, Symbol> region = null;
        for (Map.Entry<Integer, Map<String, Symbol>> r : regions) {
            if (r.getKey() <= line) {
                region = r.getValue();
            }
        }
        if (region != null) {
            names.putAll(region);
        }
        return List.copyOf(names.values());
    }

    // ------------------------------------------------------------------------------------------ building

    /** A lexical scope of values; blocks are looked up in {@code blocks}. */
    private static final class Scope {
        final Scope parent;
        final Map<String, Symbol> values = new HashMap<>();
        final Map<String, Symbol> blocks;
        final Map<String, Symbol> region;

        Scope(Scope parent, Map<String, Symbol> blocks, Map<String, Symbol> region) {
            this.parent = parent;
            this.blocks = blocks;
            this.region = region;
        }

        Symbol value(String name) {
            for (Scope s = this; s != null; s = s.parent) {
                Symbol v = s.values.get(name);
                if (v != null) {
                    return v;
                }
            }
            return null;
        }

        void declare(Symbol s) {
            values.putIfAbsent(s.name(), s);
            region.putIfAbsent(s.name(), s);
        }
    }

    /** Block declarations keyed by their symbol, so a named argument can find the parameter it sets. */
    private final Map<Span, BlockDecl> blockDecls = new HashMap<>();

    private void build(CompilationUnit unit) {
        for (Import imp : unit.imports()) {
            Map<String, BlockDecl> available = exported(importedName(file, imp.path()), new HashSet<>());
            if (imp.names().isEmpty()) {
                CompilationUnit imported = units.get(importedName(file, imp.path()));
                if (imported != null) {
                    imported.blocks().forEach(b -> fileBlocks.put(b.name().name(), blockSymbol(b)));
                }
            }
            for (Ident n : imp.names()) {
                BlockDecl b = available.get(n.name());
                if (b != null) {
                    Symbol s = blockSymbol(b);
                    fileBlocks.put(n.name(), s);
                    occurrences.add(new Occurrence(n.span(), s, false));
                }
            }
        }
        unit.blocks().forEach(b -> fileBlocks.put(b.name().name(), blockSymbol(b)));
        List<Map.Entry<Integer, Runnable>> decls = new ArrayList<>();
        for (BlockDecl b : unit.blocks()) {
            decls.add(Map.entry(b.span().line(), () -> outline.add(block(b, fileBlocks, 0))));
        }
        for (NetworkDecl n : unit.networks()) {
            decls.add(Map.entry(n.span().line(), () -> outline.add(network(n))));
        }
        decls.sort(Map.Entry.comparingByKey());
        decls.forEach(d -> d.getValue().run());
        // Each declaration may run to the line before the next one.
        for (int i = 0; i < outline.size(); i++) {
            Outline o = outline.get(i);
            int end = i + 1 < outline.size() ? outline.get(i + 1).symbol().declaration().line() - 1 : Integer.MAX_VALUE;
            outline.set(i, new Outline(o.symbol(), end, o.children()));
        }
    }

    /** The display name of a file imported as {@code path} from {@code from}: as the compiler names it. */
    static String importedName(String from, String path) {
        Path parent = Path.of(from).getParent();
        return parent == null ? path : parent.resolve(path).normalize().toString();
    }

    /** The blocks a file offers to a named import: its own and those it imports. */
    private Map<String, BlockDecl> exported(String name, Set<String> seen) {
        Map<String, BlockDecl> result = new LinkedHashMap<>();
        CompilationUnit unit = units.get(name);
        if (unit == null || !seen.add(name)) {
            return result;
        }
        for (Import imp : unit.imports()) {
            Map<String, BlockDecl> available = exported(importedName(name, imp.path()), seen);
            if (imp.names().isEmpty()) {
                CompilationUnit imported = units.get(importedName(name, imp.path()));
                if (imported != null) {
                    imported.blocks().forEach(b -> result.put(b.name().name(), b));
                }
            } else {
                imp.names().stream().filter(n -> available.containsKey(n.name())).forEach(n -> result.put(n.name(), available.get(n.name())));
            }
        }
        unit.blocks().forEach(b -> result.put(b.name().name(), b));
        return result;
    }

    private Symbol blockSymbol(BlockDecl b) {
        blockDecls.put(b.name().span(), b);
        return new Symbol(b.name().name(), Kind.BLOCK, b.name().span(), "block " + b.name().name() + "(" + String.join(", ",
                b.params().stream().map(SymbolIndex::paramText).toList()) + ")");
    }

    private static Symbol paramSymbol(BlockDecl.Param p) {
        return new Symbol(p.name().name(), Kind.PARAM, p.name().span(), paramText(p));
    }

    private static String paramText(BlockDecl.Param p) {
        String type = p.type().list() ? "[" + p.type().name().name() + "]" : p.type().name().name();
        return p.name().name() + ": " + type + (p.defaultValue() == null ? "" : " = " + ExprText.of(p.defaultValue()));
    }

    private Outline block(BlockDecl b, Map<String, Symbol> blocks, int endLine) {
        Symbol self = blockSymbol(b);
        occurrences.add(new Occurrence(b.name().span(), self, true));
        Map<String, Symbol> region = new LinkedHashMap<>();
        regions.add(Map.entry(b.span().line(), region));
        Scope scope = new Scope(null, blocks, region);
        List<Outline> children = new ArrayList<>();
        for (BlockDecl.Param p : b.params()) {
            if (p.defaultValue() != null) {
                expr(p.defaultValue(), scope);
            }
            Symbol s = paramSymbol(p);
            scope.declare(s);
            occurrences.add(new Occurrence(p.name().span(), s, true));
            children.add(new Outline(s, p.span().line(), List.of()));
        }
        body(b.body(), scope);
        return new Outline(self, endLine, children);
    }

    private Outline network(NetworkDecl n) {
        Symbol self = new Symbol(n.name().name(), Kind.NETWORK, n.name().span(), "network " + n.name().name());
        occurrences.add(new Occurrence(n.name().span(), self, true));
        Map<String, Symbol> blocks = new LinkedHashMap<>(fileBlocks);
        for (Member m : n.members()) {
            if (m instanceof Member.LocalBlock lb) {
                blocks.put(lb.block().name().name(), blockSymbol(lb.block()));
            }
        }
        Map<String, Symbol> region = new LinkedHashMap<>();
        regions.add(Map.entry(n.span().line(), region));
        Scope scope = new Scope(null, blocks, region);
        region.putAll(blocks);
        List<Outline> children = new ArrayList<>();
        // Declared up front, as the checker knows every assignment when it reports "used before it is assigned".
        for (Member m : n.members()) {
            if (m instanceof Member.Input in) {
                scope.declare(new Symbol(in.name().name(), Kind.INPUT, in.name().span(), "input " + in.name().name() + ": "
                        + ExprText.shape(in.shape().dims())));
            } else if (m instanceof Member.Output out) {
                scope.declare(new Symbol(out.name().name(), Kind.OUTPUT, out.name().span(), "output " + out.name().name() + ": "
                        + ExprText.shape(out.shape().dims())));
            } else if (m instanceof Member.State st) {
                scope.declare(new Symbol(st.name().name(), Kind.VALUE, st.name().span(), "state " + st.name().name()));
            }
        }
        for (Member m : n.members()) {
            if (m instanceof Member.Assignment a) {
                scope.declare(new Symbol(a.name().name(), Kind.VALUE, a.name().span(), a.name().name() + " = "
                        + ExprText.of(a.value())));
            }
        }
        for (Member m : n.members()) {
            if (m instanceof Member.Input in) {
                declared(in.name(), scope, children);
                in.shape().dims().forEach(d -> expr(d, scope));
            } else if (m instanceof Member.Output out) {
                declared(out.name(), scope, children);
                out.shape().dims().forEach(d -> expr(d, scope));
            } else if (m instanceof Member.Assignment a) {
                expr(a.value(), scope);
                declared(a.name(), scope, children);
            } else if (m instanceof Member.LocalBlock lb) {
                children.add(block(lb.block(), blocks, lb.span().line()));
            } else if (m instanceof Member.Train t) {
                t.settings().forEach(s -> expr(s.value(), scope));
            } else if (m instanceof Member.Stray st) {
                expr(st.value(), scope);
            } else if (m instanceof Member.Task t) {
                expr(t.kind(), scope);
            } else if (m instanceof Member.State st) {
                declared(st.name(), scope, children);
                if (st.shape() != null) {
                    st.shape().dims().forEach(d -> expr(d, scope));
                }
                if (st.init() != null) {
                    expr(st.init(), scope);
                }
            }
        }
        return new Outline(self, 0, children);
    }

    /** A network member's name: its declaration, or (an output assigned) a further declaration of the same symbol. */
    private void declared(Ident name, Scope scope, List<Outline> children) {
        Symbol s = scope.value(name.name());
        if (s == null) {
            return;
        }
        occurrences.add(new Occurrence(name.span(), s, true));
        if (s.declaration().equals(name.span())) {
            children.add(new Outline(s, name.span().line(), List.of()));
        }
    }

    private void body(Body b, Scope outer) {
        Scope scope = new Scope(outer, outer.blocks, outer.region);
        for (Ident in : b.inputs()) {
            Symbol s = new Symbol(in.name(), Kind.VALUE, in.span(), "body input " + in.name());
            scope.declare(s);
            occurrences.add(new Occurrence(in.span(), s, true));
        }
        for (Body.Statement st : b.statements()) {
            if (st instanceof Body.Bind bind) {
                expr(bind.value(), scope);
                Symbol s = new Symbol(bind.name().name(), Kind.VALUE, bind.name().span(), bind.name().name() + " = "
                        + ExprText.of(bind.value()));
                scope.values.put(s.name(), s);
                scope.region.putIfAbsent(s.name(), s);
                occurrences.add(new Occurrence(bind.name().span(), s, true));
            } else if (st instanceof Body.Eval ev) {
                expr(ev.value(), scope);
            }
        }
    }

    private Symbol resolve(Expr.Name n, Scope scope) {
        Symbol v = scope.value(n.name());
        if (v != null) {
            return v;
        }
        Symbol b = scope.blocks.get(n.name());
        if (b != null) {
            return b;
        }
        return Catalogue.layer(n.name()).map(l -> new Symbol(l.name(), Kind.LAYER, null, l.label())).orElse(null);
    }

    private void expr(Expr e, Scope scope) {
        if (e instanceof Expr.Name n) {
            Symbol s = resolve(n, scope);
            if (s != null) {
                occurrences.add(new Occurrence(n.span(), s, false));
            }
        } else if (e instanceof Expr.ListLit l) {
            l.items().forEach(x -> expr(x, scope));
        } else if (e instanceof Expr.Apply a) {
            expr(a.callee(), scope);
            Symbol target = a.callee() instanceof Expr.Name n ? resolve(n, scope) : null;
            BlockDecl callee = target != null && target.kind() == Kind.BLOCK ? blockDecls.get(target.declaration()) : null;
            for (Arg arg : a.args()) {
                if (arg.named() && callee != null) {
                    callee.params().stream().filter(p -> p.name().name().equals(arg.name().name())).findFirst()
                            .ifPresent(p -> occurrences.add(new Occurrence(arg.name().span(), paramSymbol(p), false)));
                }
                expr(arg.value(), scope);
            }
        } else if (e instanceof Expr.Pipe p) {
            expr(p.left(), scope);
            expr(p.right(), scope);
        } else if (e instanceof Expr.Negate n) {
            expr(n.operand(), scope);
        } else if (e instanceof Expr.Binary b) {
            expr(b.left(), scope);
            expr(b.right(), scope);
        } else if (e instanceof Expr.Group g) {
            body(g.body(), scope);
        } else if (e instanceof Expr.Residual r) {
            args(r.args(), scope);
            expr(r.operand(), scope);
        } else if (e instanceof Expr.Gate g) {
            args(g.args(), scope);
            expr(g.operand(), scope);
        } else if (e instanceof Expr.Repeat r) {
            expr(r.count(), scope);
            args(r.sharing(), scope);
            if (r.policy() instanceof Expr.GatedRepeat g) {
                args(g.args(), scope);
            } else if (r.policy() instanceof Expr.HaltingRepeat h) {
                spec(h.unit(), scope);
            }
            body(r.body(), scope);
        } else if (e instanceof Expr.FixedPoint f) {
            args(f.args(), scope);
            if (f.solver() != null) {
                spec(f.solver(), scope);
            }
            body(f.body(), scope);
        } else if (e instanceof Expr.Ode o) {
            args(o.args(), scope);
            body(o.body(), scope);
        } else if (e instanceof Expr.Exit x) {
            args(x.args(), scope);
            if (x.condition() != null) {
                expr(x.condition(), scope);
            }
            body(x.body(), scope);
        } else if (e instanceof Expr.Share s) {
            spec(s.policy(), scope);
            body(s.body(), scope);
        } else if (e instanceof Expr.Branch b) {
            spec(b.policy(), scope);
            body(b.body(), scope);
        }
    }

    private void args(List<Arg> args, Scope scope) {
        args.forEach(a -> expr(a.value(), scope));
    }

    private void spec(CallSpec c, Scope scope) {
        args(c.args(), scope);
    }
}
