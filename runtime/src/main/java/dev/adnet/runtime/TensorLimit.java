package dev.adnet.runtime;

import java.math.BigInteger;
import java.util.Arrays;
import java.util.Locale;

/**
 * The most elements one array may have at run time. The Java kernels ({@code ops/FloatKernels}, {@code BnKernels},
 * {@code ChannelsLastKernels}, {@code Direct}, {@code train/Flat}) index an array's direct buffer with an {@code int}
 * (a {@link java.nio.FloatBuffer} has an {@code int} capacity), so a larger array would be read at wrapped offsets or
 * fail somewhere inside a kernel.
 *
 * <p>The compiler rejects a per-sample shape or a parameter beyond this limit (its {@code ir/Counts.MAX_ELEMENTS},
 * the same number). Only the batch size, known at run time, can still make an array too large: {@link #checkBatch}
 * says so where batch-sized arrays enter (the inputs, {@link TensorSpec#batchShape}) and are made (the activations,
 * {@code ops/Arena}), with the largest batch that fits.
 */
public final class TensorLimit {
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    private TensorLimit() {}

    /**
     * Throws {@link IllegalArgumentException} when {@code batch} samples of {@code perSample} elements each are more
     * than {@link #MAX_ELEMENTS}, naming {@code what} and the largest batch that fits.
     */
    public static void checkBatch(String what, long batch, long... perSample) {
        long per = 1;
        for (long d : perSample) {
            per = d > 0 && per > MAX_ELEMENTS / d ? MAX_ELEMENTS + 1 : per * d; // saturates: per stays <= 2^31
        }
        if (per == 0 || batch <= MAX_ELEMENTS / per) {
            return;
        }
        BigInteger total = BigInteger.valueOf(batch);
        for (long d : perSample) {
            total = total.multiply(BigInteger.valueOf(d));
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s: a batch of %d samples of %s is %,d elements, "
                + "more than the %,d one array can hold (the kernels index it with an int); the largest batch that fits "
                + "is %d", what, batch, Arrays.toString(perSample), total, MAX_ELEMENTS, MAX_ELEMENTS / per));
    }
}
