package dev.adnet.runtime.implicit;

/** The fixed-point solvers of {@code fixedpoint(...) solver ...}. */
public enum Solver {
    /** Plain iteration {@code z <- f(z)}. */
    ITERATE,
    /**
     * Anderson acceleration: the next point mixes the last {@code m} values of f with the weights that minimise
     * the combined residual (summing to one).
     */
    ANDERSON,
    /**
     * Broyden's (good) method on {@code g(z) = f(z) - z} with a low-rank inverse Jacobian of the last
     * {@code m} rank-one updates, so its memory does not grow with the iteration cap.
     */
    BROYDEN
}
