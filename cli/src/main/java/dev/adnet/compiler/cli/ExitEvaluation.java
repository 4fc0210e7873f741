package dev.adnet.compiler.cli;

import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.compiler.ir.Op;
import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitSimulation;
import dev.adnet.runtime.adaptive.ExitUnit;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Evaluation of a multi-exit network: each exit's accuracy on its own, where samples leave under the stored
 * thresholds, the accuracy and FLOPs of real compacted inference against the full network, and a sweep of
 * thresholds (the accuracy-against-FLOPs curve), printed and written as exits.txt, exits.csv and exits.png. Shared
 * by {@code adnet eval} and the end of {@code adnet train}.
 */
final class ExitEvaluation implements UnitEvaluation {
    @Override
    public AdaptiveUnit.Kind kind() {
        return AdaptiveUnit.Kind.EXIT;
    }

    @Override
    public String title() {
        return "exits";
    }

    /** A budget exit that calibration has not set yet lets no sample leave: say so. */
    @Override
    public void notes(LoadedNetwork loaded, PrintWriter out) {
        List<ExitUnit> units = loaded.network().units(ExitUnit.class);
        List<ExitCost> exits = loaded.compiled().cost().units(ExitCost.class);
        for (int k = 0; k < exits.size(); k++) {
            if (exits.get(k).policy() == Op.ExitPolicyKind.BUDGET && units.get(k).threshold() >= 1.0) {
                out.println("note: exit '" + exits.get(k).name() + "' has a budget but no calibrated threshold yet, so no sample "
                        + "leaves there: run adnet calibrate");
            }
        }
    }

    /** Where the sample left: {@code exit early} or {@code final output}. */
    @Override
    public String trace(Network net, Prediction p, int n) {
        List<ExitUnit> exits = net.units(ExitUnit.class);
        int e = p.exits()[n];
        return e < exits.size() ? "exit " + exits.get(e).name() : "final output";
    }

    /** Confidence thresholds of the sweep, shared by every confidence exit. */
    static final double[] SWEEP = {0.0, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.93, 0.95, 0.97, 0.98, 0.99, 0.995, 0.998, 0.999,
        0.9995, 0.9999, 1.0};

    /** Every exit head's output, the final output and the labels of a data set, row-major doubles. */
    record Recorded(List<double[]> heads, double[] last, int[] labels, int classes) {}

    /** One pass in {@link ExitMode#ALL_HEADS}: every head on every sample, nobody leaves. */
    static Recorded record(Network net, DataLoader loader, String output) {
        int classes = (int) net.outputs().get(0).shape()[0];
        int exits = net.units(ExitUnit.class).size();
        List<List<double[]>> heads = new ArrayList<>();
        for (int k = 0; k < exits; k++) {
            heads.add(new ArrayList<>());
        }
        List<double[]> last = new ArrayList<>();
        List<int[]> labels = new ArrayList<>();
        ExitUnit.mode(net, ExitMode.ALL_HEADS);
        try {
            Evaluator.evaluate(net, loader, (p, b) -> {
                for (int k = 0; k < exits; k++) {
                    heads.get(k).add(host(p.exitOutputs().get(k)));
                }
                last.add(host(p.outputs().get(output)));
                labels.add(b.labels().get(output));
            });
        } finally {
            ExitUnit.mode(net, ExitMode.ADAPTIVE);
        }
        List<double[]> joined = new ArrayList<>();
        for (List<double[]> h : heads) {
            joined.add(concat(h));
        }
        int n = labels.stream().mapToInt(l -> l.length).sum();
        int[] allLabels = new int[n];
        int at = 0;
        for (int[] l : labels) {
            System.arraycopy(l, 0, allLabels, at, l.length);
            at += l.length;
        }
        return new Recorded(joined, concat(last), allLabels, classes);
    }

