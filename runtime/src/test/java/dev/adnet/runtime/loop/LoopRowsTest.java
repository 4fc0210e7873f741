package dev.adnet.runtime.loop;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.ops.Arena;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LoopRowsTest {
    private static final INDArray X = Nd4j.createFromArray(new float[][] {{0, 1}, {2, 3}, {4, 5}, {6, 7}});

    @Test
    void keepsTheRowsOfTheSamplesStillRunning() {
        CarryRows rows = new CarryRows(new Arena(), 0, 1, DataType.FLOAT, 4, 2);
        INDArray kept = rows.keep(X, new int[] {1, 4, 6, 9}, new int[] {4, 9});
        assertThat(kept.toFloatMatrix()).isDeepEqualTo(new float[][] {{2, 3}, {6, 7}});
        assertThat(rows.keep(X, new int[] {1, 4, 6, 9}, new int[] {1, 4, 6, 9})).isSameAs(X);
        assertThat(rows.keep(X, new int[] {1, 4, 6, 9}, new int[0]).size(0)).isZero();
    }

    @Test
    void carryCopiesEvenWhenEverySampleRuns() {
        INDArray x = X.dup();
        INDArray carried = new CarryRows(new Arena(), 0, 1, DataType.FLOAT, 4, 2).carry(x, new int[] {0, 1, 2, 3},
                new int[] {0, 1, 2, 3});
        assertThat(carried).isEqualTo(X);
        x.assign(9); // the next step overwrites the step's arrays
        assertThat(carried).isEqualTo(X);
    }

    @Test
    void carriesAlternateBetweenTwoArraysSoACopyNeverOverwritesItsSource() {
        CarryRows rows = new CarryRows(new Arena(), 3, 5, DataType.FLOAT, 4, 2);
        INDArray first = rows.carry(X, new int[] {0, 1, 2, 3}, new int[] {0, 2, 3});
        INDArray second = rows.keep(first, new int[] {0, 2, 3}, new int[] {2, 3});
        assertThat(second.toFloatMatrix()).isDeepEqualTo(new float[][] {{4, 5}, {6, 7}});
        assertThat(first.toFloatMatrix()).isDeepEqualTo(new float[][] {{0, 1}, {4, 5}, {6, 7}});
        INDArray third = rows.keep(second, new int[] {2, 3}, new int[] {3});
        assertThat(third.toFloatMatrix()).isDeepEqualTo(new float[][] {{6, 7}});
        assertThat(second.toFloatMatrix()).isDeepEqualTo(new float[][] {{4, 5}, {6, 7}});
    }

    @Test
    void stepCountsInInputOrder() {
        assertThat(LoopRows.inputOrder(new int[] {3, 1, 2}, new int[] {4, 0, 2}, 5)).containsExactly(1, 0, 2, 0, 3);
        assertThat(LoopRows.all(3)).containsExactly(0, 1, 2);
        assertThat(LoopRows.column(Nd4j.createFromArray(new float[][] {{0.25f}, {0.5f}}))).containsExactly(0.25, 0.5);
    }
}
