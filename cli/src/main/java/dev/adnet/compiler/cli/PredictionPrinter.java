package dev.adnet.compiler.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Prints {@code adnet predict}'s answers: {@code text} (one line per sample, as {@link PredictCommand#line}), {@code csv}
 * (a header, then one row per sample with its {@code k} most probable classes) or {@code json} (an array of objects).
 */
final class PredictionPrinter {
    private final String format;
    private final PrintWriter out;
    private final int k;
    private final List<String> names;
    /** The task these answers are for ({@code --tasks}: a task column), or null. */
    private final String task;
    private final Rows rows;

    /**
     * What the printers of one call share: the CSV header (with a task column when the answers are per task; its
     * {@code k} the largest of the printers', shorter rows padded) and the JSON array's brackets and commas.
     */
    static final class Rows {
        private final String format;
        private final PrintWriter out;
        private final int k;
        private boolean first = true;

        Rows(String format, PrintWriter out, int k, boolean task) {
            this.format = format;
            this.out = out;
            this.k = k;
            if (format.equals("csv")) {
                List<String> cols = new ArrayList<>(List.of("index"));
                if (task) {
                    cols.add("task");
                }
                for (int j = 1; j <= k; j++) {
                    String n = k == 1 ? "" : Integer.toString(j);
                    cols.addAll(List.of("class" + n, "name" + n, "probability" + n));
                }
                out.println(String.join(",", cols));
            } else if (format.equals("json")) {
                out.print("[");
            }
        }

        void finish() {
            if (format.equals("json")) {
                out.println(first ? "]" : "\n]");
            }
        }
    }

    PredictionPrinter(String format, PrintWriter out, int k, List<String> names) {
        this(format, out, k, names, null, new Rows(format, out, k, false));
    }

    /** A printer of one task's answers, its rows among those of the other chosen tasks ({@code rows}). */
    PredictionPrinter(String format, PrintWriter out, int k, List<String> names, String task, Rows rows) {
        this.format = format;
        this.out = out;
        this.k = k;
        this.names = names;
        this.task = task;
        this.rows = rows;
    }

    void print(int index, double[] p, String trace) {
        switch (format) {
            case "text" -> out.println((task == null ? PredictCommand.line(index, p, k, names)
                    : PredictCommand.line(index, p, k, names).replaceFirst(":", " " + task + ":")) + trace);
            case "csv" -> {
                StringBuilder row = new StringBuilder(Integer.toString(index));
                if (task != null) {
                    row.append(',').append(csv(task));
                }
                for (int c : order(p)) {
                    row.append(',').append(c).append(',').append(csv(names.get(c))).append(',')
                            .append(String.format(Locale.ROOT, "%.6f", p[c]));
                }
                row.append(",,,".repeat(rows.k - k)); // a task with fewer classes than another's k
                out.println(row);
            }
            default -> {
                StringBuilder o = new StringBuilder(rows.first ? "\n" : ",\n").append("  {\"index\": ").append(index);
                if (task != null) {
                    o.append(", \"task\": ").append(json(task));
                }
                o.append(", \"top\": [");
                List<String> parts = new ArrayList<>();
                for (int c : order(p)) {
                    parts.add(String.format(Locale.ROOT, "{\"class\": %d, \"name\": %s, \"probability\": %.6f}", c, json(names.get(c)), p[c]));
                }
                o.append(String.join(", ", parts)).append("]");
                if (!trace.isEmpty()) {
                    o.append(", \"trace\": ").append(json(trace.trim().replaceAll("^\\[|\\]$", "")));
                }
                out.print(o.append("}"));
                rows.first = false;
            }
        }
    }

    void finish() {
        rows.finish();
    }

    /** The {@code k} most probable classes, most probable first; ties keep the lower index first. */
    private int[] order(double[] p) {
        Integer[] idx = new Integer[p.length];
        for (int c = 0; c < p.length; c++) {
            idx[c] = c;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(p[b], p[a]));
        return Arrays.stream(idx).limit(k).mapToInt(Integer::intValue).toArray();
    }

    private static String csv(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
