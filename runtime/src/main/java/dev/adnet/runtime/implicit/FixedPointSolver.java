package dev.adnet.runtime.implicit;

import java.lang.ref.Reference;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Solves {@code z = f(z)} per sample. Each round evaluates f once on the samples still iterating, packed into the
 * first rows of one preallocated array; a sample whose relative residual {@code |f(z) - z| / (1e-5 + |f(z)|)} is
 * below the tolerance leaves with {@code f(z)} as its solution, so later rounds run f on a smaller batch. A sample
 * that reaches the cap, or whose residual is not a number, leaves unconverged with its last iterate.
 *
 * <p>Nothing of the iterations is kept for a backward pass: the gradient of a fixed point is the solution of
 * another fixed point ({@code g = g J_f(z*) + y}, the implicit function theorem), solved by this class too. The
 * solver's own memory is its per-sample history (Anderson's window, Broyden's updates) and does not grow with
 * the cap. The per-sample arithmetic is done in double whatever the array type.
 */
public final class FixedPointSolver {
    private FixedPointSolver() {}

    public static FixedPointSolution solve(BatchMap f, INDArray z0, SolverSpec spec) {
        DataType type = z0.dataType();
        if (type != DataType.FLOAT && type != DataType.DOUBLE) {
            throw new IllegalArgumentException("fixed point: only FLOAT and DOUBLE are supported, got " + type);
        }
        if (z0.rank() < 2) {
            throw new IllegalArgumentException("fixed point: the initial value must be batch-first with a per-sample"
                    + " shape, got shape " + Arrays.toString(z0.shape()));
        }
        long[] shape = z0.shape();
        int b = Math.toIntExact(shape[0]);
        int d = Math.toIntExact(z0.length() / Math.max(1, b));
        double[][] x = Rows.read(z0, b, d);
        SampleStep[] steps = new SampleStep[b];
        for (int i = 0; i < b; i++) {
            steps[i] = SampleStep.of(spec, d);
        }
        int[] iterations = new int[b];
        double[] residuals = new double[b];
        boolean[] converged = new boolean[b];
        INDArray out = Nd4j.createUninitialized(type, shape);
        INDArray packed = Nd4j.createUninitialized(type, shape);
        int[] active = new int[b];
        for (int i = 0; i < b; i++) {
            active[i] = i;
        }
        int k = b;
        boolean wholeBatch = spec.stopping() == Stopping.WHOLE_BATCH;
        while (k > 0) {
            int[] rows = Arrays.copyOf(active, k);
            INDArray z = packed.get(NDArrayIndex.interval(0, k));
            Rows.write(x, rows, z, d);
            INDArray fz = f.apply(z, rows);
            if (fz == null || !Arrays.equals(fz.shape(), z.shape())) {
                throw new IllegalArgumentException("fixed point: the body's value has shape "
                        + (fz == null ? "null" : Arrays.toString(fz.shape())) + ", its input "
                        + Arrays.toString(z.shape()) + "; a fixed-point body must keep its iterate's shape");
            }
            double[][] fx = Rows.read(fz, k, d);
            boolean allBelow = true;
            for (int j = 0; j < k; j++) {
                int i = rows[j];
                iterations[i]++;
                residuals[i] = residual(x[i], fx[j]);
                allBelow &= residuals[i] < spec.tol();
            }
            int kept = 0;
            for (int j = 0; j < k; j++) {
                int i = rows[j];
                double r = residuals[i];
                boolean below = r < spec.tol();
                boolean leaves = wholeBatch
                        ? allBelow || iterations[i] >= spec.maxIterations() || !Double.isFinite(r)
                        : below || iterations[i] >= spec.maxIterations() || !Double.isFinite(r);
                if (leaves) {
                    converged[i] = below;
                    Rows.writeRow(fx[j], out, i, d);
                    x[i] = null;
                    steps[i] = null;
                } else {
                    steps[i].next(x[i], fx[j]);
                    active[kept++] = i;
                }
            }
            k = kept;
        }
        Reference.reachabilityFence(packed);
        return new FixedPointSolution(out, iterations, residuals, converged);
    }

    static double residual(double[] x, double[] fx) {
        double diff = 0;
        double norm = 0;
        for (int i = 0; i < x.length; i++) {
            double e = fx[i] - x[i];
            diff += e * e;
            norm += fx[i] * fx[i];
        }
        return Math.sqrt(diff) / (1e-5 + Math.sqrt(norm));
    }
}
