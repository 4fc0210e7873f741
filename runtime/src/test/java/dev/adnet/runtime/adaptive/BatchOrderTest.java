package dev.adnet.runtime.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The gates' windows: which range is chosen, that every array moves alike and once, that a block on the window
 * then the residual give the input order's result after {@link BatchOrder#restore}, and when a gather is chosen.
 */
class BatchOrderTest {
    private final BatchOrder.Policy saved = BatchOrder.policy();
    private final long savedMin = Parallel.minElements;
    private final int savedThreads = Parallel.threads;

    @AfterEach
    void restore() {
        BatchOrder.policy(saved);
        Parallel.minElements = savedMin;
        Parallel.threads = savedThreads;
    }

    /** Row n of every array holds n * 1000 + its element index, so a row's content names its sample. */
    private static INDArray labelled(DataType t, long... shape) {
        INDArray a = Nd4j.create(t, shape);
        long inner = a.length() / shape[0];
        for (long i = 0; i < a.length(); i++) {
            a.putScalar(i, (i / inner) * 1000 + i % inner);
        }
        return a;
    }

    private static void assertRowsAre(INDArray a, int[] sampleAt) {
        long inner = a.length() / a.size(0);
        for (int r = 0; r < sampleAt.length; r++) {
            for (long e = 0; e < inner; e++) {
                assertThat(a.getDouble(r * inner + e)).as("row %d element %d", r, e).isEqualTo(sampleAt[r] * 1000.0 + e);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void theOpenRowsFillTheRangeThatHeldMostOfThem(DataType t) {
        BatchOrder.policy(BatchOrder.Policy.CHEAPER);
        // open: 0, 3, 4, 5, 6 (k = 5); [2, 7) is the first range holding four of them, so row 0 swaps with row 2
        int[] rows = {0, 3, 4, 5, 6};
        INDArray x = labelled(t, 8, 2, 3, 4);
        INDArray means = labelled(t, 8, 4);
        BatchOrder order = new BatchOrder(8);
        int start = order.window(rows, x, means, x);

        assertThat(start).isEqualTo(2);
        int[] sampleAt = {2, 1, 0, 3, 4, 5, 6, 7};
        assertRowsAre(x, sampleAt); // x was listed twice and moved once
        assertRowsAre(means, sampleAt);
        assertThat(order.permuted()).isTrue();
        assertThat(order.original(BatchOrder.range(start, rows.length))).containsExactly(0, 3, 4, 5, 6);
        assertThat(order.original(new int[] {1, 0})).containsExactly(1, 2);
        assertRowsAre(order.restore(x), new int[] {0, 1, 2, 3, 4, 5, 6, 7});
    }

    @Test
    void aRowRangeIsAViewOfTheSameMemoryThatKernelsAndViewsAgreeOn() {
        INDArray x = labelled(DataType.FLOAT, 6, 2, 2, 3);
        INDArray w = BatchOrder.rows(x, 2, 3);
        assertThat(w.shape()).containsExactly(3, 2, 2, 3);
        assertThat(w.offset()).isEqualTo(24);
        assertRowsAre(w, new int[] {2, 3, 4});
        w.putScalar(new long[] {0, 0, 0, 0}, -1.0);
        assertThat(x.getDouble(24)).isEqualTo(-1.0);
        // the Java kernels read the view through its offset
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 2, 2, 3);
        Compaction.gather(w, new int[] {2, 1}, out);
        assertRowsAre(out, new int[] {4, 3});
    }

    @Test
    void rowsOfAViewSwapWithinTheView() {
        BatchOrder.policy(BatchOrder.Policy.WINDOW);
        INDArray big = labelled(DataType.DOUBLE, 7, 3);
        INDArray view = BatchOrder.rows(big, 2, 4); // samples 2..5 of big
        assertThat(new BatchOrder(4).window(new int[] {0, 3}, view)).isEqualTo(0);
        // [0, 2) holds 0; the open 3 swaps with the closed 1
        assertRowsAre(big, new int[] {0, 1, 2, 5, 4, 3, 6});
    }

    @Test
    void swapsOfLongRowsInParallelPartsMoveWholeRows() {
        BatchOrder.policy(BatchOrder.Policy.WINDOW);
        Parallel.minElements = 1;
        Parallel.threads = 3;
        // rows of 10,000 floats: two whole chunks of the swap's scratch and a part of one
        INDArray x = labelled(DataType.FLOAT, 12, 10_000);
        BatchOrder order = new BatchOrder(12);
        int[] rows = {0, 2, 4, 6, 8, 10};
        int start = order.window(rows, x);
        assertThat(start).isEqualTo(0);
        // [0, 6) holds 0, 2, 4; the open 6, 8, 10 swap with the closed 1, 3, 5
        assertRowsAre(x, new int[] {0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11});
        assertRowsAre(order.restore(x), new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    }

    @Test
    void aGatherIsChosenWhenTheWindowWouldMoveAsManyRowsOrTheCallerAsksForIt() {
        INDArray x = labelled(DataType.FLOAT, 8, 3);
        int[] alternate = {0, 2, 4, 6}; // any range of 4 holds 2: two swaps (four rows) against four gathered rows
        BatchOrder.policy(BatchOrder.Policy.CHEAPER);
        BatchOrder order = new BatchOrder(8);
        assertThat(order.window(alternate, x)).isEqualTo(-1);
        assertThat(order.window(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, x)).isEqualTo(-1);
        assertThat(order.window(new int[0], x)).isEqualTo(-1);
        BatchOrder.policy(BatchOrder.Policy.GATHER);
        assertThat(order.window(new int[] {0, 1, 2, 4}, x)).isEqualTo(-1);
        assertThat(order.permuted()).isFalse();
        assertRowsAre(x, new int[] {0, 1, 2, 3, 4, 5, 6, 7});
        assertThat(order.original(new int[] {3, 1})).containsExactly(3, 1);
        BatchOrder.policy(BatchOrder.Policy.WINDOW);
        assertThat(order.window(alternate, x)).isEqualTo(0);
        assertRowsAre(x, new int[] {0, 4, 2, 6, 1, 5, 3, 7});
    }

    @Test
    void successiveWindowsComposeAndRestorePutsOutputsBackInInputOrder() {
        BatchOrder.policy(BatchOrder.Policy.WINDOW);
        INDArray x = labelled(DataType.DOUBLE, 10, 4);
        BatchOrder order = new BatchOrder(10);
        order.window(new int[] {1, 5, 7, 8}, x);
        int[] afterFirst = sampleOfEachRow(x);
        int[] open = {afterFirst[0], afterFirst[3], afterFirst[9]};
        java.util.Arrays.sort(open);
        assertThat(order.original(new int[] {0, 3, 9})).containsExactly(open);
        int start = order.window(new int[] {0, 3, 9}, x);
        int[] afterSecond = sampleOfEachRow(x);
        assertThat(order.original(BatchOrder.range(start, 3))).containsExactly(open);
        assertThat(order.original(BatchOrder.range(0, 10))).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        INDArray outputs = labelled(DataType.DOUBLE, 10, 3);
        // outputs computed in the current order: row r holds sample afterSecond[r]
        INDArray inCurrentOrder = Nd4j.create(DataType.DOUBLE, 10, 3);
        for (int r = 0; r < 10; r++) {
            inCurrentOrder.putRow(r, outputs.getRow(afterSecond[r]));
        }
        assertThat(order.restore(inCurrentOrder)).isEqualTo(outputs);
    }

    private static int[] sampleOfEachRow(INDArray x) {
        int[] s = new int[(int) x.size(0)];
        for (int r = 0; r < s.length; r++) {
            s[r] = (int) (x.getDouble(r * x.size(1)) / 1000);
        }
        return s;
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingMoves() {
        BatchOrder.policy(BatchOrder.Policy.WINDOW);
        INDArray x = labelled(DataType.FLOAT, 6, 2);
        BatchOrder order = new BatchOrder(6);
        assertThatThrownBy(() -> order.window(new int[] {1, 1}, x)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("distinct");
        assertThatThrownBy(() -> order.window(new int[] {0, 9}, x)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> order.window(new int[] {1, 3}, x, labelled(DataType.FLOAT, 5, 2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected 6 rows");
        assertRowsAre(x, new int[] {0, 1, 2, 3, 4, 5});
        assertThat(order.permuted()).isFalse();
    }
}
