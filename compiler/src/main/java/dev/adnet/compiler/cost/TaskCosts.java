package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What each task of a multi-task network costs, FLOPs per sample: the ops its output depends on (its path), and what
 * running several tasks together costs when the ops their paths share are computed once. A learned tree's part of a
 * task's path is one node per layer (its argmax path, whichever it is: a layer's nodes cost alike); inference of all
 * tasks computes a share's unit once for the tasks whose policies agree up to it, and a tree's node once for the
 * paths through it, so what all tasks cost lies between two bounds the learned decisions choose from.
 *
 * @param tasks each task's cost, in declaration order
 * @param allTasks every task's path together when no two tasks share what they learn to share: a share's units once
 *     per task, every node of a tree
 * @param allTasksUnitsShared every task's path together when the tasks share everything they can: every task running
 *     every unit of its shares computes one trunk, once; a tree one node per layer but the last
 * @param learned whether the network has a share or a tree (else the two totals are equal)
 */
public record TaskCosts(List<Task> tasks, long allTasks, long allTasksUnitsShared, boolean learned) {

    /**
     * @param maxFlops the task's path with every unit of its shares run
     * @param unitFlops the part of that in the units of its shares (what its policy can skip)
     */
    public record Task(String name, long maxFlops, long unitFlops) {
        /** The task's path with every unit of its shares skipped. */
        public long minFlops() {
            return maxFlops - unitFlops;
        }
    }

    /** The tasks' costs; null for a network without tasks. */
    public static TaskCosts of(Graph g, CostModel.Report report) {
        if (g.tasks().isEmpty()) {
            return null;
        }
        List<Op> ops = g.ops();
        List<TreeCost> trees = TreeCost.of(report);
        Map<Value, Integer> definer = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            definer.put(ops.get(i).out(), i);
        }
        BitSet union = new BitSet(ops.size());
        List<Task> tasks = new ArrayList<>();
        long duplicatedUnits = 0;
        for (String task : g.tasks()) {
            Value out = g.outputs().stream().filter(p -> p.name().equals(task)).findFirst().orElseThrow().value();
            BitSet path = path(out, ops, definer);
            long flops = 0;
            long units = 0;
            for (TreeCost tree : trees) {
                int t = tree.tasks().indexOf(task);
                flops = Math.addExact(flops, t < 0 ? 0 : tree.pathFlops(t));
            }
            for (int i = path.nextSetBit(0); i >= 0; i = path.nextSetBit(i + 1)) {
                if (TreeCost.inTree(ops.get(i))) {
                    continue; // counted as the task's path above
                }
                flops = Math.addExact(flops, report.rows().get(i).flops());
                if (ops.get(i) instanceof ShareUnit u) {
                    long f = CostModel.regionFlops(u.unitRegion());
                    units = Math.addExact(units, f);
                    if (u.taskIndex() > 0) {
                        duplicatedUnits = Math.addExact(duplicatedUnits, f);
                    }
                }
            }
            union.or(path);
            tasks.add(new Task(task, flops, units));
        }
        long all = 0;
        for (int i = union.nextSetBit(0); i >= 0; i = union.nextSetBit(i + 1)) {
            if (!TreeCost.inTree(ops.get(i))) {
                all = Math.addExact(all, report.rows().get(i).flops());
            }
        }
        long shared = all - duplicatedUnits;
        for (TreeCost tree : trees) {
            all = Math.addExact(all, tree.maxFlops());
            shared = Math.addExact(shared, tree.minFlops());
        }
        boolean learned = !trees.isEmpty() || ops.stream().anyMatch(o -> o instanceof ShareUnit);
        return new TaskCosts(tasks, all, shared, learned);
    }

    /**
     * FLOPs per sample of running the chosen tasks together, each op on their paths once; null when the network's
     * share or tree decides at run time what they compute (or it has no tasks).
     *
     * @throws IllegalArgumentException when a chosen name is not a task
     */
    public static Long chosenFlops(Graph g, CostModel.Report report, Collection<String> chosen) {
        if (g.tasks().isEmpty() || !TreeCost.of(report).isEmpty() || g.ops().stream().anyMatch(o -> o instanceof ShareUnit)) {
            return null;
        }
        List<Op> ops = g.ops();
        Map<Value, Integer> definer = new HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            definer.put(ops.get(i).out(), i);
        }
        BitSet union = new BitSet(ops.size());
        for (String task : chosen) {
            if (!g.tasks().contains(task)) {
                throw new IllegalArgumentException("no task '" + task + "'; the tasks are " + g.tasks());
            }
            union.or(path(g.outputs().stream().filter(p -> p.name().equals(task)).findFirst().orElseThrow().value(), ops, definer));
        }
        long flops = 0;
        for (int i = union.nextSetBit(0); i >= 0; i = union.nextSetBit(i + 1)) {
            flops = Math.addExact(flops, report.rows().get(i).flops());
        }
        return flops;
    }

    /** The schedule indices of the ops {@code out} depends on, nested regions' ops included. */
    private static BitSet path(Value out, List<Op> ops, Map<Value, Integer> definer) {
        BitSet seen = new BitSet(ops.size());
        Deque<Value> todo = new ArrayDeque<>(List.of(out));
        while (!todo.isEmpty()) {
            Integer i = definer.get(todo.pop());
            if (i == null || seen.get(i)) {
                continue; // an input, or a value a construct binds for its region
            }
            seen.set(i);
            Op op = ops.get(i);
            todo.addAll(op.inputs());
            if (op instanceof Op.RegionOp r) {
                r.regions().forEach(region -> todo.addAll(region.results()));
                todo.addAll(r.operands());
            }
        }
        return seen;
    }
}
