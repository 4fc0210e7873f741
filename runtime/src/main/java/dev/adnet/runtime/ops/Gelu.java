package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * GELU in its exact form {@code x * Phi(x)}, {@code Phi(x) = (1 + erf(x / sqrt 2)) / 2} (PyTorch's default, not the
 * tanh approximation). The error function is {@link Erf#erf}, accurate to about 1e-15, so that the VJP (which
 * uses the exact Gaussian density) agrees with finite differences in double precision.
 */
public final class Gelu {
    private static final double INV_SQRT2 = 1 / Math.sqrt(2);
    private static final double INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

    private Gelu() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int i = 0; i < xd.length; i++) {
                double v = xd.get(i);
                od.set(i, v * 0.5 * (1 + Erf.erf(v * INV_SQRT2)));
            }
        }
    }

    /** Uses {@code x} only ({@code out} may be null): {@code dy * (Phi(x) + x * phi(x))}. */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        Check.sameShape("gradOut", x, gradOut);
        Check.sameShape("gradIn", x, gradIn);
        try (Direct xd = Direct.in(x); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int i = 0; i < xd.length; i++) {
                double v = xd.get(i);
                double cdf = 0.5 * (1 + Erf.erf(v * INV_SQRT2));
                double pdf = INV_SQRT_2PI * Math.exp(-0.5 * v * v);
                gi.set(i, g.get(i) * (cdf + v * pdf));
            }
        }
    }
}
