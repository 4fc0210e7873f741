package dev.adnet.samples;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.IntToDoubleFunction;
import javax.imageio.ImageIO;

/**
 * The parity difficulty curve as a PNG: test accuracy (top) and mean loop steps (bottom) against the number of
 * non-zero entries, ACT beside the one-step network of the same cell, from the CSVs {@link ParityTraining} writes.
 *
 * <pre>
 * java -cp ... dev.adnet.samples.ParityCurveChart OUT.png TITLE ACT.csv ONE_STEP.csv
 * </pre>
 */
public final class ParityCurveChart {
    private static final int WIDTH = 720;
    private static final int PANEL = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 30;
    private static final int TOP = 40;
    private static final int GAP = 60;
    private static final Color ACT = new Color(0x1f77b4);
    private static final Color ONE_STEP = new Color(0xd62728);

    private ParityCurveChart() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: ParityCurveChart OUT.png TITLE ACT.csv ONE_STEP.csv");
            System.exit(2);
        }
        System.setProperty("java.awt.headless", "true");
        BufferedImage img = draw(args[1], ParityCurve.read(Path.of(args[2])), ParityCurve.read(Path.of(args[3])));
        ImageIO.write(img, "png", Path.of(args[0]).toFile());
        System.out.println("wrote " + args[0]);
    }

    static BufferedImage draw(String title, ParityCurve act, ParityCurve oneStep) {
        int size = Math.max(act.size(), oneStep.size());
        double maxSteps = 1;
        for (int k = 1; k <= size; k++) {
            maxSteps = Math.max(maxSteps, k <= act.size() && !Double.isNaN(act.meanSteps(k)) ? act.meanSteps(k) : 0);
        }
        maxSteps = Math.ceil(maxSteps + 0.5);
        // The accuracy axis starts at 40%, or lower when a difficulty falls below it (a network wrong more often than chance).
        double lo = 0.4;
        for (ParityCurve c : new ParityCurve[] {act, oneStep}) {
            for (int k = 1; k <= c.size(); k++) {
                lo = Math.min(lo, Double.isNaN(c.accuracy(k)) ? lo : Math.floor(c.accuracy(k) * 10) / 10);
            }
        }
        BufferedImage img = new BufferedImage(WIDTH, TOP + 2 * PANEL + GAP + 50, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.BLACK);
        g.drawString(title, LEFT, 22);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        int top2 = TOP + PANEL + GAP;
        axes(g, TOP, size, lo, 1.0, "test accuracy", 0.1);
        axes(g, top2, size, 0, maxSteps, "mean steps", maxSteps > 10 ? 2 : 1);
        line(g, TOP, size, lo, 1.0, act.size(), act::accuracy, ACT);
        line(g, TOP, size, lo, 1.0, oneStep.size(), oneStep::accuracy, ONE_STEP);
        line(g, top2, size, 0, maxSteps, act.size(), act::meanSteps, ACT);
        line(g, top2, size, 0, maxSteps, oneStep.size(), oneStep::meanSteps, ONE_STEP);
        // Chance level: a network that guesses is right half the time.
        g.setColor(Color.GRAY);
        g.setStroke(new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {4, 4}, 0));
        int yChance = y(0.5, TOP, lo, 1.0);
        g.drawLine(LEFT, yChance, WIDTH - RIGHT, yChance);
        g.drawString("chance", LEFT + 6, yChance - 4);
        g.setStroke(new BasicStroke(1));
        g.setColor(Color.BLACK);
        g.drawString("number of non-zero entries", WIDTH / 2 - 70, top2 + PANEL + 38);
        legend(g, String.format(Locale.ROOT, "ACT (%.2f%%, %.2f steps)", 100 * act.accuracy(), act.meanSteps()), ACT, 0);
        legend(g, String.format(Locale.ROOT, "one step (%.2f%%)", 100 * oneStep.accuracy()), ONE_STEP, 1);
        g.dispose();
        return img;
    }

    private static void axes(Graphics2D g, int top, int size, double lo, double hi, String label, double tick) {
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, top, WIDTH - LEFT - RIGHT, PANEL);
        for (double v = lo; v <= hi + 1e-9; v += tick) {
            int y = y(v, top, lo, hi);
            g.setColor(new Color(0xe0e0e0));
            g.drawLine(LEFT + 1, y, WIDTH - RIGHT - 1, y);
            g.setColor(Color.BLACK);
            g.drawString(tick < 1 ? String.format(Locale.ROOT, "%.0f%%", 100 * v) : String.format(Locale.ROOT, "%.0f", v), LEFT - 40, y + 4);
        }
        int every = size <= 16 ? 1 : size <= 32 ? 2 : 4;
        for (int k = 1; k <= size; k++) {
            if (k == 1 || k % every == 0) {
                String s = Integer.toString(k);
                g.drawString(s, x(k, size) - g.getFontMetrics().stringWidth(s) / 2, top + PANEL + 16);
            }
        }
        Graphics2D r = (Graphics2D) g.create();
        r.rotate(-Math.PI / 2);
        r.drawString(label, -(top + PANEL / 2 + 35), 16);
        r.dispose();
    }

    private static void line(Graphics2D g, int top, int size, double lo, double hi, int n, IntToDoubleFunction value, Color c) {
        g.setColor(c);
        g.setStroke(new BasicStroke(2));
        int px = -1;
        int py = -1;
        for (int k = 1; k <= n; k++) {
            double v = value.applyAsDouble(k);
            if (Double.isNaN(v)) {
                continue;
            }
            int x = x(k, size);
            int y = y(Math.max(lo, Math.min(hi, v)), top, lo, hi);
            g.fillOval(x - 3, y - 3, 6, 6);
            if (px >= 0) {
                g.drawLine(px, py, x, y);
            }
            px = x;
            py = y;
        }
        g.setStroke(new BasicStroke(1));
    }

    private static void legend(Graphics2D g, String text, Color c, int row) {
        int x = WIDTH - RIGHT - 250;
        int y = 16 + row * 16;
        g.setColor(c);
        g.fillRect(x, y - 6, 14, 4);
        g.setColor(Color.BLACK);
        g.drawString(text, x + 20, y);
    }

    private static int x(int k, int size) {
        return LEFT + 15 + (int) Math.round((k - 1) * (WIDTH - LEFT - RIGHT - 30) / (double) Math.max(1, size - 1));
    }

    private static int y(double v, int top, double lo, double hi) {
        return top + (int) Math.round((hi - v) / (hi - lo) * PANEL);
    }
}
