package dev.adnet.compiler.cli;

import dev.adnet.runtime.adaptive.GateStatistics;
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
 * The gate report of {@code adnet eval}: execution rate per gate, the per-class table of execution rates
 * (ConvNet-AIG's figure), and executed FLOPs against the full network, as text, CSV and a PNG chart.
 */
final class GateReport {
    private final GateStatistics stats;
    private final List<String> gateNames;
    private final List<String> classNames;
    private final long fullFlops;

    GateReport(GateStatistics stats, List<String> gateNames, List<String> classNames, long fullFlops) {
        this.stats = stats;
        this.gateNames = gateNames;
        this.classNames = classNames;
        this.fullFlops = fullFlops;
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        double mean = stats.meanFlops();
        sb.append(String.format(Locale.ROOT, "executed FLOPs per sample: %,.0f of %,d (%.1f%%; %.1f%% saved)%n", mean, fullFlops,
                100 * mean / fullFlops, 100 - 100 * mean / fullFlops));
        sb.append("execution rate per gate:\n");
        for (int g = 0; g < stats.gates(); g++) {
            sb.append(String.format(Locale.ROOT, "  gate %d  %.3f  %s%n", g + 1, stats.rate(g), gateNames.get(g)));
        }
        sb.append("execution rate per class (rows) and gate (columns):\n");
        sb.append(String.format(Locale.ROOT, "  %-12s", "class"));
        for (int g = 0; g < stats.gates(); g++) {
            sb.append(String.format(Locale.ROOT, " %6s", "g" + (g + 1)));
        }
        sb.append('\n');
        for (int c = 0; c < stats.classes(); c++) {
            sb.append(String.format(Locale.ROOT, "  %-12s", className(c)));
            for (int g = 0; g < stats.gates(); g++) {
                sb.append(String.format(Locale.ROOT, " %6.3f", stats.rate(c, g)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    String csv() {
        StringBuilder sb = new StringBuilder("class");
        for (int g = 0; g < stats.gates(); g++) {
            sb.append(",gate").append(g + 1);
        }
        sb.append('\n');
        for (int c = -1; c < stats.classes(); c++) {
            sb.append(c < 0 ? "all" : className(c).replace(',', ' '));
            for (int g = 0; g < stats.gates(); g++) {
                sb.append(String.format(Locale.ROOT, ",%.4f", c < 0 ? stats.rate(g) : stats.rate(c, g)));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private String className(int c) {
        return c < classNames.size() ? classNames.get(c) : "class " + c;
    }

    /** Writes gates.txt, gates.csv and gates.png into {@code dir}; returns the files written. */
    List<Path> write(Path dir) throws IOException {
        return ReportFiles.write(dir, "gates", text(), csv(), chart());
    }

    /** A heat map of the per-class execution rates, with the overall rate per gate as the last row. */
    BufferedImage chart() {
        int cell = 44;
        int left = 120;
        int top = 56;
        int rows = stats.classes() + 1;
        int width = left + stats.gates() * cell + 200;
        int height = top + rows * cell + 60;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString(String.format(Locale.ROOT, "Gate execution rates (executed FLOPs %.1f%% of full)", 100 * stats.meanFlops() / fullFlops),
                10, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        for (int gate = 0; gate < stats.gates(); gate++) {
            g.drawString("g" + (gate + 1), left + gate * cell + cell / 2 - 8, top - 8);
        }
        for (int r = 0; r < rows; r++) {
            boolean all = r == stats.classes();
            int y = top + r * cell + (all ? 8 : 0);
            g.setColor(Color.BLACK);
            g.drawString(all ? "all classes" : className(r), 8, y + cell / 2 + 4);
            for (int gate = 0; gate < stats.gates(); gate++) {
                double rate = all ? stats.rate(gate) : stats.rate(r, gate);
                g.setColor(shade(rate));
                g.fillRect(left + gate * cell, y, cell - 2, cell - 2);
                g.setColor(rate > 0.55 ? Color.WHITE : Color.BLACK);
                g.drawString(String.format(Locale.ROOT, "%.2f", rate), left + gate * cell + 9, y + cell / 2 + 4);
            }
        }
        int lx = left + stats.gates() * cell + 20;
        for (int i = 0; i <= 10; i++) {
            g.setColor(shade(1 - i / 10.0));
            g.fillRect(lx, top + i * 18, 18, 18);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1));
        g.drawRect(lx, top, 18, 11 * 18);
        g.drawString("1.0 (always runs)", lx + 24, top + 12);
        g.drawString("0.0 (always skipped)", lx + 24, top + 11 * 18 - 4);
        g.dispose();
        return img;
    }

    /** White for 0 through to a dark blue for 1. */
    static Color shade(double rate) {
        double t = Math.max(0, Math.min(1, rate));
        return new Color((int) (255 - 225 * t), (int) (255 - 190 * t), (int) (255 - 100 * t));
    }
}
