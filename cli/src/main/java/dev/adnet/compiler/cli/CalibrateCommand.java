package dev.adnet.compiler.cli;

import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.ir.Op;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitSimulation;
import dev.adnet.runtime.adaptive.ExitUnit;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.DataSources;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.data.FashionMnist;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adnet calibrate}: chooses the confidence threshold of a multi-exit network's budget exits so that, on
 * held-out images, the mean FLOPs per sample stay within the budget (a fraction of the full network) while as few
 * samples as possible leave early; the threshold is stored in the checkpoint.
 */
@Command(name = "calibrate", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Calibrate exit thresholds on held-out training images to meet a compute budget; "
        + "stores them in the checkpoint.")
final class CalibrateCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = "--budget", paramLabel = "B", description = "mean FLOPs as a fraction of the full network, in (0, 1] "
            + "(default: the budget(b) the file declares); without budget exits, every confidence exit is calibrated")
    Double budget;

    @Option(names = "--holdout", paramLabel = "N", description = "calibrate on N held-out training samples, or a fraction "
            + "(train with the same --holdout so they are unseen; default: the last 5000 Fashion-MNIST images, with --data 0.1)")
    String holdout;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--data", paramLabel = "PATH", description = "the training data (an .npz or .csv file, a directory of class "
            + "folders or of IDX files; default Fashion-MNIST): calibrate on its held-out part")
    Path data;

    @Option(names = "--test", paramLabel = "PATH", description = "calibrate on this data instead of a held-out part")
    Path test;

    @Option(names = "--out", paramLabel = "C2", description = "write the calibrated checkpoint here (default: replace C)")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter text = spec.commandLine().getOut();
        if (budget != null && !(budget > 0 && budget <= 1)) {
            err.println("adnet: --budget is a fraction of the full network's FLOPs in (0, 1], not " + budget);
            return Main.USAGE;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, Long.MIN_VALUE, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        Network net = loaded.network();
        List<ExitCost> exits = loaded.compiled().cost().units(ExitCost.class);
        if (exits.isEmpty()) {
            err.println("adnet: network '" + net.name() + "' has no exits to calibrate");
            return Main.DIAGNOSTICS;
        }
        boolean[] calibrated = new boolean[exits.size()];
        double declared = Double.NaN;
        for (int k = 0; k < exits.size(); k++) {
            if (exits.get(k).policy() == Op.ExitPolicyKind.BUDGET) {
                calibrated[k] = true;
                declared = Double.isNaN(declared) ? exits.get(k).threshold() : Math.min(declared, exits.get(k).threshold());
            }
        }
        if (Double.isNaN(declared)) {
            ExitPolicy[] policies = ExitUnit.policies(net);
            for (int k = 0; k < policies.length; k++) {
                calibrated[k] = policies[k] == ExitPolicy.CONFIDENCE;
            }
        }
        double b = budget != null ? budget : declared;
        if (Double.isNaN(b)) {
            err.println("adnet: no budget to calibrate for: declare an exit 'when budget(b)' or pass --budget");
            return Main.USAGE;
        }
        boolean any = false;
        for (boolean c : calibrated) {
            any |= c;
        }
        if (!any) {
            err.println("adnet: no exit of '" + net.name() + "' has a confidence threshold or a budget to calibrate");
            return Main.DIAGNOSTICS;
        }
        try {
            Checkpoint original = Checkpoints.load(checkpoint, net, null);
            DataSpec spec = DataSelection.spec(original, loaded);
            Dataset held;
            String about;
            if (test != null || data != null) {
                List<String> lines = new ArrayList<>();
                held = DataSelection.forEvaluation(loaded, data, test, holdout, spec, lines);
                about = String.join("; ", lines) + "; calibrating on them";
            } else {
                FashionMnist.Source source = FashionMnist.locate(null);
                Dataset train = DataSources.match(source.train().asPositional(), DataSelection.schema(loaded), true);
                int n = DataSelection.holdoutCount(holdout == null ? "5000" : holdout, train.size());
                held = DataSelection.prepared(train.slice(train.size() - n, train.size()), spec);
                about = "data: " + source.describe() + "; calibrating on the last " + n + " training images";
            }
            String output = net.outputs().get(0).name();
            DataLoader loader = DataLoader.builder(held).batchSize(256).build();
            text.println(about);
            ExitEvaluation.Recorded rec = ExitEvaluation.record(net, loader, output);
            ExitSimulation sim = ExitEvaluation.simulation(net, rec);
            long full = ExitUnit.fullFlops(net);
            double[] thresholds = ExitUnit.thresholds(net);
            // the threshold as the network stores it (a FLOAT network rounds it), so the stored one meets the budget
            OptionalDouble t = sim.calibrate(b * full, calibrated, thresholds, net.dataType());
            if (t.isEmpty()) {
                ExitSimulation.Outcome all = sim.outcome(withShared(thresholds, calibrated, 0.0));
                err.printf(Locale.ROOT, "adnet: budget %s cannot be met: even if every sample left at the first calibrated exit, "
                        + "the network would spend %s of its full FLOPs%n", b, ExitEvaluation.percent(all.meanFlops() / full));
                err.flush();
                return Main.DIAGNOSTICS;
            }
            double[] chosen = withShared(thresholds, calibrated, t.getAsDouble());
            ExitUnit.thresholds(net, chosen);
            ExitSimulation.Outcome o = sim.outcome(ExitUnit.thresholds(net));
            text.printf(Locale.ROOT, "threshold %.6f: on the held-out images accuracy %.4f (final exit alone %.4f), mean FLOPs %s "
                    + "of full (budget %s)%n", t.getAsDouble(), o.accuracy(), ExitEvaluation.accuracy(rec.last(), rec.labels(),
                    rec.classes()), ExitEvaluation.percent(o.meanFlops() / full), ExitEvaluation.percent(b));
            Map<String, INDArray> buffers = new LinkedHashMap<>();
            for (Buffer buf : net.buffers()) {
                buffers.put(buf.name(), buf.value());
            }
            Path target = out != null ? out : checkpoint;
            Checkpoints.write(target, new Checkpoint(original.network(), original.sourceHash(), original.dataType(),
                    original.parameters(), buffers, original.optimizer(), original.trainer(), original.data()));
            text.println("calibrated thresholds stored in " + target);
            text.flush();
            return Main.OK;
        } catch (DataException | CheckpointException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
    }

    private static double[] withShared(double[] thresholds, boolean[] calibrated, double t) {
        double[] c = thresholds.clone();
        for (int k = 0; k < c.length; k++) {
            if (calibrated[k]) {
                c[k] = t;
            }
        }
        return c;
    }
}
