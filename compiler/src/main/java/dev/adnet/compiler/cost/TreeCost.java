package dev.adnet.compiler.cost;

import dev.adnet.compiler.ir.Op;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The cost of a learned tree ({@code branch tree(tau)}), read from the cost table by its nodes' names
 * ({@link dev.adnet.compiler.ir.TreeNodes}): training runs every node and every parent mixture; after training each
 * task runs one node per layer, its argmax path, and the tasks together run between the fully shared tree (one node per
 * layer but the last) and no sharing at all (every node), whatever the learned decisions.
 *
 * @param nodeFlops FLOPs of node (layer, task), {@code [layer - 1][task]}, without its mixture
 * @param mixtureFlops the parent mixtures' FLOPs, spent in training only (inference reads one parent)
 */
public record TreeCost(String branch, List<String> tasks, long[][] nodeFlops, long mixtureFlops) {
    private static final Pattern NODE = Pattern.compile("^(.+\\.branch\\d+)\\.l(\\d+)\\.([^.]+)\\..+$");

    /** Whether {@code op} is a node's op or a parent mixture of a tree. */
    public static boolean inTree(Op op) {
        return NODE.matcher(op.path()).matches();
    }

    /** Every tree of the network, in the order their first op appears. */
    public static List<TreeCost> of(CostModel.Report r) {
        Map<String, Map<Integer, Map<String, Long>>> nodes = new LinkedHashMap<>();
        Map<String, Long> mixtures = new LinkedHashMap<>();
        for (CostModel.Row row : r.rows()) {
            Matcher m = NODE.matcher(row.op().path());
            if (!m.matches()) {
                continue;
            }
            String branch = m.group(1);
            if (row.op() instanceof Op.ParentMixture) {
                mixtures.merge(branch, row.flops(), Long::sum);
                continue;
            }
            nodes.computeIfAbsent(branch, b -> new LinkedHashMap<>()).computeIfAbsent(Integer.parseInt(m.group(2)),
                    l -> new LinkedHashMap<>()).merge(m.group(3), row.flops(), Long::sum);
        }
        List<TreeCost> out = new ArrayList<>();
        nodes.forEach((branch, layers) -> {
            List<String> tasks = List.copyOf(layers.get(1).keySet());
            long[][] flops = new long[layers.size()][tasks.size()];
            for (int l = 0; l < flops.length; l++) {
                for (int t = 0; t < tasks.size(); t++) {
                    flops[l][t] = layers.get(l + 1).getOrDefault(tasks.get(t), 0L);
                }
            }
            out.add(new TreeCost(branch, tasks, flops, mixtures.getOrDefault(branch, 0L)));
        });
        return out;
    }

    /** Every node and mixture: what a training step's forward spends on the tree per sample. */
    public long trainingFlops() {
        return Math.addExact(maxFlops(), mixtureFlops);
    }

    /** One task's path after training: a node per layer. */
    public long pathFlops(int task) {
        long f = 0;
        for (long[] layer : nodeFlops) {
            f = Math.addExact(f, layer[task]);
        }
        return f;
    }

    /** All tasks after training if the tree shares everything it can: one node per layer, one per task at the last. */
    public long minFlops() {
        long f = 0;
        for (int l = 0; l < nodeFlops.length; l++) {
            long[] layer = nodeFlops[l];
            if (l == nodeFlops.length - 1) {
                for (long v : layer) {
                    f = Math.addExact(f, v);
                }
            } else {
                f = Math.addExact(f, java.util.Arrays.stream(layer).min().orElse(0));
            }
        }
        return f;
    }

    /** All tasks after training if no two tasks share a node: every node once. */
    public long maxFlops() {
        long f = 0;
        for (long[] layer : nodeFlops) {
            for (long v : layer) {
                f = Math.addExact(f, v);
            }
        }
        return f;
    }
}
