package dev.adnet.compiler.cli;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.FixedPointCost;
import dev.adnet.compiler.ir.IrPrinter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Print every layer's output shape, parameters and FLOPs per sample, with totals.")
final class DescribeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "an .adnet file")
    Path file;

    @Option(names = "--ir", description = "print the network's IR (ops, with the regions of its constructs nested) instead of the cost table")
    boolean ir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        CompileResult result = new Compiler().check(List.of(file));
        if (Reports.diagnostics(result, spec.commandLine().getErr())) {
            return Main.DIAGNOSTICS;
        }
        PrintWriter out = spec.commandLine().getOut();
        for (CompiledNetwork n : result.networks()) {
            out.print(ir ? IrPrinter.print(n.graph()) : table(n));
        }
        out.flush();
        return Main.OK;
    }

    static String table(CompiledNetwork n) {
        CostModel.Report r = n.cost();
        int w = "layer".length();
        for (CostModel.Row row : r.rows()) {
            w = Math.max(w, row.op().path().length());
        }
        StringBuilder sb = new StringBuilder();
        sb.append("network ").append(n.graph().name()).append(" (").append(n.sourceFile()).append(")\n");
        n.graph().inputs().forEach(p -> sb.append("  input  ").append(p.name()).append(": ").append(p.value().shapeText()).append('\n'));
        n.graph().outputs().forEach(p -> sb.append("  output ").append(p.name()).append(": ").append(p.value().shapeText()).append('\n'));
        String fmt = "%-" + w + "s  %-15s  %-16s  %12s  %15s%n";
        sb.append(String.format(Locale.ROOT, fmt, "layer", "kind", "output", "params", "FLOPs"));
        for (CostModel.Row row : r.rows()) {
            sb.append(String.format(Locale.ROOT, fmt, row.op().path(), row.op().kind(), row.op().out().shapeText(),
                    group(row.params()), group(row.flops())));
        }
        sb.append(String.format(Locale.ROOT, fmt, "total", "", "", group(r.totalParams()), group(r.totalFlops())));
        sb.append(String.format(Locale.ROOT, "%d layers, %s parameters, %s FLOPs per sample, %s buffer elements%n",
                r.rows().size(), group(r.totalParams()), group(r.totalFlops()), group(r.bufferElements())));
        if (!r.gates().isEmpty()) {
            sb.append(String.format(Locale.ROOT, "%ngates (a gated block's FLOPs are spent only on samples whose gate is open):%n"));
            String gfmt = "%-" + w + "s  %8s  %15s  %7s%n";
            sb.append(String.format(Locale.ROOT, gfmt, "gate", "target", "block FLOPs", "share"));
            for (CostModel.GateCost g : r.gates()) {
                sb.append(String.format(Locale.ROOT, gfmt, g.path(), String.format(Locale.ROOT, "%.2f", g.target()),
                        group(g.bodyFlops()), String.format(Locale.ROOT, "%.1f%%", 100.0 * g.bodyFlops() / r.totalFlops())));
            }
            double expected = r.expectedFlopsAtTargets();
            sb.append(String.format(Locale.ROOT, "FLOPs per sample: min %s (all gates closed), expected %s at the targets "
                    + "(%.1f%% of full), max %s (all open)%n", group(r.minFlops()), group(Math.round(expected)),
                    100.0 * expected / r.totalFlops(), group(r.totalFlops())));
        }
        if (!r.exits().isEmpty()) {
            exits(sb, r, w);
        }
        List<FixedPointCost> fixedPoints = FixedPointCost.of(n.graph());
        if (!fixedPoints.isEmpty()) {
            fixedPoints(sb, r, fixedPoints, w);
        }
        return sb.toString();
    }

    /**
     * The exits' cumulative cost (what a sample that leaves there has cost, earlier heads included) against the full
     * network without exit heads, and the expected cost if samples left evenly over the exits.
     */
    private static void exits(StringBuilder sb, CostModel.Report r, int w) {
        sb.append(String.format(Locale.ROOT, "%nexits (a sample that leaves at an exit costs the FLOPs up to it):%n"));
        String efmt = "%-" + w + "s  %-18s  %15s  %7s%n";
        sb.append(String.format(Locale.ROOT, efmt, "exit", "policy", "cumulative FLOPs", "of full"));
        long full = r.fullFlops();
        for (CostModel.ExitCost x : r.exits()) {
            sb.append(String.format(Locale.ROOT, efmt, x.path(), policy(x), group(x.cumulativeFlops()),
                    String.format(Locale.ROOT, "%.1f%%", 100.0 * x.cumulativeFlops() / full)));
        }
        sb.append(String.format(Locale.ROOT, efmt, "final output", "", group(r.totalFlops()),
                String.format(Locale.ROOT, "%.1f%%", 100.0 * r.totalFlops() / full)));
        int n = r.exits().size() + 1;
        double[] even = new double[n];
        java.util.Arrays.fill(even, 1.0 / n);
        double expected = r.expectedExitFlops(even);
        sb.append(String.format(Locale.ROOT, "full network without exit heads: %s FLOPs per sample; if samples left evenly "
                + "over the %d exits and the final output: expected %s (%.1f%%)%n", group(full), n - 1, group(Math.round(expected)),
                100.0 * expected / full));
    }

    /**
     * Each fixed point's FLOPs per iteration (its body and its solver), and the network's cost at one iteration (the
     * table's total) and at the caps; a sample taking k iterations costs k times the per-iteration FLOPs there.
     */
    private static void fixedPoints(StringBuilder sb, CostModel.Report r, List<FixedPointCost> fixedPoints, int w) {
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
                group(r.totalFlops()), group(FixedPointCost.maxFlops(r, fixedPoints))));
    }

    private static String policy(CostModel.ExitCost x) {
        return switch (x.policy()) {
            case NONE -> "(trained only)";
            case CONFIDENCE -> "confidence > " + x.threshold();
            case ENTROPY -> "entropy < " + x.threshold();
            case PATIENCE -> "patience(" + (long) x.threshold() + ")";
            case BUDGET -> "budget(" + x.threshold() + ")";
        };
    }

    private static String group(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
