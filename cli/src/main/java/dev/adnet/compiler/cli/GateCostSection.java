package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;
import static dev.adnet.compiler.cli.CostSection.percent;

import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.GateCost;
import java.util.List;
import java.util.Locale;

/** The gates of {@code adnet describe}: each gated block's FLOPs, and the network's min / expected / max. */
final class GateCostSection implements CostSection {
    @Override
    public void append(StringBuilder sb, CostModel.Report r, int w) {
        List<GateCost> gates = r.units(GateCost.class);
        if (gates.isEmpty()) {
            return;
        }
        sb.append(String.format(Locale.ROOT, "%ngates (a gated block's FLOPs are spent only on samples whose gate is open):%n"));
        String gfmt = "%-" + w + "s  %8s  %15s  %7s%n";
        sb.append(String.format(Locale.ROOT, gfmt, "gate", "target", "block FLOPs", "share"));
        for (GateCost g : gates) {
            sb.append(String.format(Locale.ROOT, gfmt, g.path(), String.format(Locale.ROOT, "%.2f", g.target()),
                    group(g.bodyFlops()), percent(g.bodyFlops(), r.totalFlops())));
        }
        double expected = GateCost.expectedFlopsAtTargets(r);
        sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (all gates closed), expected %s at the targets "
                + "(%s of full), max %s (all open)%n", group(GateCost.minFlops(r)), group(Math.round(expected)),
                percent(expected, r.totalFlops()), group(r.totalFlops())));
    }
}
