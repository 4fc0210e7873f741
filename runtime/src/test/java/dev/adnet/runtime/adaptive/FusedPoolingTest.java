package dev.adnet.runtime.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.ops.ChannelsLast;
import dev.adnet.runtime.ops.Elementwise;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The residual kernels that pool their output as they write it, against the kernel alone followed by
 * {@code ChannelsLast.globalAvgPool}: the same array and the same means, to the bit (the gate decisions after them
 * must not depend on whether the pooling was fused).
 */
class FusedPoolingTest {
    static Stream<Arguments> cases() {
        // [B, H, W, C]: a gate's 28x28x16 map, and rows wider than the float-lane tile (another summation path)
        return Stream.of(DataType.FLOAT, DataType.DOUBLE).flatMap(t -> Stream.of(
                Arguments.of(t, new long[] {9, 28, 28, 16}), Arguments.of(t, new long[] {5, 3, 130, 16}),
                Arguments.of(t, new long[] {4, 7, 7, 64})));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void addRowsInPlacePoolsTheResult(DataType t, long[] shape) {
        int b = (int) shape[0];
        int[][] rowSets = {java.util.stream.IntStream.of(1, 2, 5, 8).filter(r -> r < b).toArray(), {}, range(b), {b - 1}};
        for (int[] rows : rowSets) {
            for (boolean withPrevious : new boolean[] {true, false}) {
                INDArray x = Fixtures.random(1, t, shape);
                Relu(x);
                long[] sub = shape.clone();
                sub[0] = rows.length;
                INDArray f = rows.length == 0 ? null : Fixtures.random(2, t, sub);
                INDArray previous = Nd4j.create(t, b, shape[3]);
                ChannelsLast.globalAvgPool(x, previous);

                INDArray expected = x.dup();
                Compaction.addRowsInPlace(expected, f, rows, true);
                INDArray expectedMeans = Nd4j.create(t, b, shape[3]);
                ChannelsLast.globalAvgPool(expected, expectedMeans);

                INDArray means = Nd4j.create(t, b, shape[3]);
                Compaction.addRowsInPlace(x, f, rows, true, withPrevious ? previous : null, means);
                assertThat(Fixtures.values(x)).as("result").containsExactly(Fixtures.values(expected));
                assertThat(Fixtures.values(means)).as("means").containsExactly(Fixtures.values(expectedMeans));
            }
        }
    }

    /**
     * After a gated block added into a range of rows, the means of every row from a pooling of that range alone and
     * the previous means of the others (or a pooling of them too): the same bits as pooling the whole batch.
     */
    @ParameterizedTest
    @MethodSource("cases")
    void windowMeansPoolsTheChangedRowsOnly(DataType t, long[] shape) {
        int b = (int) shape[0];
        int[][] windows = {{0, b}, {1, b / 2}, {b - 1, 1}, {0, 1}, {b / 2, 0}};
        for (int[] window : windows) {
            for (boolean withPrevious : new boolean[] {true, false}) {
                INDArray x = Fixtures.random(5, t, shape);
                INDArray previous = Nd4j.create(t, b, shape[3]);
                ChannelsLast.globalAvgPool(x, previous);
                if (window[1] > 0) {
                    BatchOrder.rows(x, window[0], window[1]).assign(Fixtures.random(6, t, window[1], shape[1], shape[2],
                            shape[3]));
                }
                INDArray expected = Nd4j.create(t, b, shape[3]);
                ChannelsLast.globalAvgPool(x, expected);

                INDArray means = Nd4j.create(t, b, shape[3]);
                Compaction.windowMeans(x, window[0], window[1], withPrevious ? previous : null, means);
                assertThat(Fixtures.values(means)).as("rows [%d, +%d) %s", window[0], window[1], withPrevious)
                        .containsExactly(Fixtures.values(expected));
            }
        }
        // the rows outside the window are the previous means as given, not read from the images
        INDArray x = Fixtures.random(7, t, shape);
        INDArray previous = Nd4j.create(t, b, shape[3]).assign(42);
        INDArray means = Nd4j.create(t, b, shape[3]);
        Compaction.windowMeans(x, 1, b - 1, previous, means);
        assertThat(Fixtures.values(means.getRow(0))).containsOnly(42.0);
        assertThatThrownBy(() -> Compaction.windowMeans(x, 1, b, previous, means))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
    }

    @ParameterizedTest
    @MethodSource("cases")
    void addReluPoolsTheResult(DataType t, long[] shape) {
        INDArray a = Fixtures.random(3, t, shape);
        INDArray b = Fixtures.random(4, t, shape);
        INDArray expected = Nd4j.create(t, shape);
        Elementwise.addRelu(a, b, expected);
        INDArray expectedMeans = Nd4j.create(t, shape[0], shape[3]);
        ChannelsLast.globalAvgPool(expected, expectedMeans);

        INDArray out = Nd4j.create(t, shape);
        INDArray means = Nd4j.create(t, shape[0], shape[3]);
        Elementwise.addRelu(a, b, out, means);
        assertThat(Fixtures.values(out)).containsExactly(Fixtures.values(expected));
        assertThat(Fixtures.values(means)).containsExactly(Fixtures.values(expectedMeans));

        // an operand that is a strided view falls back to the separate kernels, with the same result
        INDArray view = Nd4j.create(t, 2 * shape[0], shape[1], shape[2], shape[3])
                .get(NDArrayIndex.interval(0, 2, 2 * shape[0]));
        view.assign(a);
        INDArray out2 = Nd4j.create(t, shape);
        INDArray means2 = Nd4j.create(t, shape[0], shape[3]);
        Elementwise.addRelu(view, b, out2, means2);
        assertThat(Fixtures.values(out2)).containsExactly(Fixtures.values(expected));
        assertThat(Fixtures.values(means2)).containsExactly(Fixtures.values(expectedMeans));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rejectsMeansOfTheWrongShape(DataType t, long[] shape) {
        INDArray x = Fixtures.random(1, t, shape);
        INDArray wrong = Nd4j.create(t, shape[0], shape[3] + 1);
        assertThatThrownBy(() -> Compaction.addRowsInPlace(x, null, new int[0], true, null, wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("means");
        assertThatThrownBy(() -> Elementwise.addRelu(x, x, x.dup(), wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("means");
        assertThatThrownBy(() -> Compaction.windowMeans(x, 0, 1, null, wrong))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("means");
    }

    private static void Relu(INDArray x) {
        dev.adnet.runtime.ops.Relu.forward(x, x);
    }

    private static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }
}
