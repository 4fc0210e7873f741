package dev.adnet.runtime.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class TreePathsTest {
    /** Three layers, three tasks: a node's parent is the index of its largest logit. */
    private static final INDArray[][] LOGITS = {
        {parent(1), parent(1), parent(2)}, // layer 2
        {parent(0), parent(0), parent(2)}, // layer 3
    };

    @Test
    void theNodesOnTheWantedTasksPaths() {
        // task 0: l3.0 <- l2.0 <- l1.1; task 1: l3.1 <- l2.0 <- l1.1; task 2: l3.2 <- l2.2 <- l1.2
        assertThat(TreePaths.needed(LOGITS, new boolean[] {true, true, true}))
                .isDeepEqualTo(new boolean[][] {{false, true, true}, {true, false, true}, {true, true, true}});
        assertThat(TreePaths.needed(LOGITS, new boolean[] {false, true, false}))
                .isDeepEqualTo(new boolean[][] {{false, true, false}, {true, false, false}, {false, true, false}});
        assertThat(TreePaths.needed(new INDArray[0][], new boolean[] {true, false}))
                .isDeepEqualTo(new boolean[][] {{true, false}});
    }

    @Test
    void logitsNotOnePerTaskAreRefused() {
        assertThatThrownBy(() -> TreePaths.needed(LOGITS, new boolean[] {true, true}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not one per task");
    }

    private static INDArray parent(int k) {
        double[] l = new double[3];
        l[k] = 1;
        return Nd4j.createFromArray(l);
    }
}
