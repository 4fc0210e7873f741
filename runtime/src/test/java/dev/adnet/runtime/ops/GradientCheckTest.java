package dev.adnet.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;

/** The checker itself: it must accept a right VJP with a small error and reject a slightly wrong one. */
class GradientCheckTest {
    @Test
    void acceptsCorrectAndRejectsWrongGradient() {
        INDArray x = Testing.random(1, DOUBLE, 3, 4);
        INDArray out = x.ulike();
        INDArray gx = x.ulike();
        double err = GradientCheck.check("tanh", new INDArray[] {x}, () -> {
            Tanh.forward(x, out);
            return new INDArray[] {out};
        }, go -> {
            Tanh.backward(x, out, go[0], gx);
            return new INDArray[] {gx};
        }, 1);
        assertThat(err).isLessThan(1e-7);
        assertThatThrownBy(() -> GradientCheck.check("tanh, gradient off by 1e-5", new INDArray[] {x}, () -> {
            Tanh.forward(x, out);
            return new INDArray[] {out};
        }, go -> {
            Tanh.backward(x, out, go[0], gx);
            gx.muli(1 + 1e-5);
            return new INDArray[] {gx};
        }, 1)).isInstanceOf(AssertionError.class);
    }
}
