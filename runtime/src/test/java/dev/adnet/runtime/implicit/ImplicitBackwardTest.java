package dev.adnet.runtime.implicit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/** A deep equilibrium layer z* = tanh(W z* + U x) differentiated implicitly, against finite differences of z*. */
class ImplicitBackwardTest {
    private static final int B = 3;
    private static final int D = 4;
    private static final int X = 2;

    private static INDArray random(SplittableRandom r, double scale, int rows, int cols) {
        INDArray a = Nd4j.create(DataType.DOUBLE, rows, cols);
        for (int i = 0; i < rows * cols; i++) {
            a.putScalar(i, scale * r.nextDouble(-1, 1));
        }
        return a;
    }

    private static INDArray rowsOf(INDArray a, int[] rows) {
        INDArray r = Nd4j.create(a.dataType(), rows.length, a.size(1));
        for (int j = 0; j < rows.length; j++) {
            r.putRow(j, a.getRow(rows[j]));
        }
        return r;
    }

    private static BatchMap body(INDArray w, INDArray u, INDArray x) {
        return (z, rows) -> Transforms.tanh(z.mmul(w.transpose()).addi(rowsOf(x, rows).mmul(u.transpose())), true);
    }

    private static INDArray solve(INDArray w, INDArray u, INDArray x, SolverSpec spec) {
        FixedPointSolution s = FixedPointSolver.solve(body(w, u, x), Nd4j.zeros(DataType.DOUBLE, B, D), spec);
        assertThat(s.unconverged()).isZero();
        return s.z();
    }

    @ParameterizedTest
    @EnumSource(Solver.class)
    void theImplicitGradientMatchesFiniteDifferencesOfTheConvergedSolution(Solver solver) {
        SplittableRandom r = new SplittableRandom(11);
        INDArray w = random(r, 0.35, D, D);
        INDArray u = random(r, 1.0, D, X);
        INDArray x = random(r, 1.0, B, X);
        INDArray weights = random(r, 1.0, B, D);
        SolverSpec spec = new SolverSpec(solver, solver == Solver.ITERATE ? 1 : 5, 1e-14, 2000, Stopping.PER_SAMPLE);

        INDArray z = solve(w, u, x, spec);
        INDArray slope = Transforms.tanh(z.mmul(w.transpose()).addi(x.mmul(u.transpose())), true);
        INDArray dPreOf = slope.mul(slope).rsubi(1);
        BatchMap vjp = (g, rows) -> g.mul(rowsOf(dPreOf, rows)).mmul(w);
        FixedPointSolution back = ImplicitBackward.solve(vjp, weights, spec);
        assertThat(back.unconverged()).isZero();
        INDArray dPre = back.z().mul(dPreOf);
        INDArray gradX = dPre.mmul(u);
        INDArray gradU = dPre.transpose().mmul(x);
        INDArray gradW = dPre.transpose().mmul(z);

        double eps = 1e-6;
        check("dL/dx", gradX, x, v -> loss(w, u, v, weights, spec), eps);
        check("dL/dU", gradU, u, v -> loss(w, v, x, weights, spec), eps);
        check("dL/dW", gradW, w, v -> loss(v, u, x, weights, spec), eps);
    }

    private static double loss(INDArray w, INDArray u, INDArray x, INDArray weights, SolverSpec spec) {
        return solve(w, u, x, spec).mul(weights).sumNumber().doubleValue();
    }

    private static void check(String what, INDArray grad, INDArray at, java.util.function.ToDoubleFunction<INDArray> loss,
            double eps) {
        for (int i = 0; i < at.length(); i++) {
            INDArray plus = at.dup();
            plus.putScalar(i, plus.getDouble(i) + eps);
            INDArray minus = at.dup();
            minus.putScalar(i, minus.getDouble(i) - eps);
            double fd = (loss.applyAsDouble(plus) - loss.applyAsDouble(minus)) / (2 * eps);
            assertThat(grad.getDouble(i)).as("%s[%d]", what, i).isCloseTo(fd, Offset.offset(1e-7 * Math.max(1, Math.abs(fd))));
        }
    }
}
