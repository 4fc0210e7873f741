package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * The per-channel means of one channels-last image {@code [H, W, C]}, accumulated while a kernel writes the image one
 * row ({@code [W, C]}) at a time, so that the global average pooling after a residual add costs no pass of its own
 * over an array that was just written (a gate head pools every block's output: about 237 KB per sample read again
 * over {@code fashion_aig}'s eight pools).
 *
 * <p>FLOAT only (the fused kernels run the separate ones in DOUBLE). The sums run in the order
 * {@link ChannelsLast#globalAvgPool} uses (rows of at most {@link FloatKernels#TILE} elements: float lanes per row
 * position, then a double fold per channel; otherwise a double sum per channel in pixel order), so the means are the
 * same bits as that op's on the finished array: a fused producer and the separate pooling give the same gate
 * decisions.
 */
public final class PixelMeans {
    private final int rowLen;
    private final int channels;
    private final int pixels;
    private final float[] lanes;
    private final double[] sum;

    /** An accumulator for FLOAT images of {@code h x w x c}. */
    public PixelMeans(int h, int w, int c) {
        this.rowLen = w * c;
        this.channels = c;
        this.pixels = h * w;
        this.lanes = rowLen <= FloatKernels.TILE ? new float[rowLen] : null;
        this.sum = new double[c];
    }

    /** Elements per image row, {@code W * C}: the length {@link #addRow} reads. */
    public int rowLength() {
        return rowLen;
    }

    /** Starts a new image. */
    public void start() {
        if (lanes != null) {
            Arrays.fill(lanes, 0f);
        }
        Arrays.fill(sum, 0);
    }

    /** Adds the next image row, {@code y[0, W * C)}. */
    public void addRow(float[] y) {
        if (lanes != null) {
            for (int i = 0; i < rowLen; i++) {
                lanes[i] += y[i];
            }
        } else {
            addPixels(y);
        }
    }

    private void addPixels(float[] y) {
        // pixel by pixel, not sum[i % channels]: a division per element cost more than the sums
        for (int i = 0; i < rowLen; ) {
            for (int ch = 0; ch < channels; ch++, i++) {
                sum[ch] += y[i];
            }
        }
    }

    /** Writes the image's C means at {@code at}. */
    public void finish(FloatBuffer out, int at) {
        fold();
        for (int ch = 0; ch < channels; ch++) {
            out.put(at + ch, (float) (sum[ch] / pixels));
        }
    }

    private void fold() {
        if (lanes != null) {
            addPixels(lanes);
        }
    }
}
