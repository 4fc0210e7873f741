package dev.adnet.runtime.ops;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inverted dropout: each element is kept with probability {@code 1 - rate} and scaled by {@code 1/(1 - rate)}.
 * The mask (same shape as x) receives 0 or {@code 1/(1 - rate)}; it is a pure function of {@code seed} and the
 * element index (a {@link SplittableRandom} stream in c order), so identical on every run and machine.
 */
public final class Dropout {
    private Dropout() {}

    public static void forward(INDArray x, double rate, long seed, INDArray out, INDArray mask) {
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), got " + rate);
        }
        Check.sameShape("out", x, out);
        Check.sameShape("mask", x, mask);
        double keep = 1 / (1 - rate);
        SplittableRandom rnd = new SplittableRandom(seed);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out); Direct md = Direct.out(mask)) {
            for (int i = 0; i < xd.length; i++) {
                double m = rnd.nextDouble() < rate ? 0.0 : keep;
                md.set(i, m);
                od.set(i, xd.get(i) * m);
            }
        }
    }

    public static void backward(INDArray gradOut, INDArray mask, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Elementwise.mul(gradOut, mask, gradIn);
    }
}
