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
    private boolean first = true;

    PredictionPrinter(String format, PrintWriter out, int k, List<String> names) {
        this.format = format;
        this.out = out;
        this.k = k;
        this.names = names;
        if (format.equals("csv")) {
            List<String> cols = new ArrayList<>(List.of("index"));
            for (int j = 1; j <= k; j++) {
                String n = k == 1 ? "" : Integer.toString(j);
                cols.addAll(List.of("class" + n, "name" + n, "probability" + n));
            }
            out.println(String.join(",", cols));
        } else if (format.equals("json")) {
            out.print("[");
        }
    }

    void print(int index, double[] p, String trace) {
        switch (format) {
            case "text" -> out.println(PredictCommand.line(index, p, k, names) + trace);
            case "csv" -> {
                StringBuilder row = new StringBuilder(Integer.toString(index));
                for (int c : order(p)) {
                    row.append(',').append(c).append(',').append(csv(names.get(c))).append(',')
                            .append(String.format(Locale.ROOT, "%.6f", p[c]));
                }
                out.println(row);
            }
            default -> {
                StringBuilder o = new StringBuilder(first ? "\n" : ",\n").append("  {\"index\": ").append(index).append(", \"top\": [");
                List<String> parts = new ArrayList<>();
                for (int c : order(p)) {
                    parts.add(String.format(Locale.ROOT, "{\"class\": %d, \"name\": %s, \"probability\": %.6f}", c, json(names.get(c)), p[c]));
                }
                o.append(String.join(", ", parts)).append("]");
                if (!trace.isEmpty()) {
                    o.append(", \"trace\": ").append(json(trace.trim().replaceAll("^\\[|\\]$", "")));
                }
                out.print(o.append("}"));
                first = false;
            }
        }
    }

    void finish() {
        if (format.equals("json")) {
            out.println(first ? "]" : "\n]");
        }
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
