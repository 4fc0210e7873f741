package dev.adnet.runtime.ops;

/**
 * The error function in double precision (Java has none). For {@code |x| < 2.5} the everywhere-positive series
 * {@code erf(x) = 2/sqrt(pi) * exp(-x^2) * sum 2^n x^(2n+1) / (1*3*...*(2n+1))} (no cancellation); beyond, the
 * continued fraction of {@code erfc}, evaluated bottom-up with a fixed depth; beyond 6, {@code +-1}. Relative error
 * about 1e-15 over the range.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double INV_SQRT_PI = 1 / Math.sqrt(Math.PI);

    private Erf() {}

    static double erf(double x) {
        double a = Math.abs(x);
        if (a >= 6) {
            return Math.copySign(1.0, x);
        }
        if (a < 2.5) {
            double x2 = a * a;
            double term = a;
            double sum = a;
            for (int n = 1; n < 200; n++) {
                term *= 2 * x2 / (2 * n + 1);
                sum += term;
                if (term < 1e-17 * sum) {
                    break;
                }
            }
            return Math.copySign(TWO_OVER_SQRT_PI * Math.exp(-x2) * sum, x);
        }
        return Math.copySign(1 - erfcLarge(a), x);
    }

    /** erfc(a) for a >= 2.5: exp(-a^2)/sqrt(pi) / (a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...))))). */
    private static double erfcLarge(double a) {
        double f = a;
        for (int k = 60; k >= 1; k--) {
            f = a + (k / 2.0) / f;
        }
        return INV_SQRT_PI * Math.exp(-a * a) / f;
    }
}
