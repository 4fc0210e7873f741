package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ast.NetworkDecl;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Checks one file (with the blocks it imports) and lowers each of its networks to a {@link Graph}. A network
 * with an error yields no graph, but every error of the file is reported.
 */
public final class Checker {
    private final Diagnostics diag;
    private final Facts facts;

    public Checker(Diagnostics diag) {
        this(diag, null);
    }

    /** A checker that also records what each named binding holds into {@code facts} (for editors' hover). */
    public Checker(Diagnostics diag, Facts facts) {
        this.diag = diag;
        this.facts = facts;
    }

    /**
     * @param imported blocks brought in by the file's imports, by name
     * @param importedHomes for each imported block, the blocks visible in its own file (that file's blocks and
     *     what it imports): an imported block means what it means where it was written
     * @return the graphs of the networks that checked cleanly, in source order
     */
    public List<Graph> check(CompilationUnit unit, Map<String, BlockDecl> imported,
            Map<BlockDecl, Map<String, BlockDecl>> importedHomes) {
        Blocks importedScope = new Blocks(null);
        imported.values().forEach(importedScope::add);
        Blocks fileScope = new Blocks(importedScope);
        Map<BlockDecl, Blocks> homes = new IdentityHashMap<>();
        Map<Map<String, BlockDecl>, Blocks> scopes = new IdentityHashMap<>();
        importedHomes.forEach((block, visible) -> homes.put(block, scopes.computeIfAbsent(visible, v -> {
            Blocks scope = new Blocks(null);
            v.values().forEach(scope::add);
            return scope;
        })));
        Map<String, Span> topNames = new HashMap<>();
        for (BlockDecl b : unit.blocks()) {
            declareTop(b.name().name(), b.name().span(), topNames);
            fileScope.add(b);
            homes.put(b, fileScope);
            BlockRules.checkDeclaration(b, diag);
        }
        for (NetworkDecl n : unit.networks()) {
            declareTop(n.name().name(), n.name().span(), topNames);
        }
        Map<String, BlockDecl> all = new LinkedHashMap<>(imported);
        unit.blocks().forEach(b -> all.put(b.name().name(), b));
        BlockRules.checkRecursion(all, diag);
        scopes.keySet().forEach(visible -> BlockRules.checkRecursion(visible, diag));

        List<Graph> graphs = new ArrayList<>();
        for (NetworkDecl n : unit.networks()) {
            int before = diag.errorCount();
            Graph g = network(n, fileScope, homes);
            if (g != null && diag.errorCount() == before) {
                graphs.add(g);
            }
        }
        return graphs;
    }

    private void declareTop(String name, Span span, Map<String, Span> seen) {
        Span prior = seen.putIfAbsent(name, span);
        if (prior != null) {
            diag.error(Code.DUPLICATE_NAME, span, "'" + name + "' is already declared at line " + prior.line());
        }
    }

