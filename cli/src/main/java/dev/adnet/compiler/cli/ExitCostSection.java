package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;
import static dev.adnet.compiler.cli.CostSection.percent;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.ExitCost;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The exits of {@code adnet describe}: each exit's cumulative cost (what a sample that leaves there has cost, earlier
 * heads included) against the full network without exit heads, and the expected cost if samples left evenly over
 * the exits.
 */
final class ExitCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<ExitCost> exits = r.units(ExitCost.class);
        if (exits.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nexits (a sample that leaves at an exit costs the FLOPs up to it):%n"));
        String efmt = "%-" + w + "s  %-18s  %15s  %7s%n";
        sb.append(String.format(Locale.ROOT, efmt, "exit", "policy", "cumulative FLOPs", "of full"));
        long full = ExitCost.fullFlops(r);
        for (ExitCost x : exits) {
            sb.append(String.format(Locale.ROOT, efmt, x.path(), policy(x), group(x.cumulativeFlops()),
                    percent(x.cumulativeFlops(), full)));
        }
        sb.append(String.format(Locale.ROOT, efmt, "final output", "", group(r.totalFlops()),
                percent(r.totalFlops(), full)));
        int n = exits.size() + 1;
        double[] even = new double[n];
        Arrays.fill(even, 1.0 / n);
        double expected = ExitCost.expectedFlops(r, even);
        sb.append(String.format(Locale.ROOT, "full network without exit heads: %s FLOPs per sample; if samples left evenly "
                + "over the %d exits and the final output: expected %s (%s)%n", group(full), n - 1, group(Math.round(expected)),
                percent(expected, full)));
    }

    private static String policy(ExitCost x) {
        return switch (x.policy()) {
            case NONE -> "(trained only)";
            case CONFIDENCE -> "confidence > " + x.threshold();
            case ENTROPY -> "entropy < " + x.threshold();
            case PATIENCE -> "patience(" + (long) x.threshold() + ")";
            case BUDGET -> "budget(" + x.threshold() + ")";
        };
    }
}
