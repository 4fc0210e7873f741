package dev.adnet.compiler.ir;

import java.math.BigInteger;
import java.util.Locale;

/**
 * Exact arithmetic for element counts, parameter counts and FLOPs, and the limits of what the runtime can hold.
 *
 * <p>Every count the compiler computes goes through {@link Math#multiplyExact} or {@link Math#addExact}: a count
 * that does not fit a {@code long} throws instead of wrapping to a wrong (often negative) number. The checker
 * reports what a network can overflow as positioned errors first (a tensor in {@code check/Lowering}, the FLOPs in
 * {@code check/FlopsLimit}), so the cost model and the emitter, which run on checked graphs only, never throw.
 */
public final class Counts {
    /**
     * The most elements one tensor may have: per sample for an activation, in total for a parameter. This is the
     * compiler's one definition of the limit, and the limit is the runtime's ({@code TensorLimit.MAX_ELEMENTS}, the
     * same number, which a test pins): its Java kernels ({@code ops/FloatKernels}, {@code BnKernels},
     * {@code ChannelsLastKernels}, {@code Direct}, {@code train/Flat}) index the direct buffer of a whole array with
     * an {@code int} (a {@link java.nio.FloatBuffer} has an {@code int} capacity), so a parameter tensor, and a batch
     * of any activation (batch times its per-sample count), must stay within {@link Integer#MAX_VALUE}. The batch is
     * only known at run time: {@code TensorLimit} checks it where batch-sized arrays are made, and names the largest
     * batch that fits.
     */
    public static final long MAX_ELEMENTS = Integer.MAX_VALUE;

    private Counts() {}

    /** The product of {@code factors}; throws {@link ArithmeticException} when it does not fit a long. */
    public static long product(long... factors) {
        long p = 1;
        for (long f : factors) {
            p = Math.multiplyExact(p, f);
        }
        return p;
    }

    /**
     * Whether a tensor of this shape has at most {@link #MAX_ELEMENTS} elements; never overflows, whatever the
     * dimensions (they are positive).
     */
    public static boolean fits(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d > MAX_ELEMENTS || n * d > MAX_ELEMENTS) { // n <= MAX_ELEMENTS and d <= MAX_ELEMENTS: n * d < 2^62
                return false;
            }
            n *= d;
        }
        return true;
    }

    /** The exact element count of {@code shape}, grouped, for a message: computed in arbitrary precision. */
    public static String elementsText(long[] shape) {
        BigInteger n = BigInteger.ONE;
        for (long d : shape) {
            n = n.multiply(BigInteger.valueOf(d));
        }
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** {@code 2,147,483,647}: counts in messages are grouped like the cost table. */
    public static String text(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }
}
