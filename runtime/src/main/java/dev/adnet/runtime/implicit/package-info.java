/**
 * Implicit and continuous depth, per sample: the kernels behind {@code fixedpoint} (deep equilibrium layers) and
 * continuous-depth layers.
 *
 * <ul>
 * <li>{@link dev.adnet.runtime.implicit.FixedPointSolver}: solves {@code z = f(z)} with plain iteration, Anderson
 * acceleration or limited-memory Broyden; each sample leaves the solve at its own tolerance, and later rounds
 * evaluate f on the remaining samples only. Non-convergence is reported per sample, never thrown.
 * <li>{@link dev.adnet.runtime.implicit.ImplicitBackward}: the backward pass of a fixed point by the implicit
 * function theorem, another per-sample fixed-point solve over vector-Jacobian products at the solution.
 * <li>{@link dev.adnet.runtime.implicit.DormandPrince}: an adaptive Runge-Kutta 5(4) solver with each sample's own
 * time and step size, and its backward pass through the accepted steps.
 * </ul>
 *
 * <p>The body is a {@link dev.adnet.runtime.implicit.BatchMap} (or {@link dev.adnet.runtime.implicit.TimeMap})
 * that generated code implements: it receives the active samples packed into the first rows of one array and their
 * indices in the batch. The solvers' per-sample arithmetic runs in double on the JVM heap (a window of m vectors
 * per sample), the body on ND4J: the portable path, with no native code of its own.
 */
package dev.adnet.runtime.implicit;
