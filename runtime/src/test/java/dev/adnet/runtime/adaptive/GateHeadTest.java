package dev.adnet.runtime.adaptive;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.ops.BatchNorm;
import dev.adnet.runtime.ops.Dense;
import dev.adnet.runtime.ops.Relu;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The fused gate head against the four ops it replaces at inference. */
class GateHeadTest {
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void equalsDenseBatchNormReluDense(DataType t) {
        int batch = 37, c = 24, h = 16, k = 2;
        INDArray pooled = Fixtures.random(1, t, batch, c);
        INDArray w1 = Fixtures.random(2, t, c, h), b1 = Fixtures.random(3, t, h);
        INDArray gamma = Fixtures.random(4, t, h), beta = Fixtures.random(5, t, h);
        INDArray mean = Fixtures.random(6, t, h), var = Fixtures.random(7, t, h).muli(0.3).addi(1.0);
        INDArray w2 = Fixtures.random(8, t, h, k), b2 = Fixtures.random(9, t, k);
        for (boolean withOptional : new boolean[] {true, false}) {
            INDArray bias1 = withOptional ? b1 : null, g = withOptional ? gamma : null, bt = withOptional ? beta : null;
            INDArray bias2 = withOptional ? b2 : null;
            INDArray hidden = Nd4j.create(t, batch, h), normed = Nd4j.create(t, batch, h);
            INDArray relu = Nd4j.create(t, batch, h), expected = Nd4j.create(t, batch, k);
            Dense.forward(pooled, w1, bias1, hidden);
            BatchNorm.inference(hidden, g, bt, mean, var, 1e-5, normed);
            Relu.forward(normed, relu);
            Dense.forward(relu, w2, bias2, expected);
            INDArray logits = Nd4j.create(t, batch, k);
            GateHead.inference(pooled, w1, bias1, g, bt, mean, var, 1e-5, w2, bias2, logits);
            Fixtures.assertClose("logits", logits, expected, t == DataType.FLOAT ? 1e-5 : 1e-12);
        }
    }

    @Test
    void rejectsWeightsThatDoNotChain() {
        DataType t = DataType.DOUBLE;
        INDArray pooled = Nd4j.create(t, 4, 8), w1 = Nd4j.create(t, 8, 16), w2 = Nd4j.create(t, 15, 2);
        INDArray stats = Nd4j.ones(t, 16);
        assertThatThrownBy(() -> GateHead.inference(pooled, w1, null, null, null, stats, stats, 1e-5, w2, null,
                Nd4j.create(t, 4, 2))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("do not chain");
        INDArray w2ok = Nd4j.create(t, 16, 2);
        assertThatThrownBy(() -> GateHead.inference(pooled, w1, null, null, null, stats, stats, 1e-5, w2ok, null,
                Nd4j.create(t, 4, 3))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("logits");
    }
}
