package dev.adnet.compiler.cli;

import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Evaluator;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "eval", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Test accuracy of a checkpoint on Fashion-MNIST, overall and per class.")
final class EvalCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--data", paramLabel = "DIR", description = "Fashion-MNIST IDX files")
    Path data;

    @Option(names = "--limit", paramLabel = "N", description = "evaluate on the first N test images only")
    Integer limit;

    @Option(names = "--batch", paramLabel = "N", defaultValue = "256", description = "batch size (default ${DEFAULT-VALUE})")
    int batch;

    @Option(names = "--report", paramLabel = "DIR", description = "where the report of a network with gates or exits goes"
            + " (gates.txt/csv/png, exits.txt/csv/png; default: the checkpoint's directory)")
    Path reportDir;

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
        if (loaded == null || !loaded.fitsFashionMnist(err)) {
            return Main.DIAGNOSTICS;
        }
        try {
            Checkpoints.load(checkpoint, loaded.network(), null);
            FashionMnist.Source source = FashionMnist.locate(data);
            Dataset test = source.test();
            String output = loaded.network().outputs().get(0).name();
            DataLoader loader = DataLoader.builder(test, loaded.network().inputs().get(0).name(), output).batchSize(batch)
                    .limit(limit == null ? test.size() : Math.min(limit, test.size())).build();
            Path dir = reportDir != null ? reportDir : checkpoint.toAbsolutePath().getParent();
            if (loaded.network().exitCount() > 0) {
                out.println("data: " + source.describe());
                uncalibrated(loaded, out);
                ExitEvaluation.run(loaded, loader, output, dir, out);
                if (loaded.network().gateCount() == 0) {
                    return Main.OK;
                }
            }
            if (loaded.network().gateCount() > 0) {
                out.println("data: " + source.describe());
                GateEvaluation.run(loaded, loader, output, dir, out);
                return Main.OK;
            }
            if (loaded.network() instanceof dev.adnet.runtime.implicit.FixedPointNetwork) {
                out.println("data: " + source.describe());
                FixedPointEvaluation.run(loaded, loader, output, dir, out);
                return Main.OK;
            }
            long start = System.nanoTime();
            Evaluator.Result r = Evaluator.evaluate(loaded.network(), loader);
            double seconds = (System.nanoTime() - start) / 1e9;
            out.println("data: " + source.describe());
            out.printf(Locale.ROOT, "test accuracy %.4f on %d images (%.0f images/s)%n", r.accuracy(output), r.samples(), r.samples() / seconds);
            long[][] confusion = r.confusion().get(output);
            if (confusion != null) {
                for (int c = 0; c < confusion.length; c++) {
                    long total = 0;
                    for (long v : confusion[c]) {
                        total += v;
                    }
                    String name = c < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(c) : "class " + c;
                    out.printf(Locale.ROOT, "  %-12s %.4f (%d images)%n", name, total == 0 ? 0.0 : (double) confusion[c][c] / total, total);
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

    /** A budget exit that calibration has not set yet lets no sample leave: say so. */
    static void uncalibrated(LoadedNetwork loaded, PrintWriter out) {
        double[] t = loaded.network().exitThresholds();
        var exits = loaded.compiled().cost().exits();
        for (int k = 0; k < exits.size(); k++) {
            if (exits.get(k).policy() == dev.adnet.compiler.ir.Op.ExitPolicyKind.BUDGET && t[k] >= 1.0) {
                out.println("note: exit '" + exits.get(k).name() + "' has a budget but no calibrated threshold yet, so no sample "
                        + "leaves there: run adnet calibrate");
            }
        }
    }
}
