package dev.adnet.compiler.cli;

import dev.adnet.runtime.adaptive.ExitPolicy;
import dev.adnet.runtime.adaptive.ExitSimulation;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The exit report of {@code adnet eval}: per exit its cost, its accuracy alone and the share of samples leaving
 * there; the measured accuracy, FLOPs and speed of compacted inference against the full network; and the
 * accuracy-against-FLOPs curve over a sweep of confidence thresholds, as text, CSV and a PNG chart.
 */
final class ExitReport {
    /** One threshold of the sweep and where it sends the samples (replayed from the recorded heads). */
    record SweepPoint(double threshold, ExitSimulation.Outcome outcome) {}

    /** Real inference with the stored thresholds, and the full network (no exit heads) on the same images. */
    record Measured(double accuracy, double meanFlops, int[] histogram, double imagesPerSecond, double fullAccuracy,
            double fullImagesPerSecond) {}

    private final List<String> names;
    private final ExitPolicy[] policies;
    private final double[] thresholds;
    private final long[] exitFlops;
    private final long fullFlops;
    private final double[] alone;
    private final ExitSimulation.Outcome stored;
    private final Measured measured;
    private final List<SweepPoint> sweep;

    ExitReport(List<String> names, ExitPolicy[] policies, double[] thresholds, long[] exitFlops, long fullFlops, double[] alone,
            ExitSimulation.Outcome stored, Measured measured, List<SweepPoint> sweep) {
        this.names = names;
        this.policies = policies;
        this.thresholds = thresholds;
        this.exitFlops = exitFlops;
        this.fullFlops = fullFlops;
        this.alone = alone;
        this.stored = stored;
        this.measured = measured;
        this.sweep = sweep;
    }

    private String name(int k) {
        return k < names.size() ? names.get(k) : "final";
    }

    private String policy(int k) {
        if (k >= policies.length) {
            return "-";
        }
        return switch (policies[k]) {
            case NONE -> "none";
            case CONFIDENCE -> "confidence > " + shortest(thresholds[k]);
            case ENTROPY -> "entropy < " + shortest(thresholds[k]);
            case PATIENCE -> String.format(Locale.ROOT, "patience(%d)", (long) thresholds[k]);
        };
    }

    /**
     * A threshold as the source wrote it: one a FLOAT network stores is printed as the shortest float that reads back,
     * one a DOUBLE network stores (not a float, e.g. calibrated) as the shortest double.
     */
    static String shortest(double t) {
        return (double) (float) t == t ? Float.toString((float) t) : Double.toString(t);
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        int samples = 0;
        for (int h : measured.histogram()) {
            samples += h;
        }
        sb.append(String.format(Locale.ROOT, "exits on %d images (full network without exit heads: %,d FLOPs per sample):%n",
                samples, fullFlops));
        sb.append(String.format(Locale.ROOT, "  %-10s %-22s %14s %8s %14s %12s%n", "exit", "policy", "FLOPs", "of full",
                "accuracy alone", "leaves here"));
        for (int k = 0; k < exitFlops.length; k++) {
            sb.append(String.format(Locale.ROOT, "  %-10s %-22s %,14d %8s %14.4f %12.4f%n", name(k), policy(k), exitFlops[k],
                    ExitEvaluation.percent((double) exitFlops[k] / fullFlops), alone[k],
                    (double) measured.histogram()[k] / Math.max(1, samples)));
        }
        double speedup = measured.imagesPerSecond() / measured.fullImagesPerSecond();
        double ratio = fullFlops / measured.meanFlops();
        sb.append(String.format(Locale.ROOT, "early exits (compacted inference): accuracy %.4f, mean FLOPs %,.0f (%s of full, %s saved), "
                + "%.0f images/s%n", measured.accuracy(), measured.meanFlops(), ExitEvaluation.percent(measured.meanFlops() / fullFlops),
                ExitEvaluation.percent(1 - measured.meanFlops() / fullFlops), measured.imagesPerSecond()));
        sb.append(String.format(Locale.ROOT, "full network: accuracy %.4f, %.0f images/s; speed-up %.2fx at a FLOPs ratio of %.2f "
                + "(%.2f of it; one timed pass each: ExitBenchmark measures it properly)%n", measured.fullAccuracy(),
                measured.fullImagesPerSecond(), speedup, ratio, speedup / ratio));
        sb.append(String.format(Locale.ROOT, "replayed from the recorded heads: accuracy %.4f, mean FLOPs %,.0f%n", stored.accuracy(),
                stored.meanFlops()));
        sb.append("sweep (one confidence threshold for every confidence exit):\n");
        sb.append(String.format(Locale.ROOT, "  %9s %9s %14s %8s  %s%n", "threshold", "accuracy", "mean FLOPs", "of full",
                "share leaving at each exit"));
        for (SweepPoint p : sweep) {
            ExitSimulation.Outcome o = p.outcome();
            sb.append(String.format(Locale.ROOT, "  %9s %9.4f %,14.0f %8s  %s%n", p.threshold(), o.accuracy(), o.meanFlops(),
                    ExitEvaluation.percent(o.meanFlops() / fullFlops), shares(o.histogram())));
        }
        return sb.toString();
    }

