package dev.adnet.runtime.implicit;

/**
 * How to solve {@code z = f(z)}: the method, its memory (Anderson's window, Broyden's number of rank-one
 * updates), the tolerance on each sample's relative residual {@code |f(z) - z| / (1e-5 + |f(z)|)}, the cap on
 * evaluations of f per sample, and when samples stop.
 */
public record SolverSpec(Solver solver, int memory, double tol, int maxIterations, Stopping stopping) {
    /** Broyden's default number of rank-one updates kept: the solver's memory is then bounded whatever the cap. */
    public static final int BROYDEN_MEMORY = 8;
    /** Anderson's default window (Walker and Ni's choice, and the DEQ code's). */
    public static final int ANDERSON_MEMORY = 5;

    public SolverSpec {
        if (solver == null || stopping == null) {
            throw new IllegalArgumentException("solver and stopping must be given");
        }
        if (memory < 1) {
            throw new IllegalArgumentException("solver memory must be at least 1, got " + memory);
        }
        if (!(tol > 0) || Double.isInfinite(tol)) {
            throw new IllegalArgumentException("tolerance must be a positive number, got " + tol);
        }
        if (maxIterations < 1) {
            throw new IllegalArgumentException("the iteration cap must be at least 1, got " + maxIterations);
        }
    }

    public static SolverSpec iterate(double tol, int max) {
        return new SolverSpec(Solver.ITERATE, 1, tol, max, Stopping.PER_SAMPLE);
    }

    public static SolverSpec anderson(int m, double tol, int max) {
        return new SolverSpec(Solver.ANDERSON, m, tol, max, Stopping.PER_SAMPLE);
    }

    public static SolverSpec broyden(double tol, int max) {
        return new SolverSpec(Solver.BROYDEN, BROYDEN_MEMORY, tol, max, Stopping.PER_SAMPLE);
    }

    public SolverSpec withStopping(Stopping s) {
        return new SolverSpec(solver, memory, tol, maxIterations, s);
    }

    public SolverSpec withTolerance(double t, int max) {
        return new SolverSpec(solver, memory, t, max, stopping);
    }
}
