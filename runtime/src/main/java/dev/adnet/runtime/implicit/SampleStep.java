package dev.adnet.runtime.implicit;

/**
 * One sample's solver state. Given the point {@code x} the sample was last evaluated at and {@code fx = f(x)},
 * {@link #next} overwrites {@code x} with the next point to evaluate. Each sample has its own, so samples that
 * converge can leave the batch without disturbing the others' histories.
 */
interface SampleStep {
    void next(double[] x, double[] fx);

    static SampleStep of(SolverSpec spec, int size) {
        return switch (spec.solver()) {
            case ITERATE -> (x, fx) -> System.arraycopy(fx, 0, x, 0, x.length);
            case ANDERSON -> new AndersonStep(spec.memory(), size);
            case BROYDEN -> new BroydenStep(spec.memory(), size);
        };
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
