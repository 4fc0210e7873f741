package dev.adnet.compiler.cli;

import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Test accuracy of a checkpoint, overall and per class (--test or --data; default Fashion-MNIST's test set).")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--test", paramLabel = "PATH", description = "evaluation data: an .npz or .csv file, a directory of class "
            + "folders or of IDX files")
    Path test;

    @Option(names = "--data", paramLabel = "PATH", description = "the training data: evaluate on its held-out part (--holdout)")
    Path data;

    @Option(names = "--holdout", paramLabel = "N", description = "the held-out part of --data, as given to adnet train (default 0.1)")
    String holdout;

    @Option(names = "--limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer limit;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--report", paramLabel = "DIR", description = "where the report of a network with gates, exits, loops, shares or trees goes"
            + " (gates.txt/csv/png, exits.txt/csv/png, loops.txt/csv/png, policies.txt/csv/png, tree.txt/csv/png; default:"
            + " the checkpoint's directory)")
    Path reportDir;

    @Option(names = "--ode-rtol", paramLabel = "R", description = "integrate every ode with this relative tolerance "
            + "instead of the declared one (the same parameters at another accuracy and cost)")
    Double odeRtol;

    @Option(names = "--ode-atol", paramLabel = "A", description = "the same for the absolute tolerance")
    Double odeAtol;

    @Option(names = "--gate-mode", paramLabel = "MODE", description = "how every gate (of gated blocks and gated loops) "
            + "runs: adaptive (the default: per sample), all_open (every block runs, every loop goes to its cap) or mask "
            + "(every block computed and multiplied by its decision, as published code runs)")
    String gateMode;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (batch < 1 || limit != null && limit < 1) {
            err.println("adnet: --batch and --limit must be at least 1");
            return Main.USAGE;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, Long.MIN_VALUE, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        if (gateMode != null && !GateModes.set(loaded.network(), gateMode, err)) {
            return Main.DIAGNOSTICS;
        }
        if (odeRtol != null || odeAtol != null) {
            if (!(loaded.network() instanceof dev.adnet.runtime.implicit.OdeNetwork o)) {
                err.println("adnet: --ode-rtol and --ode-atol apply to networks with an ode; '" + loaded.network().name()
                        + "' has none");
                return Main.DIAGNOSTICS;
            }
            try {
                o.odeTolerances(odeRtol == null ? Double.NaN : odeRtol, odeAtol == null ? Double.NaN : odeAtol);
            } catch (IllegalArgumentException e) {
                err.println("adnet: --ode-rtol/--ode-atol: " + e.getMessage());
                return Main.DIAGNOSTICS;
            }
        }
        try {
            DataSpec spec = DataSelection.spec(Checkpoints.load(checkpoint, loaded.network(), null), loaded);
            List<String> about = new ArrayList<>();
            Dataset testSet = DataSelection.forEvaluation(loaded, data, test, holdout, spec, about);
            String output = loaded.network().outputs().get(0).name();
            DataLoader loader = DataLoader.builder(testSet).batchSize(batch)
                    .limit(limit == null ? testSet.size() : Math.min(limit, testSet.size())).build();
            String described = String.join("; ", about).substring("data: ".length());
            Path dir = reportDir != null ? reportDir : checkpoint.toAbsolutePath().getParent();
            List<UnitEvaluation> sections = UnitEvaluation.of(loaded.network());
            LoopEvaluation loops = LoopEvaluation.of(loaded);
            if (!sections.isEmpty() || loops != null) {
                out.println("data: " + described);
                for (UnitEvaluation e : sections) {
                    e.notes(loaded, out);
                    e.run(loaded, loader, output, dir, out);
                }
                if (loops != null) {
                    loops.run(loaded, loader, output, dir, out, spec);
                }
                return Main.OK;
            }
            if (loaded.network() instanceof dev.adnet.runtime.implicit.FixedPointNetwork
                    || loaded.network() instanceof dev.adnet.runtime.implicit.OdeNetwork) {
                out.println("data: " + described);
                FixedPointEvaluation.run(loaded, loader, output, dir, out, spec);
                return Main.OK;
            }
            StructureEvaluation structure = StructureEvaluation.of(loaded);
            long[] flops = new long[2]; // the FLOPs of the samples evaluated, and their count
            long start = System.nanoTime();
            Evaluator.Result r = structure == null ? Evaluator.evaluate(loaded.network(), loader)
                    : Evaluator.evaluate(loaded.network(), loader, (p, b) -> {
                        for (long f : p.flops()) {
                            flops[0] += f;
                        }
                        flops[1] += p.flops().length;
                    });
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println("data: " + described);
            List<String> tasks = loaded.network().tasks();
            if (tasks.isEmpty()) {
                out.printf(Locale.ROOT, "test accuracy %.4f on %d images (%.0f images/s)%n", r.accuracy(output), r.samples(), r.samples() / seconds);
                perClass(out, r, spec, output);
            } else {
                out.printf(Locale.ROOT, "%d samples (%.0f samples/s), %d tasks%n", r.samples(), r.samples() / seconds, tasks.size());
                for (String task : tasks) {
                    out.printf(Locale.ROOT, "task %s: test accuracy %.4f%n", task, r.accuracy(task));
                    perClass(out, r, spec, task);
                }
                if (structure != null) {
                    structure.report(loaded, flops[1] == 0 ? 0 : flops[0] / flops[1], dir, out);
                }
            }
            out.flush();
            return Main.OK;
        } catch (DataException | CheckpointException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        } catch (java.io.IOException e) {
            err.println("adnet: cannot write the report: " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
    }

    /** The accuracy of each class of {@code output}, from the confusion matrix. */
    private static void perClass(PrintWriter out, Evaluator.Result r, DataSpec spec, String output) {
        long[][] confusion = r.confusion().get(output);
        if (confusion == null) {
            return;
        }
        List<String> names = spec.classNames(output, confusion.length);
        for (int c = 0; c < confusion.length; c++) {
            long total = 0;
            for (long v : confusion[c]) {
                total += v;
            }
            out.printf(Locale.ROOT, "  %-12s %.4f (%d images)%n", names.get(c), total == 0 ? 0.0 : (double) confusion[c][c] / total, total);
        }
    }
}
