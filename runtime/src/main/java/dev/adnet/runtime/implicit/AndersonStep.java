package dev.adnet.runtime.implicit;

/**
 * Anderson acceleration (type II, damping 1) for one sample, as in the DEQ code: with the last {@code n <= m}
 * points {@code X_i} and their values {@code F_i}, weights {@code a} summing to one minimise
 * {@code |sum a_i (F_i - X_i)|^2 + lambda |a|^2}, and the next point is {@code sum a_i F_i}. The Gram matrix of
 * the residuals is updated one row per step (O(m d)), not rebuilt (O(m^2 d)).
 */
final class AndersonStep implements SampleStep {
    /**
     * Tikhonov regularisation relative to the largest squared residual in the window: relative, because an
     * absolute lambda (the DEQ code's 1e-4) swamps the Gram matrix once residuals are small and stalls the solve
     * well above a tight tolerance.
     */
    private static final double LAMBDA = 1e-10;

    private final int m;
    private final double[][] f;
    private final double[][] g;
    private final double[][] gram;
    private int count;

    AndersonStep(int m, int size) {
        this.m = m;
        this.f = new double[m][size];
        this.g = new double[m][size];
        this.gram = new double[m][m];
    }

    @Override
    public void next(double[] x, double[] fx) {
        int slot = count % m;
        count++;
        System.arraycopy(fx, 0, f[slot], 0, fx.length);
        double[] r = g[slot];
        for (int i = 0; i < r.length; i++) {
            r[i] = fx[i] - x[i];
        }
        int n = Math.min(count, m);
        for (int j = 0; j < n; j++) {
            double v = SampleStep.dot(r, g[j]);
            gram[slot][j] = v;
            gram[j][slot] = v;
        }
        double[] a = n == 1 ? null : weights(n);
        if (a == null) {
            System.arraycopy(fx, 0, x, 0, x.length);
            return;
        }
        java.util.Arrays.fill(x, 0);
        for (int j = 0; j < n; j++) {
            double w = a[j];
            double[] fj = f[j];
            for (int i = 0; i < x.length; i++) {
                x[i] += w * fj[i];
            }
        }
    }

    /**
     * Solves the bordered system {@code [[0, 1^T], [1, G G^T + lambda I]] [c; a] = [1; 0]} by Gaussian elimination
     * with partial pivoting; null when it is singular (the caller then takes a plain step).
     */
    private double[] weights(int n) {
        double scale = 0;
        for (int i = 0; i < n; i++) {
            scale = Math.max(scale, gram[i][i]);
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            return null;
        }
        int k = n + 1;
        double[][] a = new double[k][k + 1];
        for (int i = 0; i < n; i++) {
            a[0][i + 1] = 1;
            a[i + 1][0] = 1;
            for (int j = 0; j < n; j++) {
                a[i + 1][j + 1] = gram[i][j] / scale + (i == j ? LAMBDA : 0);
            }
        }
        a[0][k] = 1;
        for (int col = 0; col < k; col++) {
            int pivot = col;
            for (int row = col + 1; row < k; row++) {
                if (Math.abs(a[row][col]) > Math.abs(a[pivot][col])) {
                    pivot = row;
                }
            }
            if (!(Math.abs(a[pivot][col]) > 1e-300)) {
                return null;
            }
            double[] t = a[pivot];
            a[pivot] = a[col];
            a[col] = t;
            for (int row = 0; row < k; row++) {
                if (row != col && a[row][col] != 0) {
                    double q = a[row][col] / a[col][col];
                    for (int j = col; j <= k; j++) {
                        a[row][j] -= q * a[col][j];
                    }
                }
            }
        }
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = a[i + 1][k] / a[i + 1][i + 1];
            if (!Double.isFinite(w[i])) {
                return null;
            }
        }
        return w;
    }
}