    private Graph network(NetworkDecl n, Blocks fileScope, Map<BlockDecl, Blocks> homes) {
        Blocks local = new Blocks(fileScope);
        Evaluator evaluator = new Evaluator(diag, homes, facts);
        Lowering lowering = new Lowering(diag, evaluator);
        evaluator.begin(lowering);
        Env env = new Env(null, local, facts);

        Map<String, Span> declared = new HashMap<>();
        List<Graph.Port> inputs = new ArrayList<>();
        Map<String, Member.Output> outputs = new LinkedHashMap<>();
        Map<String, long[]> taskShapes = new LinkedHashMap<>();
        Map<String, Span> tasks = new LinkedHashMap<>();
        Member.Train train = null;
        Map<String, BlockDecl> localBlocks = new LinkedHashMap<>();
        for (Member m : n.members()) {
            if (m instanceof Member.Input in) {
                    if (declare(in.name().name(), in.name().span(), declared)) {
                        long[] shape = shape(in.shape());
                        if (shape != null && lowering.fitsValue(in.shape().span(), "input '" + in.name().name() + "' is", shape)) {
                            Value v = lowering.newValue(shape);
                            inputs.add(new Graph.Port(in.name().name(), v));
                            env.bind(in.name().name(), new Val.Tensor(v), in.name().span());
                        } else {
                            env.bind(in.name().name(), Val.ERR, in.name().span());
                        }
                    }
            } else if (m instanceof Member.Output out) {
                    if (declare(out.name().name(), out.name().span(), declared)) {
                        outputs.put(out.name().name(), out);
                        lowering.declareOutput(out.name().name(), out.shape().dims().isEmpty() ? null : quietShape(out.shape()));
                    }
            } else if (m instanceof Member.LocalBlock lb) {
                    BlockDecl b = lb.block();
                    if (declare(b.name().name(), b.name().span(), declared)) {
                        local.add(b);
                        homes.put(b, local);
                        localBlocks.put(b.name().name(), b);
                        BlockRules.checkDeclaration(b, diag);
                    }
            } else if (m instanceof Member.Train t) {
                    if (train != null) {
                        diag.error(Code.DUPLICATE_TRAIN_SECTION, t.span(), "a network has one train section; the first is at line "
                                + train.span().line());
                    } else {
                        train = t;
                    }
            } else if (m instanceof Member.Task t) {
                // a task is an output of class scores [k]; a bad kind leaves its shape unchecked (null)
                if (declare(t.name().name(), t.name().span(), declared)) {
                    long[] shape = TaskDecl.shape(t, diag);
                    outputs.put(t.name().name(), new Member.Output(t.name(), new Member.Shape(List.of(), t.kind().span()), t.span()));
                    taskShapes.put(t.name().name(), shape);
                    tasks.put(t.name().name(), t.name().span());
                    lowering.declareOutput(t.name().name(), shape);
                }
            } else if (m instanceof Member.State st) {
                if (declare(st.name().name(), st.name().span(), declared)) {
                    Val v = StateDecl.lower(st, lowering, diag);
                    env.bind(st.name().name(), v, st.name().span());
                }
            } else if (m instanceof Member.Stray st) {
                diag.error(Code.MISPLACED_STATEMENT, st.span(),
                        "an expression on its own does nothing in a network; assign it: name = ...");
            }
        }
        if (!localBlocks.isEmpty()) {
            Map<String, BlockDecl> visible = new LinkedHashMap<>(localBlocks);
            BlockRules.checkRecursion(visible, diag);
        }
        if (inputs.isEmpty() && n.members().stream().noneMatch(m -> m instanceof Member.Input)) {
            diag.error(Code.NO_INPUT, n.name().span(), "network '" + n.name().name() + "' declares no input");
        }
        if (outputs.isEmpty() && n.members().stream().noneMatch(m -> m instanceof Member.Output || m instanceof Member.Task)) {
            diag.error(Code.NO_OUTPUT, n.name().span(), "network '" + n.name().name() + "' declares no output");
        }

        Map<String, Span> later = new HashMap<>();
        for (Member m : n.members()) {
            if (m instanceof Member.Assignment a) {
                later.putIfAbsent(a.name().name(), a.name().span());
            }
        }
        Map<String, Span> assigned = new HashMap<>();
        evaluator.tasks(List.copyOf(tasks.keySet()));
        for (Member m : n.members()) {
            if (!(m instanceof Member.Assignment a)) {
                continue;
            }
            String name = a.name().name();
            if (later.get(name) == a.name().span()) {
                later.remove(name);
            }
            evaluator.assignedLater(later);
            if (declared.containsKey(name) && !outputs.containsKey(name)) {
                diag.error(Code.ASSIGN_TO_DECLARED, a.name().span(), "'" + name + "' is declared at line " + declared.get(name).line()
                        + " and cannot be assigned");
                continue;
            }
            if (assigned.containsKey(name)) {
                diag.error(Code.DUPLICATE_NAME, a.name().span(), "'" + name + "' is already assigned at line " + assigned.get(name).line());
                continue;
            }
            assigned.put(name, a.name().span());
            evaluator.task(tasks.containsKey(name) ? name : null);
            evaluator.topShare(a.value() instanceof Expr.Pipe p && p.right() instanceof Expr.Share s ? s : null);
            Val v = evaluator.eval(a.value(), env, name);
            if (v instanceof Val.PerTask p && p.byTask().containsKey(name)) {
                v = new Val.Tensor(p.byTask().get(name)); // a task assigned a share's value directly
            }
            if (lowering.tooLarge()) {
                diag.error(Code.TOO_LARGE, a.span(), "the network has more than " + Lowering.MAX_OPS + " operations");
                return null;
            }
            env.bind(name, v, a.name().span());
        }
        evaluator.assignedLater(Map.of());
        evaluator.task(null);
        evaluator.topShare(null);

        List<Graph.Port> outPorts = new ArrayList<>();
        for (Member.Output out : outputs.values()) {
            String name = out.name().name();
            Env.Binding b = env.lookup(name);
            boolean task = tasks.containsKey(name);
            String what = task ? "task" : "output";
            long[] declaredShape = task ? taskShapes.get(name) : shape(out.shape());
            if (b == null) {
                diag.error(Code.OUTPUT_NOT_ASSIGNED, out.name().span(), what + " '" + name + "' is never assigned");
            } else if (b.value() instanceof Val.Tensor t) {
                if (task && declaredShape == null) {
                    continue; // its declaration was reported
                }
                if (declaredShape != null && !java.util.Arrays.equals(declaredShape, t.value().shape())) {
                    diag.error(Code.OUTPUT_SHAPE_MISMATCH, b.declared(), what + " '" + name + "' is declared "
                            + (task ? "classes(" + declaredShape[0] + ")" : dev.adnet.compiler.ir.Shapes.text(declaredShape))
                            + " but computed as " + t.value().shapeText());
                } else {
                    outPorts.add(new Graph.Port(name, t.value()));
                }
            } else if (!(b.value() instanceof Val.Err)) {
                diag.error(Code.NOT_A_TENSOR, b.declared(), what + " '" + name + "' must be a tensor, but is " + Val.describe(b.value()));
            }
        }
        dev.adnet.compiler.ir.Region body = lowering.body(inputs.stream().map(Graph.Port::value).toList(),
                outPorts.stream().map(Graph.Port::value).toList());
        if (!FlopsLimit.check(body.schedule(), diag)) {
            return null; // the train section's cost terms and the budgets would count these FLOPs again
        }
        TrainSpec spec = null;
        if (train != null) {
            Map<String, Graph.Port> byName = new LinkedHashMap<>();
            outPorts.forEach(p -> byName.put(p.name(), p));
            java.util.Set<String> broken = new java.util.HashSet<>(outputs.keySet());
            broken.removeAll(byName.keySet());
            spec = new TrainChecker(diag, evaluator, byName, broken, body.schedule()).check(train);
            TaskDecl.checkLoss(train, spec, tasks, diag);
        }
        Graph graph = new Graph(n.name().name(), inputs, outPorts, body, lowering.params(), lowering.buffers(), spec,
                n.span(), List.copyOf(tasks.keySet()));
        checkBudgets(graph);
        return graph;
    }

