package dev.adnet.compiler.cli;

import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.train.Evaluator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Evaluation of a network with fixed points or ODEs with the per-sample trace: accuracy, and each fixed point's forward
 * iterations and each ODE's function evaluations per image (mean, distribution, per class); printed, and every image's
 * counts written to fixedpoints.csv (odes.csv without fixed points): image, label, then one column per fixed point and
 * per ODE, in the order of {@code Prediction.iterations}.
 */
final class FixedPointEvaluation {
    private FixedPointEvaluation() {}

    static void run(LoadedNetwork loaded, DataLoader loader, String output, Path reportDir, PrintWriter out, DataSpec spec)
            throws IOException {
        Network net = loaded.network();
        List<dev.adnet.compiler.ir.Op> ops = loaded.compiled().graph().ops();
        List<String> fixedPoints = ops.stream().filter(o -> o instanceof dev.adnet.compiler.ir.FixedPoint)
                .map(o -> o.path()).toList();
        List<String> odes = ops.stream().filter(o -> o instanceof dev.adnet.compiler.ir.Ode).map(o -> o.path()).toList();
        List<String> names = new ArrayList<>(fixedPoints);
        names.addAll(odes);
        List<String> headings = new ArrayList<>();
        fixedPoints.forEach(n -> headings.add("fixed point " + n + ": forward iterations per image"));
        odes.forEach(n -> headings.add("ode " + n + ": function evaluations per image"));
        List<int[]> rows = new ArrayList<>();
        long start = System.nanoTime();
        Evaluator.Result r = Evaluator.evaluate(net, loader, (p, b) -> {
            int[] labels = b.labels().get(output);
            for (int n = 0; n < p.iterations().length; n++) {
                int[] row = new int[names.size() + 1];
                row[0] = labels == null ? -1 : labels[n];
                System.arraycopy(p.iterations()[n], 0, row, 1, Math.min(names.size(), p.iterations()[n].length));
                rows.add(row);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "test accuracy %.4f on %d images (%.0f images/s)%n", r.accuracy(output), r.samples(),
                r.samples() / seconds);
        out.print(text(headings, rows, spec.classNames(output, classes(net, output))));
        Files.createDirectories(reportDir);
        Path csv = reportDir.resolve(fixedPoints.isEmpty() ? "odes.csv" : "fixedpoints.csv");
        StringBuilder sb = new StringBuilder("image,label");
        names.forEach(n -> sb.append(',').append(n));
        sb.append('\n');
        for (int i = 0; i < rows.size(); i++) {
            sb.append(i);
            for (int v : rows.get(i)) {
                sb.append(',').append(v);
            }
            sb.append('\n');
        }
        Files.writeString(csv, sb.toString());
        out.println("wrote " + csv);
        out.flush();
    }

    /**
     * The formats of {@code adnet predict}'s part for each column of {@code Prediction.iterations}, e.g.
     * {@code "ode h.ode1: %d evaluations"}; empty for a network without fixed points and ODEs.
     */
    static List<String> traceFormats(dev.adnet.compiler.ir.Graph graph) {
        List<String> fixedPoints = new ArrayList<>();
        List<String> odes = new ArrayList<>();
        for (dev.adnet.compiler.ir.Op o : graph.ops()) {
            if (o instanceof dev.adnet.compiler.ir.FixedPoint) {
                fixedPoints.add("fixed point " + o.path() + ": %d iterations");
            } else if (o instanceof dev.adnet.compiler.ir.Ode) {
                odes.add("ode " + o.path() + ": %d evaluations");
            }
        }
        fixedPoints.addAll(odes);
        return fixedPoints;
    }

    /** The classes of {@code output}: the size of its per-sample vector. */
    private static int classes(Network net, String output) {
        return (int) net.outputs().stream().filter(o -> o.name().equals(output)).findFirst().orElseThrow().shape()[0];
    }

    /** Per column (its label given): mean, median, 90th percentile and maximum, overall and per class. */
    static String text(List<String> labels, List<int[]> rows, List<String> classNames) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < labels.size(); k++) {
            int col = k + 1;
            sb.append(String.format(Locale.ROOT, "%s %s%n", labels.get(k), summary(rows, col, -1)));
            for (int c = 0; c < classNames.size(); c++) {
                int cls = c;
                if (rows.stream().anyMatch(row -> row[0] == cls)) {
                    sb.append(String.format(Locale.ROOT, "  %-12s %s%n", classNames.get(c), summary(rows, col, c)));
                }
            }
        }
        return sb.toString();
    }

    private static String summary(List<int[]> rows, int col, int cls) {
        int[] v = rows.stream().filter(r -> cls < 0 || r[0] == cls).mapToInt(r -> r[col]).sorted().toArray();
        if (v.length == 0) {
            return "(no images)";
        }
        double mean = java.util.Arrays.stream(v).average().orElse(0);
        return String.format(Locale.ROOT, "mean %.2f, median %d, 90th percentile %d, max %d (%d images)", mean,
                v[v.length / 2], v[Math.min(v.length - 1, (int) (0.9 * v.length))], v[v.length - 1], v.length);
    }
}
