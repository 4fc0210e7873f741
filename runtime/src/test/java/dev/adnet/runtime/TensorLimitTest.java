package dev.adnet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.ops.Arena;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Only the batch size decides whether an array fits at run time; beyond the limit it is a clear error. */
class TensorLimitTest {
    @Test
    void aBatchUpToTheLimitPasses() {
        TensorLimit.checkBatch("x", 2147, 1_000_000); // 2,147,000,000 elements
        TensorLimit.checkBatch("x", 1, Integer.MAX_VALUE);
        TensorLimit.checkBatch("x", Integer.MAX_VALUE);
        TensorLimit.checkBatch("x", 7, 0, 1L << 40); // empty
    }

    @Test
    void aBatchBeyondTheLimitNamesTheValueAndTheLargestBatchThatFits() {
        assertThatThrownBy(() -> TensorLimit.checkBatch("'image'", 2148, 1_000, 1_000))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("'image': a batch of 2148 samples of [1000, 1000] is 2,148,000,000 elements, more than the "
                        + "2,147,483,647 one array can hold (the kernels index it with an int); the largest batch that "
                        + "fits is 2147");
        assertThatThrownBy(() -> TensorLimit.checkBatch("x", 2, Integer.MAX_VALUE)).hasMessageEndingWith("is 1");
    }

    /** Per-sample counts whose product wraps a long still fail, with the exact total. */
    @Test
    void aPerSampleCountBeyondALongDoesNotWrap() {
        assertThatThrownBy(() -> TensorLimit.checkBatch("x", 1, 1L << 32, 1L << 32))
                .hasMessageContaining("is 18,446,744,073,709,551,616 elements").hasMessageEndingWith("is 0");
    }

    @Test
    void inputsAreCheckedWhereTheirBatchShapeIsComputed() {
        TensorSpec spec = new TensorSpec("image", new long[] {3, 1000, 1000});
        assertThat(spec.batchShape(715)).containsExactly(715, 3, 1000, 1000);
        assertThatThrownBy(() -> spec.batchShape(716)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("'image': a batch of 716 samples of [3, 1000, 1000]")
                .hasMessageEndingWith("the largest batch that fits is 715");
    }

    /** Checked before allocating, so the test allocates nothing. */
    @Test
    void activationsAreCheckedWhereTheArenaMakesThem() {
        Arena arena = new Arena();
        assertThatThrownBy(() -> arena.get(0, DataType.FLOAT, 3000, 1_000_000)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("an activation: a batch of 3000 samples of [1000000]")
                .hasMessageEndingWith("the largest batch that fits is 2147");
        assertThatThrownBy(() -> arena.rows(1, DataType.FLOAT, 3000, 10, 1_000_000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("the largest batch that fits is 2147");
    }
}
