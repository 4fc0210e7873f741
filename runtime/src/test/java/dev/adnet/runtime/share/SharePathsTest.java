package dev.adnet.runtime.share;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class SharePathsTest {
    @Test
    void eachTaskAndUnitNamesTheFirstTaskDecidingAlikeUpToIt() {
        // decisions (1 select, 0 skip) of four tasks on three units
        int[][] runs = {{1, 0, 1}, {1, 1, 1}, {1, 0, 1}, {0, 0, 1}};
        INDArray[][] logits = new INDArray[runs.length][3];
        for (int t = 0; t < runs.length; t++) {
            for (int u = 0; u < 3; u++) {
                logits[t][u] = Nd4j.createFromArray(runs[t][u] == 1 ? 1.0 : 0.0, runs[t][u] == 1 ? 0.0 : 0.0);
            }
        }
        assertThat(SharePaths.firstSame(logits)).isDeepEqualTo(new int[][] {{0, 0, 0}, {0, 1, 1}, {0, 0, 0}, {3, 3, 3}});
    }

    @Test
    void aLaterAgreementAfterAnEarlierTaskDiverges() {
        // task 2 agrees with task 0 on unit 0 only, with task 1 on units 0 and 1
        int[][] runs = {{1, 0}, {1, 1}, {1, 1}};
        INDArray[][] logits = new INDArray[3][2];
        for (int t = 0; t < 3; t++) {
            for (int u = 0; u < 2; u++) {
                logits[t][u] = Nd4j.createFromArray(runs[t][u] == 1 ? 2.0 : -2.0, 0.0);
            }
        }
        assertThat(SharePaths.firstSame(logits)).isDeepEqualTo(new int[][] {{0, 0}, {0, 1}, {0, 1}});
    }
}
