package dev.adnet.compiler.cli;

import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Evaluation of a network with halting or gated loops, from each prediction's passes: accuracy, then the
 * {@link LoopReport} (the distribution of passes per loop, overall and per class; loops.txt, .csv, .png), and each
 * loop's part of {@code adnet predict}'s trace.
 */
final class LoopEvaluation {
    private final List<HaltingLoop> loops;

    private LoopEvaluation(List<HaltingLoop> loops) {
        this.loops = loops;
    }

    /** The loops of the loaded network in loop order; null when it has none. */
    static LoopEvaluation of(LoadedNetwork loaded) {
        List<HaltingLoop> loops = loaded.compiled().graph().haltingLoops().stream()
                .sorted(Comparator.comparingInt(HaltingLoop::loopIndex)).toList();
        return loops.isEmpty() ? null : new LoopEvaluation(loops);
    }

    void run(LoadedNetwork loaded, DataLoader loader, String output, Path reportDir, PrintWriter out, DataSpec spec)
            throws IOException {
        Network net = loaded.network();
        int classes = (int) net.outputs().stream().filter(o -> o.name().equals(output)).findFirst().orElseThrow().shape()[0];
        int[] caps = loops.stream().mapToInt(HaltingLoop::cap).toArray();
        long[][][] tally = LoopReport.tally(caps, classes);
        long start = System.nanoTime();
        Evaluator.Result r = Evaluator.evaluate(net, loader, (p, b) -> {
            int[] labels = b.labels().get(output);
            for (int n = 0; n < p.steps().length; n++) {
                LoopReport.add(tally, labels == null ? -1 : labels[n], p.steps()[n]);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "test accuracy %.4f on %d images (%.0f images/s)%n", r.accuracy(output), r.samples(),
                r.samples() / seconds);
        List<String> units = loops.stream().map(LoopEvaluation::unit).toList();
        LoopReport report = new LoopReport(loops.stream().map(HaltingLoop::path).toList(), caps, units, tally,
                spec.classNames(output, classes));
        out.print(report.text());
        for (Path written : report.write(reportDir)) {
            out.println("wrote " + written);
        }
        out.flush();
    }

    /** Each loop's passes for sample {@code n}: {@code r.repeat1 3 passes}. */
    String trace(Prediction p, int n) {
        List<String> parts = new ArrayList<>();
        for (int l = 0; l < loops.size() && l < p.steps()[n].length; l++) {
            parts.add(loops.get(l).path() + " " + p.steps()[n][l] + " " + unit(loops.get(l)));
        }
        return String.join("; ", parts);
    }

    private static String unit(HaltingLoop loop) {
        return loop.policy() instanceof LoopPolicy.Gate ? "passes" : "steps";
    }
}
