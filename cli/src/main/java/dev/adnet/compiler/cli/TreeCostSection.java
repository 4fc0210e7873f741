package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.TreeCost;
import java.util.Locale;

/** The learned trees of {@code adnet describe}: each tree's training cost and what its tasks run after training. */
final class TreeCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        for (TreeCost t : TreeCost.of(r)) {
            sb.append(String.format(Locale.ROOT, "%nbranch %s (%d layers, %d tasks): training runs every node, %s FLOPs per "
                    + "sample with the parent mixtures%n", t.branch(), t.nodeFlops().length, t.tasks().size(),
                    group(t.trainingFlops())));
            for (int k = 0; k < t.tasks().size(); k++) {
                sb.append(String.format(Locale.ROOT, "  task %s after training: its path, %s FLOPs%n", t.tasks().get(k),
                        group(t.pathFlops(k))));
            }
            sb.append(String.format(Locale.ROOT, "  all tasks after training: %s (everything shared but the last layer) to %s "
                    + "(nothing shared) FLOPs; adnet freeze writes the learned tree, whose describe gives its exact cost%n",
                    group(t.minFlops()), group(t.maxFlops())));
        }
    }
}