    static ExitSimulation simulation(Network net, Recorded r) {
        return new ExitSimulation(r.heads(), r.last(), r.labels(), r.classes(), ExitUnit.leavingFlops(net),
                ExitUnit.policies(net));
    }

    @Override
    public void run(LoadedNetwork loaded, DataLoader loader, String output, Path reportDir, PrintWriter out) throws IOException {
        Network net = loaded.network();
        List<ExitUnit> exits = net.units(ExitUnit.class);
        Recorded rec = record(net, loader, output);
        ExitSimulation sim = simulation(net, rec);
        long full = ExitUnit.fullFlops(net);
        double[] thresholds = ExitUnit.thresholds(net);
        ExitSimulation.Outcome stored = sim.outcome(thresholds);

        // real compacted inference: one pass for its accuracy, FLOPs and exits (it also warms up the sub-batch
        // shapes), then one timed pass of each mode, back to back
        double[] flops = new double[1]; // a sum over the test set: a long could overflow, the mean is all it is for
        int[] histogram = new int[exits.size() + 1];
        Evaluator.Result adaptive = Evaluator.evaluate(net, loader, (p, b) -> {
            for (int n = 0; n < p.flops().length; n++) {
                flops[0] += p.flops()[n];
                histogram[p.exits()[n]]++;
            }
        });
        ExitUnit.mode(net, ExitMode.FULL);
        Evaluator.Result whole;
        long start = System.nanoTime();
        try {
            whole = Evaluator.evaluate(net, loader);
        } finally {
            ExitUnit.mode(net, ExitMode.ADAPTIVE);
        }
        double fullSeconds = (System.nanoTime() - start) / 1e9;
        start = System.nanoTime();
        Evaluator.evaluate(net, loader);
        double adaptiveSeconds = (System.nanoTime() - start) / 1e9;

        List<ExitReport.SweepPoint> sweep = new ArrayList<>();
        ExitPolicy[] policies = ExitUnit.policies(net);
        for (double t : SWEEP) {
            double[] ts = thresholds.clone();
            for (int k = 0; k < ts.length; k++) {
                if (policies[k] == ExitPolicy.CONFIDENCE) {
                    ts[k] = t;
                }
            }
            sweep.add(new ExitReport.SweepPoint(t, sim.outcome(ts)));
        }
        List<String> names = exits.stream().map(ExitUnit::name).toList();
        double[] alone = new double[exits.size() + 1];
        for (int k = 0; k <= exits.size(); k++) {
            alone[k] = accuracy(k < exits.size() ? rec.heads().get(k) : rec.last(), rec.labels(), rec.classes());
        }
        int samples = rec.labels().length;
        ExitReport.Measured measured = new ExitReport.Measured(adaptive.accuracy(output), flops[0] / samples, histogram,
                samples / adaptiveSeconds, whole.accuracy(output), samples / fullSeconds);
        ExitReport report = new ExitReport(names, policies, thresholds, ExitUnit.leavingFlops(net), full, alone, stored, measured, sweep);
        out.print(report.text());
        for (Path written : report.write(reportDir)) {
            out.println("wrote " + written);
        }
        out.flush();
    }

    /** The fraction of samples whose largest logit is their label. */
    static double accuracy(double[] logits, int[] labels, int classes) {
        int correct = 0;
        for (int n = 0; n < labels.length; n++) {
            if (ExitPolicy.argmax(logits, n * classes, classes) == labels[n]) {
                correct++;
            }
        }
        return labels.length == 0 ? Double.NaN : (double) correct / labels.length;
    }

    static String className(int c) {
        return c < FashionMnist.CLASS_NAMES.size() ? FashionMnist.CLASS_NAMES.get(c) : "class " + c;
    }

    private static double[] host(INDArray a) {
        return a.castTo(DataType.DOUBLE).dup('c').data().asDouble();
    }

    private static double[] concat(List<double[]> parts) {
        int n = parts.stream().mapToInt(p -> p.length).sum();
        double[] all = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.1f%%", 100 * fraction);
    }
}
