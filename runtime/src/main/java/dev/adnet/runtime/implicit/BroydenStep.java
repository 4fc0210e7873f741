package dev.adnet.runtime.implicit;

/**
 * Broyden's good method on {@code g(z) = f(z) - z} for one sample, as in the DEQ code: the inverse Jacobian of g
 * is approximated by {@code -I + sum u_i v_i^T}, and the step is {@code -J^-1 g(z)}. Only the last {@code m}
 * rank-one updates are kept (oldest replaced first): the published solver keeps one per iteration, so its memory
 * grows with the cap.
 */
final class BroydenStep implements SampleStep {
    private final int m;
    private final double[][] u;
    private final double[][] v;
    private final double[] prevX;
    private final double[] prevG;
    private final double[] dx;
    private final double[] dg;
    private int stored;
    private int next;
    private boolean started;

    BroydenStep(int m, int size) {
        this.m = m;
        this.u = new double[m][size];
        this.v = new double[m][size];
        this.prevX = new double[size];
        this.prevG = new double[size];
        this.dx = new double[size];
        this.dg = new double[size];
    }

    @Override
    public void next(double[] x, double[] fx) {
        int d = x.length;
        double[] gx = new double[d];
        for (int i = 0; i < d; i++) {
            gx[i] = fx[i] - x[i];
        }
        if (started) {
            for (int i = 0; i < d; i++) {
                dx[i] = x[i] - prevX[i];
                dg[i] = gx[i] - prevG[i];
            }
            update();
        }
        System.arraycopy(x, 0, prevX, 0, d);
        System.arraycopy(gx, 0, prevG, 0, d);
        started = true;
        // x + (-J^-1 g) = x + g - sum u_i (v_i . g)
        for (int i = 0; i < d; i++) {
            x[i] += gx[i];
        }
        for (int j = 0; j < stored; j++) {
            double c = SampleStep.dot(v[j], gx);
            double[] uj = u[j];
            for (int i = 0; i < d; i++) {
                x[i] -= c * uj[i];
            }
        }
    }

    /** Adds the rank-one update that makes the inverse Jacobian map dg to dx (the secant condition). */
    private void update() {
        int d = dx.length;
        double[] vt = new double[d];
        double[] jdg = new double[d];
        for (int i = 0; i < d; i++) {
            vt[i] = -dx[i];
            jdg[i] = -dg[i];
        }
        for (int j = 0; j < stored; j++) {
            double a = SampleStep.dot(dx, u[j]);
            double b = SampleStep.dot(v[j], dg);
            for (int i = 0; i < d; i++) {
                vt[i] += a * v[j][i];
                jdg[i] += b * u[j][i];
            }
        }
        double denom = SampleStep.dot(vt, dg);
        if (!(Math.abs(denom) > 1e-300) || !Double.isFinite(denom)) {
            return;
        }
        int slot = next;
        next = (next + 1) % m;
        stored = Math.min(stored + 1, m);
        for (int i = 0; i < d; i++) {
            u[slot][i] = (dx[i] - jdg[i]) / denom;
            v[slot][i] = vt[i];
        }
    }
}
