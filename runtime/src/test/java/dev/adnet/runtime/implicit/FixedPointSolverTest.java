package dev.adnet.runtime.implicit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class FixedPointSolverTest {
    private static final int B = 7;
    private static final int D = 6;

    /** f(z) = A z + b_row with |A|_2 <= |A|_F = 0.8: a contraction whose fixed point solves (I - A) z = b. */
    private static final class Affine implements BatchMap {
        final double[][] a = new double[D][D];
        final double[][] b = new double[B][D];
        final INDArray at;
        final INDArray bias;
        final List<int[]> calls = new ArrayList<>();

        Affine(long seed, double contraction) {
            SplittableRandom r = new SplittableRandom(seed);
            double norm = 0;
            for (double[] row : a) {
                for (int j = 0; j < D; j++) {
                    row[j] = r.nextDouble(-1, 1);
                    norm += row[j] * row[j];
                }
            }
            for (double[] row : a) {
                for (int j = 0; j < D; j++) {
                    row[j] *= contraction / Math.sqrt(norm);
                }
            }
            for (int i = 0; i < B; i++) {
                double scale = i == 0 ? 0 : Math.pow(10, i - 3);
                for (int j = 0; j < D; j++) {
                    b[i][j] = scale * r.nextDouble(-1, 1);
                }
            }
            at = Nd4j.createFromArray(a).transpose().dup('c');
            bias = Nd4j.createFromArray(b);
        }

        @Override
        public INDArray apply(INDArray z, int[] rows) {
            calls.add(rows.clone());
            INDArray rowsBias = Nd4j.create(DataType.DOUBLE, rows.length, D);
            for (int j = 0; j < rows.length; j++) {
                rowsBias.putRow(j, bias.getRow(rows[j]));
            }
            return z.castTo(DataType.DOUBLE).mmul(at).addi(rowsBias).castTo(z.dataType());
        }

        double[] exact(int i) {
            double[][] m = new double[D][D + 1];
            for (int r = 0; r < D; r++) {
                for (int c = 0; c < D; c++) {
                    m[r][c] = (r == c ? 1 : 0) - a[r][c];
                }
                m[r][D] = b[i][r];
            }
            for (int c = 0; c < D; c++) {
                int p = c;
                for (int r = c + 1; r < D; r++) {
                    p = Math.abs(m[r][c]) > Math.abs(m[p][c]) ? r : p;
                }
                double[] t = m[p];
                m[p] = m[c];
                m[c] = t;
                for (int r = 0; r < D; r++) {
                    if (r != c) {
                        double q = m[r][c] / m[c][c];
                        for (int k = c; k <= D; k++) {
                            m[r][k] -= q * m[c][k];
                        }
                    }
                }
            }
            double[] z = new double[D];
            for (int r = 0; r < D; r++) {
                z[r] = m[r][D] / m[r][r];
            }
            return z;
        }
    }

    private static SolverSpec spec(Solver s, double tol, int max) {
        return switch (s) {
            case ITERATE -> SolverSpec.iterate(tol, max);
            case ANDERSON -> SolverSpec.anderson(5, tol, max);
            case BROYDEN -> SolverSpec.broyden(tol, max);
        };
    }

    @ParameterizedTest
    @EnumSource(Solver.class)
    void everySolverReachesTheExactFixedPointOfAContraction(Solver s) {
        Affine f = new Affine(1, 0.8);
        FixedPointSolution sol = FixedPointSolver.solve(f, Nd4j.zeros(DataType.DOUBLE, B, D), spec(s, 1e-11, 500));
        assertThat(sol.unconverged()).isZero();
        for (int i = 0; i < B; i++) {
            double[] expected = f.exact(i);
            double scale = Math.max(1e-3, norm(expected));
            for (int j = 0; j < D; j++) {
                assertThat(Math.abs(sol.z().getDouble(i, j) - expected[j]) / scale)
                        .as("%s sample %d element %d", s, i, j).isLessThan(1e-9);
            }
            assertThat(sol.residuals()[i]).isLessThan(1e-11);
        }
    }

    @Test
    void andersonAndBroydenNeedFewerEvaluationsThanPlainIteration() {
        int[] plain = FixedPointSolver.solve(new Affine(2, 0.8), Nd4j.zeros(DataType.DOUBLE, B, D),
                SolverSpec.iterate(1e-10, 1000)).iterations();
        for (Solver s : new Solver[] {Solver.ANDERSON, Solver.BROYDEN}) {
            int[] fast = FixedPointSolver.solve(new Affine(2, 0.8), Nd4j.zeros(DataType.DOUBLE, B, D),
                    spec(s, 1e-10, 1000)).iterations();
            for (int i = 1; i < B; i++) {
                assertThat(fast[i]).as("%s sample %d (plain iteration: %d)", s, i, plain[i]).isLessThan(plain[i]);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Solver.class)
    void aConvergedSampleLeavesTheBatch(Solver s) {
        Affine f = new Affine(3, 0.8);
        FixedPointSolution sol = FixedPointSolver.solve(f, Nd4j.zeros(DataType.DOUBLE, B, D), spec(s, 1e-9, 500));
        // sample 0 has b = 0: f(0) = 0 is its fixed point at the first evaluation
        assertThat(sol.iterations()[0]).isEqualTo(1);
        int[] seen = new int[B];
        for (int[] rows : f.calls) {
            for (int i = 1; i < rows.length; i++) {
                assertThat(rows[i]).isGreaterThan(rows[i - 1]);
            }
            for (int r : rows) {
                seen[r]++;
            }
        }
        assertThat(seen).containsExactly(sol.iterations());
        assertThat(f.calls.get(f.calls.size() - 1).length).isLessThan(B);
        assertThat(sol.evaluations()).isLessThan((long) B * f.calls.size());
    }

    @Test
    void wholeBatchStoppingRunsEverySampleToTheSlowest() {
        FixedPointSolution perSample = FixedPointSolver.solve(new Affine(4, 0.8), Nd4j.zeros(DataType.DOUBLE, B, D),
                SolverSpec.iterate(1e-9, 1000));
        FixedPointSolution whole = FixedPointSolver.solve(new Affine(4, 0.8), Nd4j.zeros(DataType.DOUBLE, B, D),
                SolverSpec.iterate(1e-9, 1000).withStopping(Stopping.WHOLE_BATCH));
        int slowest = perSample.maxIterations();
        assertThat(whole.iterations()).containsOnly(slowest);
        assertThat(whole.evaluations()).isGreaterThan(perSample.evaluations());
        assertThat(whole.unconverged()).isZero();
        for (int i = 0; i < B; i++) {
            for (int j = 0; j < D; j++) {
                assertThat(whole.z().getDouble(i, j)).isCloseTo(perSample.z().getDouble(i, j),
                        org.assertj.core.data.Offset.offset(1e-8 * Math.max(1, Math.abs(perSample.z().getDouble(i, j)))));
            }
        }
    }

    @Test
    void aDivergingSampleIsReportedNotThrown() {
        BatchMap expanding = (z, rows) -> z.mul(1.5).addi(1);
        FixedPointSolution sol = FixedPointSolver.solve(expanding, Nd4j.zeros(DataType.DOUBLE, 3, 2),
                SolverSpec.iterate(1e-6, 30));
        assertThat(sol.unconverged()).isEqualTo(3);
        assertThat(sol.iterations()).containsOnly(30);
        assertThat(sol.worstResidual()).isGreaterThan(0.1).isFinite();
        // the last iterate is kept: f applied 30 times to 0 is 2 (1.5^30 - 1)
        assertThat(sol.z().getDouble(0, 0)).isCloseTo(2 * (Math.pow(1.5, 30) - 1), org.assertj.core.data.Percentage.withPercentage(1e-9));
    }

    @Test
    void aSampleThatBecomesNaNStopsUnconvergedAndTheOthersGoOn() {
        BatchMap f = (z, rows) -> {
            INDArray v = z.mul(0.5).addi(1);
            for (int j = 0; j < rows.length; j++) {
                if (rows[j] == 1) {
                    v.putScalar(new long[] {j, 0}, Double.NaN);
                }
            }
            return v;
        };
        FixedPointSolution sol = FixedPointSolver.solve(f, Nd4j.zeros(DataType.DOUBLE, 3, 2),
                SolverSpec.anderson(3, 1e-10, 100));
        assertThat(sol.converged()).containsExactly(true, false, true);
        assertThat(sol.iterations()[1]).isEqualTo(1);
        assertThat(sol.residuals()[1]).isNaN();
        assertThat(sol.worstResidual()).isNaN();
        assertThat(sol.z().getDouble(0, 0)).isCloseTo(2, org.assertj.core.data.Offset.offset(1e-9));
    }

    @ParameterizedTest
    @EnumSource(Solver.class)
    void imagesInFloatConvergeToTheSameFixedPointWithEverySolver(Solver s) {
        INDArray c = Nd4j.rand(DataType.FLOAT, 5, 2, 3, 3).subi(0.5);
        BatchMap f = (z, rows) -> {
            INDArray cr = Nd4j.create(DataType.FLOAT, rows.length, 2, 3, 3);
            for (int j = 0; j < rows.length; j++) {
                cr.get(org.nd4j.linalg.indexing.NDArrayIndex.point(j)).assign(c.get(org.nd4j.linalg.indexing.NDArrayIndex.point(rows[j])));
            }
            return Transforms.tanh(z, true).muli(0.5).addi(cr);
        };
        FixedPointSolution sol = FixedPointSolver.solve(f, Nd4j.zeros(DataType.FLOAT, 5, 2, 3, 3), spec(s, 1e-5, 200));
        assertThat(sol.unconverged()).isZero();
        assertThat(sol.z().shape()).containsExactly(5, 2, 3, 3);
        INDArray again = f.apply(sol.z(), new int[] {0, 1, 2, 3, 4});
        assertThat(again.sub(sol.z()).norm2Number().doubleValue() / sol.z().norm2Number().doubleValue()).isLessThan(1e-4);
    }

    @Test
    void aBodyThatChangesTheShapeIsAClearError() {
        BatchMap f = (z, rows) -> Nd4j.zeros(z.dataType(), rows.length, 3);
        assertThatThrownBy(() -> FixedPointSolver.solve(f, Nd4j.zeros(DataType.FLOAT, 2, 4), SolverSpec.iterate(1e-3, 5)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("[2, 3]")
                .hasMessageContaining("keep its iterate's shape");
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThatThrownBy(() -> SolverSpec.iterate(0, 5)).hasMessageContaining("tolerance");
        assertThatThrownBy(() -> SolverSpec.iterate(Double.NaN, 5)).hasMessageContaining("tolerance");
        assertThatThrownBy(() -> SolverSpec.anderson(0, 1e-3, 5)).hasMessageContaining("memory");
        assertThatThrownBy(() -> SolverSpec.broyden(1e-3, 0)).hasMessageContaining("cap");
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x * x;
        }
        return Math.sqrt(s);
    }
}
