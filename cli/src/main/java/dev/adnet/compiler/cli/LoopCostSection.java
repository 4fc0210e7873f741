package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.GateCost;
import dev.adnet.compiler.cost.LoopCost;
import java.util.List;
import java.util.Locale;

/** The halting and gated loops of {@code adnet describe}: each loop's cost per step, and the network's range. */
final class LoopCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<LoopCost> loops = r.units(LoopCost.class);
        if (loops.isEmpty()) {
            return;
        }
        List<LoopCost> halting = loops.stream().filter(l -> !l.gated()).toList();
        List<LoopCost> gated = loops.stream().filter(LoopCost::gated).toList();
        if (!halting.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%nhalting loops (a step's FLOPs are spent only on samples still running):%n"));
            String lfmt = "%-" + w + "s  %5s  %15s  %15s%n";
            sb.append(String.format(Locale.ROOT, lfmt, "loop", "cap", "step FLOPs", "at the cap"));
            for (LoopCost l : halting) {
                sb.append(String.format(Locale.ROOT, lfmt, l.path(), l.cap(), group(l.stepFlops()),
                        group(Math.round(l.flopsAt(l.cap())))));
            }
        }
        if (!gated.isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%ngated loops (a pass after the first runs only while the sample's gates "
                    + "stay open):%n"));
            String gfmt = "%-" + w + "s  %5s  %8s  %15s  %15s  %15s  %15s%n";
            sb.append(String.format(Locale.ROOT, gfmt, "loop", "cap", "target", "pass FLOPs", "min (1 pass)", "expected",
                    "max (cap)"));
            for (LoopCost l : gated) {
                sb.append(String.format(Locale.ROOT, gfmt, l.path(), l.cap(), String.format(Locale.ROOT, "%.2f", l.target()),
                        group(l.stepFlops()), group(Math.round(l.flopsAt(1))),
                        group(Math.round(l.expectedFlops())) + String.format(Locale.ROOT, " (%.2f passes)", l.expectedPasses()),
                        group(l.flops())));
            }
        }
        double expectedGated = gated.stream().mapToDouble(l -> l.expectedFlops() - l.flopsAt(1)).sum();
        String expected = halting.isEmpty()
                ? "expected " + group(Math.round(LoopCost.minFlops(r) + expectedGated)) + " (every loop's gates at their target"
                        + (r.units(GateCost.class).isEmpty() ? "" : ", gated blocks closed") + ")"
                : "expected: min plus each loop's step FLOPs times its mean steps after the first";
        sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (one step per loop%s), max %s (every loop to its cap); "
                + "%s%n", group(LoopCost.minFlops(r)), r.units(GateCost.class).isEmpty() ? "" : ", all gates closed",
                group(r.totalFlops()), expected));
    }
}
