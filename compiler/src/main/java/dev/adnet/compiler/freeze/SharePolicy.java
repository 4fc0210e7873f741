package dev.adnet.compiler.freeze;

import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A trained {@code name = input -> share adashare(...) { U1; ...; UU }} as its argmax policies: each task runs the units
 * it selects (select > skip; a tie skips, as inference does), and the policies form a prefix tree, so units that
 * several tasks select after the same selected units are written once. Each tree node is a named value
 * {@code name_u<unit>_<task>} (the first task, in declaration order, whose path goes through it) computed by the
 * unit's text from its parent node; task t's assignment reads its path's last node where it read {@code name} (the
 * input when it selects nothing). A unit that runs on two different inputs is two nodes, each with its own copy of
 * the unit's trained parameters.
 */
final class SharePolicy implements LearnedStructure {
    private final String valueName;
    private final String share;
    private final List<String> tasks;
    private final int units;
    /** The tree's nodes in order of creation (parents first): the path of selected units (1-based) leading to each. */
    private final Map<List<Integer>, String> nodes = new LinkedHashMap<>();
    /** Each task's path of selected units. */
    private final List<List<Integer>> paths = new ArrayList<>();
    private final List<SourceEdit> edits = new ArrayList<>();

    private SharePolicy(String valueName, List<String> tasks, int units) {
        this.valueName = valueName;
        this.share = valueName + ".share1"; // the checker's instance name: the first share in the assignment's scope
        this.tasks = tasks;
        this.units = units;
    }

    /**
     * The policies of {@code assignment}, whose value is {@code input -> share}, with the select and skip logits read
     * from {@code values} (by parameter name).
     */
    static SharePolicy of(SourceText text, Member.Assignment assignment, Expr.Pipe pipe, List<Member.Assignment> taskAssignments,
            List<String> tasks, Set<String> taken, Function<String, double[]> values) {
        Expr.Share s = (Expr.Share) pipe.right();
        List<Body.Statement> statements = s.body().statements();
        SharePolicy policy = new SharePolicy(assignment.name().name(), tasks, statements.size());
        int start = text.offset(assignment.span());
        int end = text.closingBrace(text.offset(s.body().span()));
        String indent = text.indentation(start);
        List<String> lines = new ArrayList<>();
        String input;
        if (pipe.left() instanceof Expr.Name n) {
            input = n.name();
        } else {
            // the input keeps the assignment's name, so its layers keep their parameters' names
            int from = text.text().indexOf('=', text.offset(assignment.name().span()) + assignment.name().name().length()) + 1;
            input = policy.valueName;
            lines.add(input + " = " + text.text().substring(from, text.offset(pipe.span())).strip());
        }
        policy.decide(values);
        lines.add("// the learned policies of " + text.text().substring(text.offset(s.span()), text.offset(s.body().span())).strip()
                + ", the units each task runs:");
        for (int t = 0; t < tasks.size(); t++) {
            StringBuilder path = new StringBuilder("//   " + tasks.get(t) + ": " + input);
            List<Integer> p = policy.paths.get(t);
            for (int k = 1; k <= p.size(); k++) {
                path.append(" -> ").append(policy.nodes.get(p.subList(0, k)));
            }
            lines.add(path.toString());
        }
        for (Map.Entry<List<Integer>, String> node : policy.nodes.entrySet()) {
            List<Integer> p = node.getKey();
            if (taken.contains(node.getValue())) {
                throw new FreezeException(assignment.name().span() + ": the frozen policies would name a node '"
                        + node.getValue() + "', which the network already uses; rename that value");
            }
            int unitStart = text.offset(statements.get(p.get(p.size() - 1) - 1).span());
            String unitText = text.text().substring(unitStart, text.statementEnd(unitStart));
            String from = p.size() == 1 ? input : policy.nodes.get(p.subList(0, p.size() - 1));
            lines.add(node.getValue() + " = " + from + " -> " + unitText);
        }
        policy.edits.add(new SourceEdit(start, end, String.join("\n" + indent, lines)));
        for (Member.Assignment a : taskAssignments) {
            List<Integer> p = policy.paths.get(tasks.indexOf(a.name().name()));
            String leaf = p.isEmpty() ? input : policy.nodes.get(p);
            for (Expr e : ExprWalk.all(a.value())) {
                if (e instanceof Expr.Name n && n.name().equals(policy.valueName)) {
                    int at = text.offset(n.span());
                    policy.edits.add(new SourceEdit(at, at + n.name().length(), leaf));
                }
            }
        }
        return policy;
    }

    /** Each task's argmax policy, then the prefix tree of the selected units, named by the first task through a node. */
    private void decide(Function<String, double[]> values) {
        for (String task : tasks) {
            List<Integer> path = new ArrayList<>();
            for (int u = 1; u <= units; u++) {
                String name = logits(task, u);
                double[] logits = values.apply(name);
                if (logits == null) {
                    throw new FreezeException("the checkpoint has no parameter '" + name + "': it was not trained from "
                            + "this network");
                }
                if (logits.length != 2) {
                    throw new FreezeException("parameter '" + name + "' has " + logits.length + " values, not 2 (select, "
                            + "skip): the checkpoint was not trained from this network");
                }
                if (logits[0] > logits[1]) {
                    path.add(u);
                }
            }
            paths.add(List.copyOf(path));
            for (int k = 1; k <= path.size(); k++) {
                nodes.putIfAbsent(List.copyOf(path.subList(0, k)), valueName + "_u" + path.get(k - 1) + "_" + task);
            }
        }
    }

    private String logits(String task, int unit) {
        return share + ".policy." + task + ".unit" + unit;
    }

    /** How many units the frozen network computes to run every task. */
    int keptNodes() {
        return nodes.size();
    }

    @Override
    public List<SourceEdit> edits() {
        return List.copyOf(edits);
    }

    @Override
    public List<String> rename(String name) {
        if (name.startsWith(share + ".policy.")) {
            return List.of();
        }
        for (int u = 1; u <= units; u++) {
            String unit = share + ".unit" + u;
            if (name.startsWith(unit + ".")) {
                List<String> copies = new ArrayList<>();
                for (Map.Entry<List<Integer>, String> node : nodes.entrySet()) {
                    List<Integer> p = node.getKey();
                    if (p.get(p.size() - 1) == u) {
                        copies.add(node.getValue() + name.substring(unit.length()));
                    }
                }
                return copies;
            }
        }
        return List.of(name);
    }
}
