package dev.adnet.runtime.implicit;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The backward pass of a fixed point {@code z* = f(z*, x)} by the implicit function theorem: with {@code y = dL/dz*},
 * the gradient flowing into f's inputs and parameters is {@code g* (df/dx, df/dtheta)} where {@code g*} solves
 * {@code g = g J_f(z*) + y}. That is another fixed point, solved per sample by {@link FixedPointSolver} with only
 * vector-Jacobian products of f at {@code z*}; nothing of the forward iterations is needed.
 */
public final class ImplicitBackward {
    private ImplicitBackward() {}

    /**
     * @param vjpAtFixedPoint {@code (g, rows) -> g J_f(z*)} for those rows, where J_f is the Jacobian of f with
     *     respect to z at the forward solution (the caller holds z* and x)
     * @param gradOut {@code dL/dz*}, batch-first
     * @return {@code g*} per sample, with its iterations and residuals (a sample that does not converge keeps its
     *     last iterate and is reported, as in the forward solve)
     */
    public static FixedPointSolution solve(BatchMap vjpAtFixedPoint, INDArray gradOut, SolverSpec spec) {
        int b = Math.toIntExact(gradOut.size(0));
        int d = Math.toIntExact(gradOut.length() / Math.max(1, b));
        double[][] y = Rows.read(gradOut, b, d);
        BatchMap h = (g, rows) -> {
            INDArray yRows = Nd4j.createUninitialized(g.dataType(), g.shape());
            Rows.write(y, rows, yRows, d);
            return vjpAtFixedPoint.apply(g, rows).add(yRows);
        };
        return FixedPointSolver.solve(h, gradOut, spec);
    }
}
