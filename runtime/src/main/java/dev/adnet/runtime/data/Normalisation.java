package dev.adnet.runtime.data;

import java.util.Arrays;

/**
 * How an input's raw values become the network's: {@code (raw / divisor - mean[c]) / std[c]}, computed in double
 * precision, where the group {@code c} of element {@code k} of a sample is {@code (k / block) % mean.length}. Images
 * {@code [C, H, W]} are normalised per channel ({@code block = H * W}), vectors per feature ({@code block = 1}).
 *
 * @param divisor applied first: 255 for unsigned-byte pixels, 1 otherwise
 * @param mean per group, after the division
 * @param std per group, after the division; positive
 * @param block consecutive elements that share a group
 */
public record Normalisation(double divisor, double[] mean, double[] std, int block) {
    /** Fashion-MNIST's training mean and standard deviation of pixel / 255. */
    public static final Normalisation FASHION_MNIST = new Normalisation(255.0, new double[] {0.2860}, new double[] {0.3530}, 784);

    public Normalisation {
        mean = mean.clone();
        std = std.clone();
        if (mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("mean and std need one value per group, got " + mean.length + " and " + std.length);
        }
        for (double s : std) {
            if (!(s > 0) || !Double.isFinite(s)) {
                throw new IllegalArgumentException("a standard deviation must be positive and finite, got " + s);
            }
        }
        if (block < 1 || !(divisor > 0)) {
            throw new IllegalArgumentException("block " + block + " and divisor " + divisor + " must be positive");
        }
    }

    @Override
    public double[] mean() {
        return mean.clone();
    }

    @Override
    public double[] std() {
        return std.clone();
    }

    /** No change beyond the divisor. */
    public static Normalisation identity(double divisor) {
        return new Normalisation(divisor, new double[] {0}, new double[] {1}, Integer.MAX_VALUE);
    }

    /** Groups of an input with per-sample {@code shape}: channels of an image {@code [C, H, W]}, else the last axis's features. */
    public static int[] groupsAndBlock(long[] shape) {
        if (shape.length == 3) {
            return new int[] {(int) shape[0], (int) (shape[1] * shape[2])};
        }
        return new int[] {shape.length == 0 ? 1 : (int) shape[shape.length - 1], 1};
    }

    /**
     * The mean and standard deviation of {@code values} per group, over every sample: for an input without a
     * declared normalisation. A constant group gets standard deviation 1 (it is only centred).
     */
    public static Normalisation compute(SampleArray values) {
        int[] gb = groupsAndBlock(values.sampleShape());
        int groups = gb[0];
        int block = gb[1];
        double divisor = values.type().divisor();
        double[] sum = new double[groups];
        double[] sq = new double[groups];
        long[] n = new long[groups];
        int e = values.sampleElements();
        double[] raw = new double[e];
        // shifted sums (by the first sample's values) keep the variance accurate when the mean is large
        double[] shift = new double[groups];
        if (values.count() > 0) {
            values.read(0, raw, 0);
            for (int k = e - 1; k >= 0; k--) {
                shift[(k / block) % groups] = raw[k] / divisor;
            }
        }
        for (int s = 0; s < values.count(); s++) {
            values.read(s, raw, 0);
            for (int k = 0; k < e; k++) {
                int g = (k / block) % groups;
                double v = raw[k] / divisor - shift[g];
                sum[g] += v;
                sq[g] += v * v;
                n[g]++;
            }
        }
        double[] mean = new double[groups];
        double[] std = new double[groups];
        for (int g = 0; g < groups; g++) {
            double m = n[g] == 0 ? 0 : sum[g] / n[g];
            double var = n[g] == 0 ? 0 : Math.max(0, sq[g] / n[g] - m * m);
            mean[g] = m + shift[g];
            std[g] = var > 1e-12 ? Math.sqrt(var) : 1.0;
        }
        return new Normalisation(divisor, mean, std, block);
    }

    /** The group count must fit an input of {@code shape}; a declared normalisation is checked with it. */
    public boolean fits(long[] shape) {
        if (mean.length == 1) {
            return true;
        }
        int[] gb = groupsAndBlock(shape);
        return gb[0] == mean.length && gb[1] == block;
    }

    /** Writes {@code raw[0 .. n)}, normalised, at {@code dest[off ..]}. */
    public void apply(double[] raw, int n, float[] dest, int off) {
        if (mean.length == 1) {
            double m = mean[0];
            double s = std[0];
            for (int k = 0; k < n; k++) {
                dest[off + k] = (float) ((raw[k] / divisor - m) / s);
            }
            return;
        }
        int groups = mean.length;
        for (int k = 0; k < n; k++) {
            int g = (k / block) % groups;
            dest[off + k] = (float) ((raw[k] / divisor - mean[g]) / std[g]);
        }
    }

    /** As {@link #apply(double[], int, float[], int)} in double precision. */
    public void apply(double[] raw, int n, double[] dest, int off) {
        int groups = mean.length;
        for (int k = 0; k < n; k++) {
            int g = groups == 1 ? 0 : (k / block) % groups;
            dest[off + k] = (raw[k] / divisor - mean[g]) / std[g];
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Normalisation n && n.divisor == divisor && Arrays.equals(n.mean, mean) && Arrays.equals(n.std, std)
                && (mean.length == 1 || n.block == block);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(mean) * 31 + Arrays.hashCode(std);
    }

    @Override
    public String toString() {
        return (divisor == 1 ? "" : "x / " + (divisor == 255 ? "255" : Double.toString(divisor)) + ", ") + "mean "
                + Arrays.toString(mean) + ", std " + Arrays.toString(std);
    }
}
