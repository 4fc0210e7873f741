package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.cost.LoopCost;
import java.util.List;
import java.util.Locale;

/** The halting loops of {@code adnet describe}: each loop's cost per step, and the network's range. */
final class LoopCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<LoopCost> loops = r.units(LoopCost.class);
        if (loops.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%nhalting loops (a step's FLOPs are spent only on samples still running):%n"));
        String lfmt = "%-" + w + "s  %5s  %15s  %15s%n";
        sb.append(String.format(Locale.ROOT, lfmt, "loop", "cap", "step FLOPs", "at the cap"));
        for (LoopCost l : loops) {
            sb.append(String.format(Locale.ROOT, lfmt, l.path(), l.cap(), group(l.stepFlops()),
                    group(Math.round(l.flopsAt(l.cap())))));
        }
        sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (one step per loop%s), max %s (every loop to its cap); "
                + "expected: min plus each loop's step FLOPs times its mean steps after the first%n", group(LoopCost.minFlops(r)),
                r.units(GateCost.class).isEmpty() ? "" : ", all gates closed", group(r.totalFlops())));
    }
}
