package dev.adnet.runtime.ops;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Seeded initialisers that fill a dense array in place, in c order.
 *
 * <p>Deterministic across runs, machines and JDKs: {@link SplittableRandom}'s algorithm is specified, and normal
 * variates come from Box-Muller over {@link StrictMath} (not {@code nextGaussian}, whose algorithm is not pinned
 * down). Values are generated in double and rounded to the array's type, so a FLOAT and a DOUBLE array filled
 * with the same seed agree to float precision.
 */
public final class Init {
    private Init() {}

    /**
     * SplitMix64 of {@code seed} and {@code index}: independent, reproducible seeds for each parameter and each
     * dropout mask of a generated network from the one seed it is given.
     */
    public static long seedFor(long seed, long index) {
        long z = seed + (index + 1) * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Kaiming/He normal for ReLU networks: {@code N(0, 2 / fanIn)}. */
    public static void heNormal(INDArray w, long fanIn, long seed) {
        normal(w, 0, Math.sqrt(2.0 / fanIn), seed);
    }

    /** Kaiming/He uniform: {@code U(-b, b)} with {@code b = sqrt(6 / fanIn)}. */
    public static void heUniform(INDArray w, long fanIn, long seed) {
        double b = Math.sqrt(6.0 / fanIn);
        uniform(w, -b, b, seed);
    }

    /** Glorot/Xavier uniform: {@code U(-b, b)} with {@code b = sqrt(6 / (fanIn + fanOut))}. */
    public static void xavierUniform(INDArray w, long fanIn, long fanOut, long seed) {
        double b = Math.sqrt(6.0 / (fanIn + fanOut));
        uniform(w, -b, b, seed);
    }

    /** {@code U(lo, hi)}. */
    public static void uniform(INDArray w, double lo, double hi, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Direct d = Direct.out(w)) {
            for (int i = 0; i < d.length; i++) {
                d.set(i, lo + (hi - lo) * rnd.nextDouble());
            }
        }
    }

    public static void constant(INDArray w, double v) {
        try (Direct d = Direct.out(w)) {
            for (int i = 0; i < d.length; i++) {
                d.set(i, v);
            }
        }
    }

    /** {@code N(mean, std^2)}. */
    public static void normal(INDArray w, double mean, double std, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Direct d = Direct.out(w)) {
            for (int i = 0; i < d.length; i += 2) {
                double u1 = 1.0 - rnd.nextDouble(); // in (0, 1]: log is finite
                double u2 = rnd.nextDouble();
                double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
                double a = 2 * Math.PI * u2;
                d.set(i, mean + std * r * StrictMath.cos(a));
                if (i + 1 < d.length) {
                    d.set(i + 1, mean + std * r * StrictMath.sin(a));
                }
            }
        }
    }
}
