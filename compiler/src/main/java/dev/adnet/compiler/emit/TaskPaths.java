package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.INDARRAY;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.TaskPolicy;
import dev.adnet.compiler.ir.PolicyMix;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Inference of a multi-task network's learned structure for the tasks a walk computes, decided at run time from the
 * trained logits. A share's unit that two tasks' argmax policies select after the same decisions is computed once
 * (the first such task's output serves the others, {@code SharePaths.firstSame}); a tree's node runs only when it
 * lies on the argmax path of a task asked for, once however many tasks' paths go through it
 * ({@code TreePaths.needed}). Every computed unit and node adds its FLOPs to the workspace's cost trace, which
 * {@code predict} reports.
 */
final class TaskPaths {
    static final ClassName SHARE_PATHS = ClassName.get("dev.adnet.runtime.share", "SharePaths");
    static final ClassName TREE_PATHS = ClassName.get("dev.adnet.runtime.branch", "TreePaths");
    /** A tree node's ops: {@code <branch>.l<layer>.<task>.<the layer's own names>} ({@code ir.TreeNodes}). */
    private static final Pattern NODE = Pattern.compile("^(.+\\.branch\\d+)\\.l(\\d+)\\.([^.]+)\\..+$");

    private final JavaEmitter.Emission em;
    private Structure structure;
    /** The tasks the walk being emitted computes. */
    private boolean[] wanted;
    /** Value names a node group renamed in the walk being emitted, to restore at its end. */
    private final Map<Integer, String> renamed = new HashMap<>();

    TaskPaths(JavaEmitter.Emission em) {
        this.em = em;
    }

    /** Whether the network has a share or a tree, whose inference this class emits. */
    boolean any() {
        Structure s = structure();
        return !s.units.isEmpty() || !s.trees.isEmpty();
    }

    /**
     * The FLOPs per sample of every share unit (each task's copy) and every tree node and mixture: the part of the
     * network's static cost that the learned structure decides at run time.
     */
    long learnedFlops() {
        long f = 0;
        for (long unit : structure().flopsByDecision.values()) {
            f = Math.addExact(f, unit);
        }
        for (Op op : em.graph.ops()) {
            if (nodeKey(op) != null) {
                f = Math.addExact(f, CostModel.flops(op));
            }
        }
        return f;
    }

    /**
     * Starts a walk computing the tasks {@code wanted} (by declaration index): the decisions it needs, taken once from
     * the logits, and the start of the cost trace.
     */
    void begin(MethodSpec.Builder m, boolean[] wanted) {
        this.wanted = wanted.clone();
        Structure s = structure();
        if (s.units.isEmpty() && s.trees.isEmpty()) {
            return;
        }
        m.addStatement("workspace.resetLearnedFlops()");
        if (wantedCount() > 1) {
            for (Map.Entry<Integer, Map<Integer, Map<Integer, TaskPolicy>>> share : s.units.entrySet()) {
                if (!s.sameInput.contains(share.getKey())) {
                    continue;
                }
                List<String> rows = new ArrayList<>();
                for (Map.Entry<Integer, Map<Integer, TaskPolicy>> task : share.getValue().entrySet()) {
                    if (wanted[task.getKey()]) { // the table's rows are the walk's tasks (position())
                        rows.add("{" + String.join(", ", task.getValue().values().stream().map(p -> em.param(p.logits())).toList()) + "}");
                    }
                }
                m.addComment("share $L: the first task whose policy decides as this task's up to each unit computes it for both",
                        share.getKey());
                m.addStatement("int[][] $L = $T.firstSame(new $T[][] {$L})", s.sameVar.get(share.getKey()), SHARE_PATHS, INDARRAY,
                        String.join(", ", rows));
            }
        }
        for (Tree tree : s.trees.values()) {
            List<String> layers = new ArrayList<>();
            for (int l = 2; l <= tree.layers; l++) {
                List<String> logits = new ArrayList<>();
                for (int t = 0; t < em.graph.tasks().size(); t++) {
                    logits.add(em.param(tree.mixtures.get(l).get(t).logits()));
                }
                layers.add("{" + String.join(", ", logits) + "}");
            }
            List<String> flags = new ArrayList<>();
            for (boolean w : wanted) {
                flags.add(Boolean.toString(w));
            }
            m.addComment("$L: the nodes on the argmax paths of the tasks computed here", JavaEmitter.commentText(tree.branch));
            m.addStatement("boolean[][] $L = $T.needed(new $T[][] {$L}, new boolean[] {$L})", tree.var, TREE_PATHS, INDARRAY,
                    String.join(", ", layers), String.join(", ", flags));
        }
    }

    /** Ends the walk: the value names its node groups changed are restored for the next method. */
    void end() {
        renamed.forEach(em.valueName::put);
        renamed.clear();
    }

    /** Inference of the share unit whose decision is {@code ops[start]}; returns the index of its mix. */
    int unit(MethodSpec.Builder m, List<Op> ops, int start) {
        TaskPolicy p = (TaskPolicy) ops.get(start);
        Structure s = structure();
        CodeBlock same = null;
        CodeBlock sameValue = null;
        int position = position(p.taskIndex());
        if (wantedCount() > 1 && s.sameInput.contains(p.shareIndex()) && position > 0) {
            String table = s.sameVar.get(p.shareIndex()) + "[" + position + "][" + p.unit() + "]";
            List<String> earlier = new ArrayList<>();
            Map<Integer, Map<Integer, TaskPolicy>> tasks = s.units.get(p.shareIndex());
            for (int r = 0; r < p.taskIndex(); r++) {
                if (wanted[r]) {
                    earlier.add(em.v(s.mix.get(tasks.get(r).get(p.unit())).out()));
                }
            }
            same = CodeBlock.of("$L < $L", table, position);
            sameValue = earlier.size() == 1 ? CodeBlock.of("$L", earlier.get(0))
                    : CodeBlock.of("new $T[] {$L}[$L]", INDARRAY, String.join(", ", earlier), table);
        }
        return em.shares.inferenceUnit(m, ops, start, same, sameValue, s.flopsByDecision.get(p.out().id()));
    }

    /**
     * Inference of the tree node whose ops start at {@code ops[i]}, run only when the walk's tasks need it; returns
     * the index of its last op, or -1 when {@code ops[i]} belongs to no node. With {@code path}, only the ops on it
     * (a task's walk: the nodes of its layers, of which the run-time decision keeps its path).
     */
    int node(MethodSpec.Builder m, List<Op> ops, int i, BitSet path) {
        String key = nodeKey(ops.get(i));
        if (key == null) {
            return -1;
        }
        int last = i;
        while (last + 1 < ops.size() && key.equals(nodeKey(ops.get(last + 1)))) {
            last++;
        }
        if (path != null && path.get(i, last + 1).isEmpty()) {
            return last; // another task's node
        }
        Structure s = structure();
        Matcher k = NODE.matcher(key + ".x");
        k.matches();
        Tree tree = s.trees.get(k.group(1));
        int layer = Integer.parseInt(k.group(2));
        int task = em.graph.tasks().indexOf(k.group(3));
        Set<Integer> readLater = new HashSet<>();
        for (int j = last + 1; j < ops.size(); j++) {
            ops.get(j).inputs().forEach(v -> readLater.add(v.id()));
        }
        em.graph.outputs().forEach(p -> readLater.add(p.value().id()));
        List<Value> escaping = new ArrayList<>();
        for (int j = i; j <= last; j++) {
            if (readLater.contains(ops.get(j).out().id())) {
                escaping.add(ops.get(j).out());
            }
        }
        m.addComment("node ($L, $L) of $L, computed when a task's path goes through it", layer, k.group(3),
                JavaEmitter.commentText(tree.branch));
        List<String> outer = new ArrayList<>();
        for (Value v : escaping) {
            String name = s.nodeVar.computeIfAbsent(v.id(), id -> em.localScope.claim(Names.path(key)));
            outer.add(name);
            m.addStatement("$T $L = null", INDARRAY, name);
        }
        m.beginControlFlow("if ($L[$L][$L])", tree.var, layer - 1, task);
        for (int j = i; j <= last; j++) {
            if (path == null || path.get(j)) {
                em.opEmitter.forwardOp(m, ops.get(j), false);
            }
        }
        m.addStatement("workspace.addLearnedFlops($LL)", tree.nodeFlops.get(key));
        for (int e = 0; e < escaping.size(); e++) {
            m.addStatement("$L = $L", outer.get(e), em.v(escaping.get(e)));
        }
        m.endControlFlow();
        for (int e = 0; e < escaping.size(); e++) {
            renamed.putIfAbsent(escaping.get(e).id(), em.v(escaping.get(e)));
            em.valueName.put(escaping.get(e).id(), outer.get(e));
        }
        return last;
    }

    /** A task's row in the walk's tables: how many of the walk's tasks come before it (its index when all run). */
    private int position(int task) {
        int n = 0;
        for (int r = 0; r < task; r++) {
            n += wanted[r] ? 1 : 0;
        }
        return n;
    }

    private int wantedCount() {
        int n = 0;
        for (boolean w : wanted) {
            n += w ? 1 : 0;
        }
        return n;
    }

    /** The node an op belongs to ({@code <branch>.l<layer>.<task>}); null for an op of no node. */
    private String nodeKey(Op op) {
        if (op instanceof Op.Fused f) {
            String key = nodeKey(f.parts().get(0));
            for (Op part : f.parts()) {
                if (key == null || !key.equals(nodeKey(part))) {
                    return null;
                }
            }
            return key;
        }
        Matcher m = NODE.matcher(op.path());
        if (!m.matches() || !em.graph.tasks().contains(m.group(3)) || !structure().trees.containsKey(m.group(1))) {
            return null;
        }
        return m.group(1) + ".l" + m.group(2) + "." + m.group(3);
    }

    private Structure structure() {
        if (structure == null) {
            structure = new Structure(em);
        }
        return structure;
    }

    /** A tree: its layers, its nodes' mixtures ({@code mixtures[layer][task]}) and its nodes' FLOPs. */
    private static final class Tree {
        final String branch;
        final String var;
        int layers;
        final Map<Integer, Map<Integer, Op.ParentMixture>> mixtures = new TreeMap<>();
        final Map<String, Long> nodeFlops = new HashMap<>();

        Tree(String branch, String var) {
            this.branch = branch;
            this.var = var;
        }
    }

    /** The network's shares and trees, read once from its checked graph and its inference program. */
    private static final class Structure {
        /** Each share's decisions, {@code [share][task][unit]}. */
        final Map<Integer, Map<Integer, Map<Integer, TaskPolicy>>> units = new TreeMap<>();
        final Map<TaskPolicy, PolicyMix> mix = new HashMap<>();
        /** A unit's FLOPs per sample, by the value of its decision (the unrolled unit's ops, before its delta and mix). */
        final Map<Integer, Long> flopsByDecision = new HashMap<>();
        /** The shares every task enters with the same value: only there do equal decisions mean equal values. */
        final Set<Integer> sameInput = new HashSet<>();
        final Map<Integer, String> sameVar = new HashMap<>();
        final Map<String, Tree> trees = new LinkedHashMap<>();
        /** The name of each node's value that inference reads after the node, the same in every walk. */
        final Map<Integer, String> nodeVar = new HashMap<>();

        Structure(JavaEmitter.Emission em) {
            List<Op> checked = em.graph.ops();
            for (int i = 0; i < checked.size(); i++) {
                if (checked.get(i) instanceof TaskPolicy p) {
                    long f = 0;
                    for (int j = i + 1; j < ShareEmitter.mixOf(checked, i) - 1; j++) {
                        f = Math.addExact(f, CostModel.flops(checked.get(j)));
                    }
                    flopsByDecision.put(p.out().id(), f);
                }
            }
            List<Op> ops = em.inferenceProgram.ops();
            Map<Integer, Map<Integer, Value>> firstInputs = new TreeMap<>();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i) instanceof TaskPolicy p) {
                    PolicyMix x = (PolicyMix) ops.get(ShareEmitter.mixOf(ops, i));
                    units.computeIfAbsent(p.shareIndex(), k -> new TreeMap<>()).computeIfAbsent(p.taskIndex(), k -> new TreeMap<>())
                            .put(p.unit(), p);
                    mix.put(p, x);
                    if (p.unit() == 0) {
                        firstInputs.computeIfAbsent(p.shareIndex(), k -> new TreeMap<>()).put(p.taskIndex(), x.input());
                    }
                }
            }
            firstInputs.forEach((share, inputs) -> {
                if (inputs.values().stream().map(Value::id).distinct().count() == 1) {
                    sameInput.add(share);
                    sameVar.put(share, em.localScope.claim("sameAs" + share));
                }
            });
            Map<String, Tree> byBranch = trees;
            for (Op op : em.graph.ops()) {
                if (op instanceof Op.ParentMixture p) {
                    Matcher m = NODE.matcher(p.path());
                    if (m.matches()) {
                        Tree t = byBranch.computeIfAbsent(m.group(1), b -> new Tree(b, em.localScope.claim(Names.path(b) + "_needed")));
                        t.mixtures.computeIfAbsent(Integer.parseInt(m.group(2)), l -> new TreeMap<>())
                                .put(em.graph.tasks().indexOf(m.group(3)), p);
                    }
                }
            }
            for (Op op : em.graph.ops()) {
                Matcher m = NODE.matcher(op.path());
                if (op instanceof Op.ParentMixture || !m.matches() || !em.graph.tasks().contains(m.group(3))) {
                    continue;
                }
                Tree t = byBranch.get(m.group(1));
                if (t == null && m.group(2).equals("1")) {
                    // a tree of one layer has no mixtures: its first layer's nodes name it
                    t = byBranch.computeIfAbsent(m.group(1), b -> new Tree(b, em.localScope.claim(Names.path(b) + "_needed")));
                }
                if (t == null) {
                    continue;
                }
                int layer = Integer.parseInt(m.group(2));
                t.layers = Math.max(t.layers, layer);
                t.nodeFlops.merge(m.group(1) + ".l" + layer + "." + m.group(3), CostModel.flops(op), Long::sum);
            }
        }
    }
}
