package dev.adnet.runtime.ops;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Public access to {@link GradientCheck} and {@link Testing#random} for the tests of other runtime packages
 * (dev.adnet.runtime.adaptive), which keeps one finite-difference checker for the whole runtime.
 */
public final class PublicGradientCheck {
    public static final double TOLERANCE = GradientCheck.TOLERANCE;

    private PublicGradientCheck() {}

    /** See {@link GradientCheck#check}. */
    public static double check(String name, INDArray[] inputs, Supplier<INDArray[]> forward,
            Function<INDArray[], INDArray[]> backward, long seed) {
        return GradientCheck.check(name, inputs, forward, backward, seed);
    }

    /** See {@link GradientCheck#checkScalar}. */
    public static double checkScalar(String name, INDArray[] inputs, DoubleSupplier f,
            Supplier<INDArray[]> gradients) {
        return GradientCheck.checkScalar(name, inputs, f, gradients);
    }

    /** Standard normal entries, c order. */
    public static INDArray random(SplittableRandom rnd, DataType t, long... shape) {
        return Testing.random(rnd, t, shape);
    }
}
