package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.OdeCost;
import java.util.List;
import java.util.Locale;

/**
 * The ODEs of {@code adnet describe}: each one's FLOPs per function evaluation (its body and the solver's arithmetic),
 * its interval, tolerances and step cap, and the network's cost per sample at the fewest evaluations (one step) and at
 * the cap; a sample taking k evaluations costs k times the per-evaluation FLOPs there.
 */
final class OdeCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<OdeCost> odes = OdeCost.of(r);
        if (odes.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nodes (Dormand-Prince per sample; a sample pays one evaluation's FLOPs per "
                + "function evaluation it takes; the table counts one):%n"));
        String fmt = "%-" + w + "s  %-10s  %-15s  %15s  %13s  %15s  %9s%n";
        sb.append(String.format(Locale.ROOT, fmt, "ode", "[t0, t1]", "rtol / atol", "body FLOPs", "solver FLOPs",
                "per evaluation", "max evals"));
        for (OdeCost c : odes) {
            sb.append(String.format(Locale.ROOT, fmt, c.path(), "[" + num(c.op().t0()) + ", " + num(c.op().t1()) + "]",
                    num(c.op().rtol()) + " / " + num(c.op().atol()), group(c.bodyFlops()), group(c.solverFlops()),
                    group(c.perEvaluation()), c.maxEvaluations()));
        }
        sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (one step: %d evaluations), expected min + (k - %d) x"
                + " per evaluation at a mean of k evaluations (adnet eval measures k), max %s (every step cap reached)%n",
                group(OdeCost.minFlops(r)), OdeCost.MIN_EVALUATIONS, OdeCost.MIN_EVALUATIONS, group(OdeCost.maxFlops(r))));
    }

    private static String num(double d) {
        return java.math.BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
