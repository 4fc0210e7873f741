package dev.adnet.compiler.cli;

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
 * The loop report of {@code adnet eval}: for every halting or gated loop, the distribution of the passes (steps) its
 * samples took, overall and per class, with the mean, as text, CSV and a PNG chart (loops.txt, loops.csv,
 * loops.png).
 *
 * @param loops each loop's path, in loop order
 * @param caps each loop's cap
 * @param units what a loop's iteration is called: {@code passes} (gated) or {@code steps} (halting)
 * @param counts {@code counts[l][c + 1][n - 1]}: images of class {@code c} (row 0: every image) that took {@code n}
 *     passes in loop {@code l}
 */
record LoopReport(List<String> loops, int[] caps, List<String> units, long[][][] counts, List<String> classNames) {

    /** An empty tally for these loops and {@code classes} classes. */
    static long[][][] tally(int[] caps, int classes) {
        long[][][] t = new long[caps.length][classes + 1][];
        for (int l = 0; l < caps.length; l++) {
            for (int c = 0; c <= classes; c++) {
                t[l][c] = new long[caps[l]];
            }
        }
        return t;
    }

    /** Counts one image of class {@code label} (-1 unknown) that took {@code passes[l]} in each loop. */
    static void add(long[][][] t, int label, int[] passes) {
        for (int l = 0; l < t.length; l++) {
            int n = passes[l];
            if (n < 1 || n > t[l][0].length) {
                continue; // the image left the network before this loop (an exit)
            }
            t[l][0][n - 1]++;
            if (label >= 0 && label + 1 < t[l].length) {
                t[l][label + 1][n - 1]++;
            }
        }
    }

    String text() {
        StringBuilder sb = new StringBuilder();
        for (int l = 0; l < loops.size(); l++) {
            sb.append(String.format(Locale.ROOT, "loop %s (cap %d): %s per image %s%n", loops.get(l), caps[l], units.get(l),
                    summary(counts[l][0])));
            sb.append(String.format(Locale.ROOT, "  %-12s %6s", "class", "mean"));
            for (int n = 1; n <= caps[l]; n++) {
                sb.append(String.format(Locale.ROOT, " %6s", n + ""));
            }
            sb.append('\n');
            for (int c = 0; c <= classNames.size(); c++) {
                long[] row = counts[l][c];
                long images = total(row);
                if (c > 0 && images == 0) {
                    continue;
                }
                sb.append(String.format(Locale.ROOT, "  %-12s %6.2f", c == 0 ? "all" : classNames.get(c - 1), mean(row)));
                for (long v : row) {
                    sb.append(String.format(Locale.ROOT, " %6.3f", images == 0 ? 0.0 : (double) v / images));
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** One row per loop, class ("all" first) and number of passes: the images and their share of the class. */
    String csv() {
        StringBuilder sb = new StringBuilder("loop,class,passes,images,share\n");
        for (int l = 0; l < loops.size(); l++) {
            for (int c = 0; c <= classNames.size(); c++) {
                long images = total(counts[l][c]);
                for (int n = 1; n <= caps[l]; n++) {
                    long v = counts[l][c][n - 1];
                    sb.append(String.format(Locale.ROOT, "%s,%s,%d,%d,%.4f%n", loops.get(l),
                            c == 0 ? "all" : classNames.get(c - 1).replace(',', ' '), n, v, images == 0 ? 0.0 : (double) v / images));
                }
            }
        }
        return sb.toString();
    }

    List<Path> write(Path dir) throws IOException {
        return ReportFiles.write(dir, "loops", text(), csv(), chart());
    }

    /** Per loop, a heat map: rows the classes and all images, columns the passes taken, cells the share of the row. */
    BufferedImage chart() {
        int cell = 40;
        int left = 120;
        int panel = (classNames.size() + 2) * cell + 50;
        // wide enough for the title line
        int width = Math.max(left + java.util.Arrays.stream(caps).max().orElse(1) * cell + 90, 560);
        int height = 40 + loops.size() * panel;
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        for (int l = 0; l < loops.size(); l++) {
            int top = 30 + l * panel;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
            g.drawString(String.format(Locale.ROOT, "%s: share of images by %s taken (mean %.2f)", loops.get(l), units.get(l),
                    mean(counts[l][0])), 10, top);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int n = 1; n <= caps[l]; n++) {
                g.drawString(Integer.toString(n), left + (n - 1) * cell + cell / 2 - 4, top + 20);
            }
            for (int r = 0; r <= classNames.size(); r++) {
                int c = r == classNames.size() ? 0 : r + 1;
                long images = total(counts[l][c]);
                int y = top + 28 + r * cell + (c == 0 ? 8 : 0);
                g.setColor(Color.BLACK);
                g.drawString(c == 0 ? "all classes" : classNames.get(c - 1), 8, y + cell / 2 + 4);
                for (int n = 1; n <= caps[l]; n++) {
                    double share = images == 0 ? 0 : (double) counts[l][c][n - 1] / images;
                    double t = Math.max(0, Math.min(1, share));
                    g.setColor(new Color((int) (255 - 225 * t), (int) (255 - 190 * t), (int) (255 - 100 * t)));
                    g.fillRect(left + (n - 1) * cell, y, cell - 2, cell - 2);
                    g.setColor(share > 0.55 ? Color.WHITE : Color.BLACK);
                    g.drawString(String.format(Locale.ROOT, "%.2f", share), left + (n - 1) * cell + 7, y + cell / 2 + 4);
                }
            }
        }
        g.dispose();
        return img;
    }

    private static String summary(long[] row) {
        long images = total(row);
        if (images == 0) {
            return "(no images)";
        }
        int max = 0;
        for (int n = 1; n <= row.length; n++) {
            if (row[n - 1] > 0) {
                max = n;
            }
        }
        return String.format(Locale.ROOT, "mean %.2f, max %d (%d images)", mean(row), max, images);
    }

    private static long total(long[] row) {
        long s = 0;
        for (long v : row) {
            s += v;
        }
        return s;
    }

    private static double mean(long[] row) {
        long images = total(row);
        double s = 0;
        for (int n = 1; n <= row.length; n++) {
            s += (double) n * row[n - 1];
        }
        return images == 0 ? 0 : s / images;
    }
}
