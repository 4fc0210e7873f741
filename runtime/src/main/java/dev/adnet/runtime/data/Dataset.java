package dev.adnet.runtime.data;

import java.util.Arrays;

/**
 * Labelled single-channel images held as unsigned bytes and normalised when batches are built:
 * {@code (x / 255 - MEAN) / STD} with the Fashion-MNIST training mean and standard deviation. Samples are shaped
 * {@code [1, rows, cols]}.
 */
public final class Dataset {
    public static final double MEAN = 0.2860;
    public static final double STD = 0.3530;

    private static final float[] LUT_F = new float[256];
    private static final double[] LUT_D = new double[256];

    static {
        for (int i = 0; i < 256; i++) {
            LUT_D[i] = (i / 255.0 - MEAN) / STD;
            LUT_F[i] = (float) LUT_D[i];
        }
    }

    /**
     * The normalised value of a raw pixel, exactly as batches hold it: {@code (pixel / 255 - MEAN) / STD}. For
     * images that do not come from a dataset (such as {@code adnet predict} on a PNG).
     *
     * @param pixel an unsigned pixel value, 0..255
     */
    public static float normalise(int pixel) {
        if (pixel < 0 || pixel > 255) {
            throw new IllegalArgumentException("pixel value " + pixel + " is outside 0..255");
        }
        return LUT_F[pixel];
    }

    private final String name;
    private final byte[] pixels;
    private final int[] labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final int classes;

    /**
     * @param pixels {@code count * rows * cols} unsigned bytes (the first {@code count} images are used)
     * @param labels class indices in {@code [0, classes)}
     */
    public Dataset(String name, byte[] pixels, int[] labels, int count, int rows, int cols, int classes) {
        if (labels.length < count || (long) count * rows * cols > pixels.length) {
            throw new DataException(name + ": " + count + " samples requested but there are "
                    + pixels.length / Math.max(1, rows * cols) + " images and " + labels.length + " labels");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new DataException(name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
            }
        }
        this.name = name;
        this.pixels = pixels;
        this.labels = labels;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.classes = classes;
    }

    /** Pairs an images file with a labels file; their counts must agree. */
    public static Dataset of(String name, IdxReader.Images images, String labelsName, int[] labels, int classes) {
        if (images.count() != labels.length) {
            throw new DataException(name + ": the images file has " + images.count() + " images but " + labelsName
                    + " has " + labels.length + " labels");
        }
        return new Dataset(name, images.pixels(), labels, images.count(), images.rows(), images.cols(), classes);
    }

    /** Samples {@code [from, to)} as a dataset of their own (copies). */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > count || from > to) {
            throw new DataException(name + ": no samples [" + from + ", " + to + ") in " + count);
        }
        int image = rows * cols;
        byte[] p = java.util.Arrays.copyOfRange(pixels, from * image, to * image);
        int[] l = java.util.Arrays.copyOfRange(labels, from, to);
        return new Dataset(name + "[" + from + ":" + to + "]", p, l, to - from, rows, cols, classes);
    }

    public String name() {
        return name;
    }

    public int size() {
        return count;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int classes() {
        return classes;
    }

    /** The per-sample shape, {@code [1, rows, cols]}. */
    public long[] sampleShape() {
        return new long[] {1, rows, cols};
    }

    public int label(int i) {
        return labels[check(i)];
    }

    /** The raw pixel {@code p} of image {@code i}, 0..255. */
    public int pixel(int i, int p) {
        return pixels[check(i) * rows * cols + p] & 0xff;
    }

    /** Only the first {@code n} samples (all if {@code n} is larger). */
    public Dataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + n);
        }
        return n >= count ? this : new Dataset(name, pixels, labels, n, rows, cols, classes);
    }

    /** Writes image {@code i}, normalised, at {@code dest[off ..]}. */
    public void copyImage(int i, float[] dest, int off) {
        int n = rows * cols;
        int src = check(i) * n;
        for (int k = 0; k < n; k++) {
            dest[off + k] = LUT_F[pixels[src + k] & 0xff];
        }
    }

    /** Writes image {@code i}, normalised, at {@code dest[off ..]}. */
    public void copyImage(int i, double[] dest, int off) {
        int n = rows * cols;
        int src = check(i) * n;
        for (int k = 0; k < n; k++) {
            dest[off + k] = LUT_D[pixels[src + k] & 0xff];
        }
    }

    /** Per-class sample counts. */
    public int[] classCounts() {
        int[] c = new int[classes];
        for (int i = 0; i < count; i++) {
            c[labels[i]]++;
        }
        return c;
    }

    private int check(int i) {
        if (i < 0 || i >= count) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + count);
        }
        return i;
    }

    @Override
    public String toString() {
        return name + " (" + count + " samples, " + rows + "x" + cols + ", classes " + Arrays.toString(classCounts()) + ")";
    }
}