    private static String shares(int[] histogram) {
        int n = 0;
        for (int h : histogram) {
            n += h;
        }
        StringBuilder sb = new StringBuilder();
        for (int h : histogram) {
            sb.append(sb.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.3f", (double) h / Math.max(1, n)));
        }
        return sb.toString();
    }

    String csv() {
        StringBuilder sb = new StringBuilder("threshold,accuracy,mean_flops,fraction_of_full");
        for (int k = 0; k < exitFlops.length; k++) {
            sb.append(",leave_").append(name(k));
        }
        sb.append('\n');
        for (SweepPoint p : sweep) {
            ExitSimulation.Outcome o = p.outcome();
            sb.append(String.format(Locale.ROOT, "%s,%.6f,%.1f,%.6f", p.threshold(), o.accuracy(), o.meanFlops(), o.meanFlops() / fullFlops));
            for (int h : o.histogram()) {
                sb.append(',').append(h);
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** Writes exits.txt, exits.csv and exits.png into {@code dir}; returns the files written. */
    List<Path> write(Path dir) throws IOException {
        return ReportFiles.write(dir, "exits", text(), csv(), chart());
    }

    /** Left: accuracy against mean FLOPs over the sweep, with each exit alone; right: where samples leave. */
    BufferedImage chart() {
        int width = 980;
        int height = 440;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Accuracy against mean FLOPs (confidence threshold sweep)", 20, 24);
        g.drawString("Where samples leave (stored thresholds)", 620, 24);
        curve(g, 70, 50, 500, 320);
        histogram(g, 640, 50, 300, 320);
        g.dispose();
        return img;
    }

    private void curve(Graphics2D g, int x0, int y0, int w, int h) {
        double minAcc = 1;
        double maxAcc = 0;
        for (SweepPoint p : sweep) {
            minAcc = Math.min(minAcc, p.outcome().accuracy());
            maxAcc = Math.max(maxAcc, p.outcome().accuracy());
        }
        for (double a : alone) {
            minAcc = Math.min(minAcc, a);
            maxAcc = Math.max(maxAcc, a);
        }
        double lo = Math.floor(minAcc * 50) / 50;
        double hi = Math.min(1, Math.ceil(maxAcc * 100 + 0.5) / 100);
        double maxX = (double) exitFlops[exitFlops.length - 1] / fullFlops;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.LIGHT_GRAY);
        for (int i = 0; i <= 5; i++) {
            int y = y0 + h - i * h / 5;
            g.drawLine(x0, y, x0 + w, y);
            int x = x0 + i * w / 5;
            g.drawLine(x, y0, x, y0 + h);
        }
        g.setColor(Color.BLACK);
        g.drawRect(x0, y0, w, h);
        for (int i = 0; i <= 5; i++) {
            g.drawString(String.format(Locale.ROOT, "%.3f", lo + (hi - lo) * i / 5), x0 - 44, y0 + h - i * h / 5 + 4);
            g.drawString(String.format(Locale.ROOT, "%.0f%%", 100 * maxX * i / 5), x0 + i * w / 5 - 12, y0 + h + 16);
        }
        g.drawString("mean FLOPs, % of the full network", x0 + w / 2 - 90, y0 + h + 34);
        g.drawString("test accuracy", x0 - 60, y0 - 8);
        int[] xs = new int[sweep.size()];
        int[] ys = new int[sweep.size()];
        for (int i = 0; i < sweep.size(); i++) {
            ExitSimulation.Outcome o = sweep.get(i).outcome();
            xs[i] = x0 + (int) Math.round(w * (o.meanFlops() / fullFlops) / maxX);
            ys[i] = y0 + h - (int) Math.round(h * (o.accuracy() - lo) / (hi - lo));
        }
        g.setColor(new Color(31, 78, 160));
        g.setStroke(new BasicStroke(2));
        g.drawPolyline(xs, ys, xs.length);
        for (int i = 0; i < xs.length; i++) {
            g.fillOval(xs[i] - 3, ys[i] - 3, 7, 7);
        }
        g.setColor(new Color(200, 60, 30));
        for (int k = 0; k < alone.length; k++) {
            int x = x0 + (int) Math.round(w * ((double) exitFlops[k] / fullFlops) / maxX);
            int y = y0 + h - (int) Math.round(h * (alone[k] - lo) / (hi - lo));
            g.fillRect(x - 4, y - 4, 9, 9);
            g.drawString(name(k) + " alone", Math.min(x + 6, x0 + w - 80), y - 6);
        }
        int mx = x0 + (int) Math.round(w * (measured.meanFlops() / fullFlops) / maxX);
        int my = y0 + h - (int) Math.round(h * (measured.accuracy() - lo) / (hi - lo));
        g.setColor(new Color(20, 140, 60));
        g.fillOval(mx - 6, my - 6, 13, 13);
        g.drawString("measured, stored thresholds", mx + 8, my + 16);
    }

    private void histogram(Graphics2D g, int x0, int y0, int w, int h) {
        int[] hist = measured.histogram();
        int n = 0;
        for (int v : hist) {
            n += v;
        }
        int bar = w / hist.length;
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        g.setColor(Color.BLACK);
        g.drawLine(x0, y0 + h, x0 + w, y0 + h);
        for (int k = 0; k < hist.length; k++) {
            double share = (double) hist[k] / Math.max(1, n);
            int bh = (int) Math.round(h * share);
            g.setColor(new Color(31, 78, 160));
            g.fillRect(x0 + k * bar + 8, y0 + h - bh, bar - 16, bh);
            g.setColor(Color.BLACK);
            g.drawString(String.format(Locale.ROOT, "%.1f%%", 100 * share), x0 + k * bar + bar / 2 - 16, y0 + h - bh - 6);
            g.drawString(name(k), x0 + k * bar + bar / 2 - 20, y0 + h + 16);
            g.drawString(ExitEvaluation.percent((double) exitFlops[k] / fullFlops) + " FLOPs", x0 + k * bar + bar / 2 - 30, y0 + h + 32);
        }
    }
}
