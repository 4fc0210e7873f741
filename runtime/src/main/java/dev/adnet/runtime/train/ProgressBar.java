package dev.adnet.runtime.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A progress display for training: on a console it redraws one line in place with {@code '\r'}, elsewhere (logs,
 * pipes) it prints a plain line about every tenth of an epoch or every 30 seconds.
 */
public final class ProgressBar {
    public enum Mode {
        /** Redraw in place if the stream is {@code System.out} or {@code System.err} and there is a console. */
        AUTO,
        REDRAW,
        PLAIN,
        NONE
    }

    private static final int WIDTH = 24;
    private final PrintStream out;
    private final boolean redraw;
    private final boolean silent;
    private int epoch;
    private int epochs;
    private int steps;
    private long lastDraw;
    private int lastPlainStep;
    private int lineLength;

    public ProgressBar(PrintStream out, Mode mode) {
        this.out = out;
        this.silent = out == null || mode == Mode.NONE;
        this.redraw = !silent && (mode == Mode.REDRAW || (mode == Mode.AUTO && isConsole(out)));
    }

    static boolean isConsole(PrintStream s) {
        String term = System.getenv("TERM");
        return (s == System.out || s == System.err) && System.console() != null && !"dumb".equals(term);
    }

    public boolean redraws() {
        return redraw;
    }

    public void startEpoch(int epoch, int epochs, int steps, int firstStep) {
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.lastDraw = 0;
        this.lastPlainStep = firstStep;
    }

    /**
     * @param step batches done in this epoch
     * @param loss the running mean loss
     * @param accuracy the running accuracy (NaN if none)
     * @param samplesPerSecond throughput
     * @param etaSeconds the estimated time left in this epoch
     */
    public void update(int step, double loss, double accuracy, double samplesPerSecond, double etaSeconds) {
        if (silent) {
            return;
        }
        long now = System.nanoTime();
        boolean last = step >= steps;
        if (redraw) {
            if (!last && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            String line = line(step, loss, accuracy, samplesPerSecond, etaSeconds, true);
            int pad = Math.max(0, lineLength - line.length());
            lineLength = line.length();
            out.print("\r" + line + " ".repeat(pad));
            out.flush();
        } else {
            int every = Math.max(1, steps / 10);
            if (!last && step - lastPlainStep < every && now - lastDraw < 30_000_000_000L) {
                return;
            }
            lastDraw = now;
            lastPlainStep = step;
            out.println(line(step, loss, accuracy, samplesPerSecond, etaSeconds, false));
            out.flush();
        }
    }

    /** Ends the epoch's line and prints a summary. */
    public void endEpoch(String summary) {
        if (silent) {
            return;
        }
        if (redraw) {
            out.print("\r" + " ".repeat(lineLength) + "\r");
            lineLength = 0;
        }
        out.println(summary);
        out.flush();
    }

    /** Prints a message on its own line. */
    public void message(String text) {
        if (silent) {
            return;
        }
        if (redraw && lineLength > 0) {
            out.println();
            lineLength = 0;
        }
        out.println(text);
        out.flush();
    }

    String line(int step, double loss, double accuracy, double sps, double eta, boolean bar) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "epoch %d/%d ", epoch + 1, epochs));
        if (bar) {
            int filled = steps == 0 ? WIDTH : (int) ((long) WIDTH * step / steps);
            s.append('[').append("=".repeat(filled));
            if (filled < WIDTH) {
                s.append('>').append(" ".repeat(WIDTH - filled - 1));
            }
            s.append("] ");
        }
        s.append(String.format(Locale.ROOT, "%d/%d loss %.4f", step, steps, loss));
        if (!Double.isNaN(accuracy)) {
            s.append(String.format(Locale.ROOT, " acc %.2f%%", 100 * accuracy));
        }
        s.append(String.format(Locale.ROOT, " %.0f samples/s ETA %s", sps, duration(eta)));
        return s.toString();
    }

    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) {
            return "?";
        }
        long t = Math.round(seconds);
        return t >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", t / 3600, t / 60 % 60, t % 60)
                : String.format(Locale.ROOT, "%d:%02d", t / 60, t % 60);
    }
}
