package dev.adnet.runtime.implicit;

/**
 * An ODE solve over {@code [t0, t1]} with Dormand-Prince 5(4): relative and absolute tolerances on each sample's
 * local error, and a cap on each sample's steps (accepted and rejected).
 */
public record OdeSpec(double t0, double t1, double rtol, double atol, int maxSteps) {
    public OdeSpec {
        if (!Double.isFinite(t0) || !Double.isFinite(t1) || !(t1 > t0)) {
            throw new IllegalArgumentException("the interval [t0, t1] needs finite t0 < t1, got [" + t0 + ", " + t1 + "]");
        }
        if (!(rtol > 0) || !(atol > 0) || Double.isInfinite(rtol) || Double.isInfinite(atol)) {
            throw new IllegalArgumentException("rtol and atol must be positive numbers, got " + rtol + " and " + atol);
        }
        if (maxSteps < 1) {
            throw new IllegalArgumentException("the step cap must be at least 1, got " + maxSteps);
        }
    }

    /** This solve with other tolerances; a NaN keeps this one's. */
    public OdeSpec withTolerances(double rtol, double atol) {
        if (Double.isNaN(rtol) && Double.isNaN(atol)) {
            return this;
        }
        return new OdeSpec(t0, t1, Double.isNaN(rtol) ? this.rtol : rtol, Double.isNaN(atol) ? this.atol : atol, maxSteps);
    }
}
