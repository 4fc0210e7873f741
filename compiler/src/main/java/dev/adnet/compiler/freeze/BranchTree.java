package dev.adnet.compiler.freeze;

import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ir.TreeNodes;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * A trained {@code name = input -> branch tree(tau) { L1; ...; LL }} as its argmax tree: each node reads its most likely
 * parent, the nodes no task's path reaches are gone, and each remaining node is a named value
 * {@code name_l<layer>_<task>} (the task whose copy of the layer it is) computed by the same layer. Task t's
 * assignment reads {@code name_l<L>_<t>} where it read {@code name}.
 */
final class BranchTree implements LearnedStructure {
    private final String valueName;
    private final String branch;
    private final List<String> tasks;
    /** {@code parent[l][t]}: the index of node (l, t)'s parent among the tasks (unused for layer 1, index 0). */
    private final int[][] parent;
    /** {@code used[l][t]}: whether some task's path goes through node (l, t). */
    private final boolean[][] used;
    private final List<SourceEdit> edits = new ArrayList<>();

    private BranchTree(String valueName, List<String> tasks, int layers) {
        this.valueName = valueName;
        this.branch = valueName + ".branch1"; // the checker's instance name: the first branch in the assignment's scope
        this.tasks = tasks;
        this.parent = new int[layers][tasks.size()];
        this.used = new boolean[layers][tasks.size()];
    }

    /**
     * The tree of {@code assignment}, whose value is {@code input -> branch}, with the parent logits read from
     * {@code values} (by parameter name).
     */
    static BranchTree of(SourceText text, Member.Assignment assignment, Expr.Pipe pipe, List<Member.Assignment> taskAssignments,
            List<String> tasks, Set<String> taken, Function<String, double[]> values) {
        Expr.Branch b = (Expr.Branch) pipe.right();
        List<Body.Statement> statements = b.body().statements();
        BranchTree tree = new BranchTree(assignment.name().name(), tasks, statements.size());
        tree.decide(values);
        int start = text.offset(assignment.span());
        int end = text.closingBrace(text.offset(b.body().span()));
        String indent = text.indentation(start);
        List<String> lines = new ArrayList<>();
        String input;
        if (pipe.left() instanceof Expr.Name n) {
            input = n.name();
        } else {
            // the input keeps the assignment's name, so its layers keep their parameters' names
            int from = text.text().indexOf('=', text.offset(assignment.name().span()) + assignment.name().name().length()) + 1;
            input = tree.valueName;
            lines.add(input + " = " + text.text().substring(from, text.offset(pipe.span())).strip());
        }
        lines.add("// the learned tree of " + text.text().substring(text.offset(b.span()), text.offset(b.body().span())).strip()
                + ", one path per task:");
        for (String task : tasks) {
            StringBuilder path = new StringBuilder("//   " + task + ": " + input);
            int t = tasks.indexOf(task);
            List<String> nodes = new ArrayList<>();
            for (int l = statements.size(); l >= 1; l--) {
                nodes.add(0, tree.name(l, t));
                t = l > 1 ? tree.parent[l - 1][t] : t;
            }
            nodes.forEach(x -> path.append(" -> ").append(x));
            lines.add(path.toString());
        }
        for (int l = 1; l <= statements.size(); l++) {
            int layerStart = text.offset(statements.get(l - 1).span());
            String layerText = text.text().substring(layerStart, text.statementEnd(layerStart));
            for (int t = 0; t < tasks.size(); t++) {
                if (!tree.used[l - 1][t]) {
                    continue;
                }
                String name = tree.name(l, t);
                if (taken.contains(name)) {
                    throw new FreezeException(assignment.name().span() + ": the frozen tree would name a node '" + name
                            + "', which the network already uses; rename that value");
                }
                String from = l == 1 ? input : tree.name(l - 1, tree.parent[l - 1][t]);
                lines.add(name + " = " + from + " -> " + layerText);
            }
        }
        tree.edits.add(new SourceEdit(start, end, String.join("\n" + indent, lines)));
        for (Member.Assignment a : taskAssignments) {
            String leaf = tree.name(statements.size(), tasks.indexOf(a.name().name()));
            for (Expr e : ExprWalk.all(a.value())) {
                if (e instanceof Expr.Name n && n.name().equals(tree.valueName)) {
                    int at = text.offset(n.span());
                    tree.edits.add(new SourceEdit(at, at + n.name().length(), leaf));
                }
            }
        }
        return tree;
    }

    /** The argmax parent of every node, then the nodes the tasks' paths use, from the last layer down. */
    private void decide(Function<String, double[]> values) {
        int layers = parent.length;
        for (int l = 2; l <= layers; l++) {
            for (int t = 0; t < tasks.size(); t++) {
                String name = TreeNodes.logits(TreeNodes.node(branch, l, tasks.get(t)));
                double[] logits = values.apply(name);
                if (logits == null) {
                    throw new FreezeException("the checkpoint has no parameter '" + name + "': it was not trained from "
                            + "this network");
                }
                if (logits.length != tasks.size()) {
                    throw new FreezeException("parameter '" + name + "' has " + logits.length + " values, not one per task ("
                            + tasks.size() + "): the checkpoint was not trained from this network");
                }
                int best = 0;
                for (int k = 1; k < logits.length; k++) {
                    if (logits[k] > logits[best]) {
                        best = k; // the first of equal logits, as ParentMixture.argmax
                    }
                }
                parent[l - 1][t] = best;
            }
        }
        java.util.Arrays.fill(used[layers - 1], true);
        for (int l = layers; l >= 2; l--) {
            for (int t = 0; t < tasks.size(); t++) {
                if (used[l - 1][t]) {
                    used[l - 2][parent[l - 1][t]] = true;
                }
            }
        }
    }

    private String name(int layer, int task) {
        return valueName + "_l" + layer + "_" + tasks.get(task);
    }

    /** How many nodes the frozen tree keeps, of {@code layers * tasks}. */
    int usedNodes() {
        int n = 0;
        for (boolean[] layer : used) {
            for (boolean u : layer) {
                n += u ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public List<SourceEdit> edits() {
        return List.copyOf(edits);
    }

    @Override
    public List<String> rename(String name) {
        for (int l = 1; l <= parent.length; l++) {
            for (int t = 0; t < tasks.size(); t++) {
                String node = TreeNodes.node(branch, l, tasks.get(t));
                if (name.equals(TreeNodes.logits(node))) {
                    return List.of();
                }
                if (name.startsWith(node + ".")) {
                    return used[l - 1][t] ? List.of(name(l, t) + name.substring(node.length())) : List.of();
                }
            }
        }
        return List.of(name);
    }
}
