package dev.adnet.compiler.freeze;

import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.ast.NetworkDecl;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.TreeNodes;
import dev.adnet.compiler.source.SourceFile;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Writes a trained network's learned structures back as plain adnet source: the file's text with each structure's
 * edits applied, a first line saying where it came from, and the train section's {@code temperature} gone when nothing
 * is left to anneal. The caller reads the parameter values from the checkpoint ({@code values}: null for a name the
 * checkpoint does not hold) and renames the checkpoint with {@link Frozen#rename}.
 */
public final class FreezeWriter {
    /** A share's policy logits, {@code value.share<n>.policy.<task>.unit<u>}. */
    private static final java.util.regex.Pattern POLICY = java.util.regex.Pattern.compile("\\.share\\d+\\.policy\\.");

    private FreezeWriter() {}

    /**
     * The frozen source, the renaming of parameters and buffers (none: dropped; several: copied), and how many nodes
     * (a branch's nodes, a share's units per task) remain.
     */
    public record Frozen(String source, Function<String, List<String>> rename, int keptNodes, int nodes) {}

    public static Frozen freeze(SourceFile file, CompilationUnit unit, Graph graph, Function<String, double[]> values) {
        NetworkDecl net = unit.networks().stream().filter(n -> n.name().name().equals(graph.name())).findFirst()
                .orElseThrow(() -> new FreezeException("network '" + graph.name() + "' is not declared in " + file.name()));
        SourceText text = new SourceText(file.text());
        List<String> tasks = new ArrayList<>();
        Set<String> taken = new HashSet<>();
        List<Member.Assignment> assignments = new ArrayList<>();
        for (Member m : net.members()) {
            if (m instanceof Member.Task t) {
                tasks.add(t.name().name());
            } else if (m instanceof Member.Assignment a) {
                assignments.add(a);
                taken.add(a.name().name());
            } else if (m instanceof Member.Input in) {
                taken.add(in.name().name());
            } else if (m instanceof Member.State st) {
                taken.add(st.name().name());
            }
        }
        List<Member.Assignment> taskAssignments = assignments.stream().filter(a -> tasks.contains(a.name().name())).toList();
        List<LearnedStructure> structures = new ArrayList<>();
        int kept = 0;
        int nodes = 0;
        for (Member.Assignment a : assignments) {
            for (Expr e : ExprWalk.all(a.value())) {
                if (e instanceof Expr.Share s) {
                    if (!(a.value() instanceof Expr.Pipe p) || p.right() != s) {
                        throw new FreezeException(s.span() + ": adnet freeze writes a share that ends its assignment "
                                + "(name = input -> share adashare(...) { ... })");
                    }
                    SharePolicy policy = SharePolicy.of(text, a, p, taskAssignments, tasks, taken, values);
                    structures.add(policy);
                    kept += policy.keptNodes();
                    nodes += s.body().statements().size() * tasks.size();
                    continue;
                }
                if (!(e instanceof Expr.Branch b)) {
                    continue;
                }
                if (!(a.value() instanceof Expr.Pipe p) || p.right() != b) {
                    throw new FreezeException(b.span() + ": adnet freeze writes a branch that ends its assignment "
                            + "(name = input -> branch tree(...) { ... })");
                }
                BranchTree tree = BranchTree.of(text, a, p, taskAssignments, tasks, taken, values);
                structures.add(tree);
                kept += tree.usedNodes();
                nodes += b.body().statements().size() * tasks.size();
            }
        }
        Function<String, List<String>> rename = name -> {
            List<String> r = List.of(name);
            for (LearnedStructure s : structures) {
                r = r.stream().flatMap(n -> s.rename(n).stream()).toList();
            }
            return r;
        };
        for (ParamDecl p : graph.params()) {
            boolean decision = p.name().endsWith(TreeNodes.logits("")) || POLICY.matcher(p.name()).find();
            if (decision && !rename.apply(p.name()).isEmpty()) {
                throw new FreezeException("network '" + graph.name() + "' has a branch or share adnet freeze cannot write "
                        + "yet (inside a block): its parameter '" + p.name() + "' would stay");
            }
        }
        if (structures.isEmpty()) {
            throw new FreezeException("network '" + graph.name() + "' has nothing to freeze: it learns no structure "
                    + "(no branch or share)");
        }
        List<SourceEdit> edits = new ArrayList<>();
        structures.forEach(s -> edits.addAll(s.edits()));
        if (structures.stream().anyMatch(s -> s instanceof SharePolicy)) {
            ShareLossTerms.edit(net, text).ifPresent(edits::add);
            // AdaShare's schedule trains policies; the frozen network has none left
            settingLine(net, text, "policy_schedule").ifPresent(edits::add);
        }
        if (graph.gates().isEmpty()) {
            settingLine(net, text, "temperature").ifPresent(edits::add);
        }
        String header = "// frozen by adnet freeze from " + file.name() + ": every task runs its own path of the learned "
                + "structure\n";
        return new Frozen(header + apply(file.text(), edits), rename, kept, nodes);
    }

    /**
     * The removal of the train section's setting {@code key}, whole lines: the temperature, which nothing anneals once
     * the tree is fixed, and AdaShare's schedule.
     */
    private static java.util.Optional<SourceEdit> settingLine(NetworkDecl net, SourceText text, String key) {
        for (Member m : net.members()) {
            if (m instanceof Member.Train t) {
                for (Member.Setting s : t.settings()) {
                    if (s.key().name().equals(key)) {
                        int start = text.offset(s.key().span());
                        int end = text.statementEnd(start);
                        String before = text.text().substring(text.lineStart(start), start);
                        String after = text.text().substring(end, text.nextLine(end)).strip();
                        // a comment after the setting goes with it
                        if (before.isBlank() && (after.isEmpty() || after.equals(";") || after.startsWith("//"))) {
                            return java.util.Optional.of(new SourceEdit(text.lineStart(start), text.nextLine(end), ""));
                        }
                        return java.util.Optional.of(new SourceEdit(start, end, ""));
                    }
                }
            }
        }
        return java.util.Optional.empty();
    }

    static String apply(String text, List<SourceEdit> edits) {
        List<SourceEdit> sorted = new ArrayList<>(edits);
        sorted.sort(Comparator.comparingInt(SourceEdit::start).reversed());
        StringBuilder sb = new StringBuilder(text);
        int limit = text.length();
        for (SourceEdit e : sorted) {
            if (e.end() > limit) {
                throw new IllegalStateException("overlapping freeze edits at offset " + e.start());
            }
            sb.replace(e.start(), e.end(), e.text());
            limit = e.start();
        }
        return sb.toString();
    }
}
