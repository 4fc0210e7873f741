package dev.adnet.compiler.cli;

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
 * Evaluation of a network with fixed points with the per-sample trace: accuracy, and each fixed point's forward
 * iterations per image (mean, distribution, per class) with the images that reached the cap; printed, and the
 * iterations of every image written to fixedpoints.csv (image, label, then one column per fixed point).
 */
final class FixedPointEvaluation {
    private FixedPointEvaluation() {}

    static void run(LoadedNetwork loaded, DataLoader loader, String output, Path reportDir, PrintWriter out, DataSpec spec)
            throws IOException {
        Network net = loaded.network();
        List<String> names = loaded.compiled().graph().ops().stream()
                .filter(o -> o instanceof dev.adnet.compiler.ir.Op.FixedPoint).map(o -> o.path()).toList();
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
        out.print(text(names, rows, spec.classNames(output, classes(net, output))));
        Files.createDirectories(reportDir);
        Path csv = reportDir.resolve("fixedpoints.csv");
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

    /** The classes of {@code output}: the size of its per-sample vector. */
    private static int classes(Network net, String output) {
        return (int) net.outputs().stream().filter(o -> o.name().equals(output)).findFirst().orElseThrow().shape()[0];
    }

    /** Per fixed point: mean, quartiles and maximum of the iterations, overall and per class. */
    static String text(List<String> names, List<int[]> rows, List<String> classNames) {
        StringBuilder sb = new StringBuilder();
        for (int k = 0; k < names.size(); k++) {
            int col = k + 1;
            sb.append(String.format(Locale.ROOT, "fixed point %s: forward iterations per image %s%n", names.get(k),
                    summary(rows, col, -1)));
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
