package dev.adnet.compiler.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.emit.TestGraphs;
import org.junit.jupiter.api.Test;

class CostModelTest {
    @Test
    void cnn() {
        long conv1 = 2L * 4 * 8 * 8 * 2 * 9 + 4 * 64;
        long bn = 2L * 256;
        long relu1 = 256;
        long pool = 64L * 4;
        long conv2 = 2L * 64 * 4 * 9;
        long relu2 = 64;
        long add = 64;
        long gap = 64;
        long fc = 2L * 4 * 3 + 3;
        assertThat(CostModel.of(TestGraphs.cnn()).totalFlops())
                .isEqualTo(conv1 + bn + relu1 + pool + conv2 + relu2 + add + gap + fc);
    }
}
