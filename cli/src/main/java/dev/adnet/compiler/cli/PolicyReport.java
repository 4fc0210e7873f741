package dev.adnet.compiler.cli;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.runtime.share.SharePaths;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The learned policies of a network's shares ({@code share adashare}), as {@code adnet eval} reports them
 * ({@code policies.txt/csv/png}): for each task and unit the argmax decision (select or skip) and the probability of
 * selecting it, the softmax of its two logits at temperature 1; and how many units inference computes for all tasks,
 * a unit once for the tasks whose policies agree up to it.
 */
final class PolicyReport {
    private final List<Share> shares;

    /** One share: its name, its tasks, and {@code logits[task][unit]} ({@code [select, skip]}). */
    private record Share(String name, List<String> tasks, INDArray[][] logits) {
        int units() {
            return logits[0].length;
        }

        double select(int t, int u) {
            return 1 / (1 + Math.exp(logits[t][u].getDouble(1) - logits[t][u].getDouble(0)));
        }

        boolean runs(int t, int u) {
            return logits[t][u].getDouble(0) > logits[t][u].getDouble(1); // as TaskPolicy.runs: ties skip
        }

        /** The units computed when every task runs at once. */
        int computed() {
            int[][] first = SharePaths.firstSame(logits);
            int n = 0;
            for (int t = 0; t < logits.length; t++) {
                for (int u = 0; u < units(); u++) {
                    n += runs(t, u) && first[t][u] == t ? 1 : 0;
                }
            }
            return n;
        }
    }

    private PolicyReport(List<Share> shares) {
        this.shares = shares;
    }

    /** The shares of {@code graph} with their logits from {@code params} (by name); null when it has none. */
    static PolicyReport of(Graph graph, Function<String, INDArray> params) {
        Map<String, Map<Integer, Map<Integer, INDArray>>> byShare = new TreeMap<>();
        Map<String, List<String>> tasks = new TreeMap<>();
        for (Op op : graph.ops()) {
            if (op instanceof ShareUnit u) {
                String name = u.logits().name().substring(0, u.logits().name().indexOf(".policy."));
                byShare.computeIfAbsent(name, k -> new TreeMap<>()).computeIfAbsent(u.taskIndex(), k -> new TreeMap<>())
                        .put(u.unit(), params.apply(u.logits().name()));
                List<String> names = tasks.computeIfAbsent(name, k -> new ArrayList<>());
                if (!names.contains(u.task())) {
                    names.add(u.task());
                }
            }
        }
        if (byShare.isEmpty()) {
            return null;
        }
        List<Share> shares = new ArrayList<>();
        byShare.forEach((name, byTask) -> shares.add(new Share(name, tasks.get(name), byTask.values().stream()
                .map(units -> units.values().toArray(INDArray[]::new)).toArray(INDArray[][]::new))));
        return new PolicyReport(shares);
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (Share s : shares) {
            sb.append(String.format(Locale.ROOT, "share %s (%d units, %d tasks): each task's argmax policy, with the probability "
                    + "of selecting each unit (softmax of its select and skip logits)%n", s.name(), s.units(), s.tasks().size()));
            int w = Math.max(4, s.tasks().stream().mapToInt(String::length).max().orElse(4));
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "  %-" + w + "s", "task"));
            for (int u = 0; u < s.units(); u++) {
                header.append(String.format(Locale.ROOT, "  %-11s", "unit" + (u + 1)));
            }
            sb.append(header.toString().stripTrailing()).append('\n');
            int selected = 0;
            for (int t = 0; t < s.tasks().size(); t++) {
                sb.append(String.format(Locale.ROOT, "  %-" + w + "s", s.tasks().get(t)));
                for (int u = 0; u < s.units(); u++) {
                    selected += s.runs(t, u) ? 1 : 0;
                    sb.append(String.format(Locale.ROOT, "  %-6s %.2f", s.runs(t, u) ? "select" : "skip", s.select(t, u)));
                }
                sb.append('\n');
            }
            sb.append(String.format(Locale.ROOT, "  units computed for all tasks: %d (%d selected by a task; a unit is computed "
                    + "once for the tasks whose policies agree up to it) of %d with every unit run by every task%n",
                    s.computed(), selected, s.units() * s.tasks().size()));
        }
        return sb.toString();
    }

    String csv() {
        StringBuilder sb = new StringBuilder("share,task,unit,select_logit,skip_logit,select_probability,decision\n");
        for (Share s : shares) {
            for (int t = 0; t < s.tasks().size(); t++) {
                for (int u = 0; u < s.units(); u++) {
                    INDArray l = s.logits()[t][u];
                    sb.append(String.format(Locale.ROOT, "%s,%s,%d,%.6f,%.6f,%.6f,%s%n", s.name(), s.tasks().get(t), u + 1,
                            l.getDouble(0), l.getDouble(1), s.select(t, u), s.runs(t, u) ? "select" : "skip"));
                }
            }
        }
        return sb.toString();
    }

    /** Writes policies.txt, policies.csv and policies.png into {@code dir}; returns the files written. */
    List<Path> write(Path dir) throws IOException {
        return ReportFiles.write(dir, "policies", text(), csv(), chart());
    }

    private static String title(Share s) {
        return "share " + s.name() + ": select probability, selected units outlined";
    }

    /** A task x unit grid per share, shaded by the select probability, the selected units outlined. */
    BufferedImage chart() {
        int cell = 64;
        int left = 120;
        int units = shares.stream().mapToInt(Share::units).max().orElse(1);
        int title = shares.stream().mapToInt(s -> title(s).length()).max().orElse(0);
        int width = Math.max(left + units * cell + 40, 20 + 8 * title); // 8 pixels a character of the bold title
        int height = 20 + shares.stream().mapToInt(s -> 46 + s.tasks().size() * cell).sum();
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int y = 10;
        for (Share s : shares) {
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(title(s), 10, y + 14);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            y += 36;
            for (int u = 0; u < s.units(); u++) {
                g.drawString("unit" + (u + 1), left + u * cell + 14, y - 6);
            }
            for (int t = 0; t < s.tasks().size(); t++) {
                g.setColor(Color.BLACK);
                g.drawString(s.tasks().get(t), 10, y + cell / 2 + 4);
                for (int u = 0; u < s.units(); u++) {
                    double p = s.select(t, u);
                    int x = left + u * cell;
                    g.setColor(GateReport.shade(p));
                    g.fillRect(x, y, cell - 4, cell - 4);
                    if (s.runs(t, u)) {
                        g.setColor(Color.BLACK);
                        g.setStroke(new BasicStroke(3));
                        g.drawRect(x + 1, y + 1, cell - 6, cell - 6);
                    }
                    g.setColor(p > 0.55 ? Color.WHITE : Color.BLACK);
                    g.drawString(s.runs(t, u) ? "select" : "skip", x + 8, y + cell / 2 - 4);
                    g.drawString(String.format(Locale.ROOT, "%.2f", p), x + 8, y + cell / 2 + 12);
                }
                y += cell;
            }
            y += 10;
        }
        g.dispose();
        return img;
    }
}
