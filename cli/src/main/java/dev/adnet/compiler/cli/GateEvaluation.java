package dev.adnet.compiler.cli;

import dev.adnet.runtime.AdaptiveUnit;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.GateStatistics;
import dev.adnet.runtime.adaptive.GateUnit;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Evaluation of a gated network with the per-sample trace: accuracy, the execution rate of each gate (overall and
 * per class) and the FLOPs actually spent, printed and written as gates.txt, gates.csv and gates.png. Shared by
 * {@code adnet eval} and the end of {@code adnet train}.
 */
final class GateEvaluation implements UnitEvaluation {
    @Override
    public AdaptiveUnit.Kind kind() {
        return AdaptiveUnit.Kind.GATE;
    }

    @Override
    public String title() {
        return "gates";
    }

    @Override
    public void run(LoadedNetwork loaded, DataLoader loader, String output, Path reportDir, PrintWriter out) throws IOException {
        Network net = loaded.network();
        List<GateUnit> gates = net.units(GateUnit.class);
        int classes = (int) net.outputs().get(0).shape()[0];
        GateStatistics stats = new GateStatistics(gates.size(), classes);
        long start = System.nanoTime();
        Evaluator.Result r = Evaluator.evaluate(net, loader, (p, b) -> stats.add(p, b.labels().get(output)));
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "test accuracy %.4f on %d images (%.0f images/s)%n", r.accuracy(output), r.samples(),
                r.samples() / seconds);
        List<String> gateNames = gates.stream().map(GateUnit::name).toList();
        GateReport report = new GateReport(stats, gateNames, FashionMnist.CLASS_NAMES, net.flopsPerSample());
        out.print(report.text());
        for (Path written : report.write(reportDir)) {
            out.println("wrote " + written);
        }
        out.flush();
    }

    /** Which gated blocks ran, by gate number from 1: {@code gates 1 3 ran}. */
    @Override
    public String trace(Network net, Prediction p, int n) {
        boolean[] ran = p.executed()[n];
        StringBuilder g = new StringBuilder("gates");
        for (int j = 0; j < ran.length; j++) {
            if (ran[j]) {
                g.append(' ').append(j + 1);
            }
        }
        return g.length() == "gates".length() ? "no gated block ran" : g + " ran";
    }
}
