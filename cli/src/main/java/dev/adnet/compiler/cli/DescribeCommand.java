package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.ir.IrPrinter;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "describe", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Print every layer's output shape, parameters and FLOPs per sample, with totals.")
final class DescribeCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "an .adnet file")
    Path file;

    @Option(names = "--ir", description = "print the network's IR (ops, with the regions of its constructs nested) instead of the cost table")
    boolean ir;

    /** Which program {@code --ir} prints. */
    enum Program {
        CHECKED,
        INFERENCE,
        TRAINING
    }

    @Option(names = "--program", paramLabel = "PROGRAM", description = "with --ir, which program: checked (the default),"
            + " inference or training, the last two after their rewrite passes (fused ops)")
    Program program = Program.CHECKED;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (program != Program.CHECKED && !ir) {
            throw new ParameterException(spec.commandLine(), "--program chooses what --ir prints: add --ir");
        }
        CompileResult result = new Compiler().check(List.of(file));
        if (Reports.diagnostics(result, spec.commandLine().getErr())) {
            return Main.DIAGNOSTICS;
        }
        PrintWriter out = spec.commandLine().getOut();
        for (CompiledNetwork n : result.networks()) {
            if (ir && program == Program.TRAINING && n.graph().training() == null) {
                spec.commandLine().getErr().println("adnet: network " + n.graph().name()
                        + " declares no train section, so it has no training program");
                return Main.DIAGNOSTICS;
            }
        }
        for (CompiledNetwork n : result.networks()) {
            out.print(ir ? IrPrinter.print(switch (program) {
                case CHECKED -> n.graph();
                case INFERENCE -> n.inferenceProgram();
                case TRAINING -> n.trainingProgram();
            }) : table(n));
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
        for (CostSection section : CostSection.ALL) {
            section.append(sb, r, w);
        }
        TaskCostSection.append(sb, dev.adnet.compiler.cost.TaskCosts.of(n.graph(), r), w,
                tasks -> dev.adnet.compiler.cost.TaskCosts.chosenFlops(n.graph(), r, tasks));
        return sb.toString();
    }
}
