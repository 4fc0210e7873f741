package dev.adnet.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The input checks every generated network runs on the arrays it is handed. */
class TensorSpecTest {
    private final TensorSpec image = new TensorSpec("image", new long[] {2, 3, 3});

    @Test
    void namesMustMatchExactly() {
        TensorSpec.checkNames("Net", "input", Set.of("image"), List.of(image));
        assertThatThrownBy(() -> TensorSpec.checkNames("Net", "input", Set.of("img"), List.of(image)))
                .hasMessage("Net: expected inputs [image], got [img]");
    }

    @Test
    void shapesAreCheckedAgainstTheBatch() {
        Map<String, INDArray> arrays = Map.of("image", Nd4j.zeros(DataType.FLOAT, 4, 2, 3, 2));
        assertThatThrownBy(() -> image.checked("Net", arrays, "input", -1, DataType.FLOAT))
                .hasMessage("Net: input 'image' must have shape [batch, 2, 3, 3], got [4, 2, 3, 2]");
        assertThatThrownBy(() -> image.checked("Net", Map.of("image", Nd4j.zeros(DataType.FLOAT, 4, 2, 3, 3)), "target", 5,
                DataType.FLOAT)).hasMessage("Net: target 'image' must have shape [5, 2, 3, 3], got [4, 2, 3, 3]");
        assertThatThrownBy(() -> image.checked("Net", Map.of(), "input", -1, DataType.FLOAT))
                .hasMessage("Net: missing input 'image'");
    }

    @Test
    void aDenseArrayOfTheRightTypeIsUsedAsItIsAndOthersAreConverted() {
        INDArray dense = Nd4j.rand(DataType.FLOAT, 4, 2, 3, 3);
        assertThat(image.checked("Net", Map.of("image", dense), "input", -1, DataType.FLOAT)).isSameAs(dense);
        INDArray asDouble = image.checked("Net", Map.of("image", dense), "input", 4, DataType.DOUBLE);
        assertThat(asDouble.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(asDouble.castTo(DataType.FLOAT)).isEqualTo(dense);
        INDArray view = Nd4j.rand(DataType.FLOAT, 8, 2, 3, 3).get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 6));
        INDArray copied = image.checked("Net", Map.of("image", view), "input", -1, DataType.FLOAT);
        assertThat(copied.isView()).isFalse();
        assertThat(copied).isEqualTo(view);
    }
}