    /**
     * A budget must be reachable: even if every sample left at the first exit that can fire, the network spends that
     * exit's cumulative FLOPs, so a smaller fraction of the full network cannot be met.
     */
    private void checkBudgets(Graph graph) {
        List<dev.adnet.compiler.ir.Op.Exit> exits = graph.exits();
        if (exits.stream().noneMatch(x -> x.policy() == dev.adnet.compiler.ir.Op.ExitPolicyKind.BUDGET)) {
            return;
        }
        dev.adnet.compiler.cost.CostModel.Report cost = dev.adnet.compiler.cost.CostModel.of(graph);
        dev.adnet.compiler.ir.Op.Exit first = exits.stream()
                .filter(x -> x.policy() != dev.adnet.compiler.ir.Op.ExitPolicyKind.NONE).findFirst().orElseThrow();
        double least = (double) dev.adnet.compiler.cost.ExitCost.leavingFlops(cost)[exits.indexOf(first)]
                / dev.adnet.compiler.cost.ExitCost.fullFlops(cost);
        for (dev.adnet.compiler.ir.Op.Exit x : exits) {
            if (x.policy() == dev.adnet.compiler.ir.Op.ExitPolicyKind.BUDGET && x.threshold() < least) {
                diag.error(Code.INVALID_VALUE, x.origin(), String.format(java.util.Locale.ROOT, "budget(%s) cannot be met: even "
                        + "if every sample left at exit '%s', the network would spend %.3f of its full FLOPs", fraction(x.threshold()),
                        first.name(), least));
            }
        }
    }

    private static String fraction(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private boolean declare(String name, Span span, Map<String, Span> declared) {
        Span prior = declared.putIfAbsent(name, span);
        if (prior != null) {
            diag.error(Code.DUPLICATE_NAME, span, "'" + name + "' is already declared at line " + prior.line());
            return false;
        }
        return true;
    }

    /** A declared shape, or null when it is not one (reported where the output's shape is checked). */
    private static long[] quietShape(Member.Shape s) {
        long[] dims = new long[s.dims().size()];
        for (int i = 0; i < dims.length; i++) {
            if (!(s.dims().get(i) instanceof Expr.IntLit lit) || lit.value() < 1 || lit.value() > (1L << 31)) {
                return null;
            }
            dims[i] = lit.value();
        }
        return dims;
    }

    /** A declared shape: positive integer literals; null after reporting. */
    private long[] shape(Member.Shape s) {
        if (s.dims().isEmpty()) {
            diag.error(Code.INVALID_SHAPE, s.span(), "a shape needs at least one dimension");
            return null;
        }
        long[] dims = new long[s.dims().size()];
        for (int i = 0; i < dims.length; i++) {
            Expr d = s.dims().get(i);
            if (!(d instanceof Expr.IntLit lit) || lit.value() < 1 || lit.value() > (1L << 31)) {
                diag.error(Code.INVALID_SHAPE, d.span(), "a dimension must be a positive integer");
                return null;
            }
            dims[i] = lit.value();
        }
        return dims;
    }
}
