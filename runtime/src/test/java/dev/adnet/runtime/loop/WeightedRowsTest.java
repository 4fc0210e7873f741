package dev.adnet.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class WeightedRowsTest {
    enum Type {
        FLOAT(DataType.FLOAT, 1e-6), DOUBLE(DataType.DOUBLE, 1e-14);

        final DataType t;
        final double tol;

        Type(DataType t, double tol) {
            this.t = t;
            this.tol = tol;
        }
    }

    private static final int[] ROWS = {0, 2, 3};
    private static final double[] P = {0.25, -1.5, 0.75};

    @ParameterizedTest
    @EnumSource(Type.class)
    void theRowKernelsAgreeWithPlainIndexing(Type type) {
        Nd4j.getRandom().setSeed(3);
        INDArray out = Nd4j.rand(type.t, 5, 2, 3);
        INDArray before = out.dup();
        INDArray values = Nd4j.rand(type.t, ROWS.length, 2, 3);
        WeightedRows.accumulate(out, values, ROWS, P);
        INDArray scaled = WeightedRows.scaled(before, ROWS, P, values);
        double[] dots = WeightedRows.dots(before, ROWS, values);
        for (int i = 0; i < 5; i++) {
            int j = java.util.Arrays.binarySearch(ROWS, i);
            INDArray expected = j >= 0 ? before.get(point(i)).add(values.get(point(j)).mul(P[j])) : before.get(point(i));
            assertClose(out.get(point(i)), expected, type.tol);
        }
        for (int j = 0; j < ROWS.length; j++) {
            assertClose(scaled.get(point(j)), before.get(point(ROWS[j])).mul(P[j]), type.tol);
            double d = before.get(point(ROWS[j])).castTo(DataType.DOUBLE).mul(values.get(point(j)).castTo(DataType.DOUBLE)).sumNumber().doubleValue();
            assertThat(dots[j]).isCloseTo(d, Offset.offset(type.tol * 10));
        }
    }

    @ParameterizedTest
    @EnumSource(Type.class)
    void mismatchedShapesAreClearErrors(Type type) {
        INDArray out = Nd4j.zeros(type.t, 5, 4);
        assertThatThrownBy(() -> WeightedRows.accumulate(out, Nd4j.zeros(type.t, 2, 4), ROWS, P))
                .hasMessageContaining("[2, 4]").hasMessageContaining("3 rows");
        assertThatThrownBy(() -> WeightedRows.accumulate(out, Nd4j.zeros(type.t, 3, 4), new int[] {0, 1, 5}, P))
                .hasMessageContaining("row 5");
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex point(int i) {
        return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
    }

    private static void assertClose(INDArray a, INDArray e, double tol) {
        double err = a.castTo(DataType.DOUBLE).sub(e.castTo(DataType.DOUBLE)).amaxNumber().doubleValue();
        assertThat(err).isLessThanOrEqualTo(tol);
    }
}
