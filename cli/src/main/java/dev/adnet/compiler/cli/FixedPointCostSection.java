package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.FixedPointCost;
import java.util.List;
import java.util.Locale;

/**
 * The fixed points of {@code adnet describe}: each one's FLOPs per iteration (its body and its solver), and the
 * network's cost at one iteration (the table's total) and at the caps; a sample taking k iterations costs k times
 * the per-iteration FLOPs there.
 */
final class FixedPointCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<FixedPointCost> fixedPoints = FixedPointCost.of(r);
        if (fixedPoints.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nfixed points (a sample pays one iteration's FLOPs per iteration it takes;"
                + " the table counts one):%n"));
        String ffmt = "%-" + w + "s  %-9s  %15s  %13s  %15s  %5s%n";
        sb.append(String.format(Locale.ROOT, ffmt, "fixed point", "solver", "body FLOPs", "solver FLOPs", "per iteration",
                "max"));
        for (FixedPointCost c : fixedPoints) {
            sb.append(String.format(Locale.ROOT, ffmt, c.path(), c.solver().name().toLowerCase(Locale.ROOT),
                    group(c.bodyFlops()), group(c.solverFlops()), group(c.perIteration()), c.maxIterations()));
        }
        sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (1 iteration), expected min + (k - 1) x per "
                + "iteration at a mean of k iterations (adnet eval measures k), max %s (every cap reached)%n",
                group(r.totalFlops()), group(FixedPointCost.maxFlops(r))));
    }
}
