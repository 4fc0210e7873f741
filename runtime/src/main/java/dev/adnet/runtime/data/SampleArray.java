package dev.adnet.runtime.data;

/**
 * One array of a dataset, read sample by sample: {@link #count()} samples of {@link #sampleShape()} each, as raw
 * numbers (normalisation is the loader's job). Implementations hold the values in memory, map them from a file or
 * decode them on each read; {@link #read} may be called from several threads at once.
 */
public interface SampleArray {
    int count();

    /** The shape of one sample ({@code []} for one number per sample). */
    long[] sampleShape();

    ElementType type();

    /** Writes the raw values of {@code sample}, in C order, at {@code dest[off ..]}. */
    void read(int sample, double[] dest, int off);

    /** Whether a read is expensive (decoding a file, parsing text): the loader then builds batches on background threads. */
    default boolean decodes() {
        return false;
    }

    /** Elements per sample. */
    default int sampleElements() {
        long n = 1;
        for (long d : sampleShape()) {
            n *= d;
        }
        return (int) n;
    }

    /** The value of a one-element sample (a label or a scalar target). */
    default double scalar(int sample) {
        double[] v = new double[sampleElements()];
        read(sample, v, 0);
        return v[0];
    }
}
