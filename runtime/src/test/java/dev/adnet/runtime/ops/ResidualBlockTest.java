package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.random;
import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The primitives composed the way generated code uses them: a small residual network
 * (conv-bn-relu-conv-bn + skip, relu, global pool, dense, softmax cross-entropy), buffers from an {@link Arena},
 * the fan-out gradient of the skip accumulated with {@link Elementwise#accumulate}. The hand-written backward
 * pass must match finite differences of the loss for the input and every parameter.
 */
class ResidualBlockTest {
    static final int B = 3, C = 2, H = 4, W = 4, K = 3;

    final Arena arena = new Arena();
    final INDArray x = random(1, DOUBLE, B, C, H, W);
    final INDArray w1 = random(2, DOUBLE, C, C, 3, 3).muli(0.5);
    final INDArray b1 = random(3, DOUBLE, C);
    final INDArray g1 = random(4, DOUBLE, C).addi(1), be1 = random(5, DOUBLE, C);
    final INDArray w2 = random(6, DOUBLE, C, 1, 3, 3).muli(0.5); // depthwise
    final INDArray g2 = random(7, DOUBLE, C).addi(1), be2 = random(8, DOUBLE, C);
    final INDArray wd = random(9, DOUBLE, C, K), bd = random(10, DOUBLE, K);
    final INDArray labels = Nd4j.zeros(DOUBLE, B, K);
    final INDArray rm = Nd4j.zeros(DOUBLE, C), rv = Nd4j.ones(DOUBLE, C);
    final ConvGeometry c1 = ConvGeometry.of(3, 1, 1);
    final ConvGeometry c2 = ConvGeometry.of(3, 1, 1).withGroups(C);

    ResidualBlockTest() {
        for (int n = 0; n < B; n++) {
            labels.putScalar(n, n % K, 1.0);
        }
    }

    private INDArray a(int slot, long... shape) {
        return arena.get(slot, DataType.DOUBLE, shape);
    }

    /** Forward in training mode; returns the loss. All intermediates live in arena slots. */
    double forward() {
        Conv2d.forward(x, w1, b1, c1, a(0, B, C, H, W));
        FusedBatchNormRelu.trainForward(a(0, B, C, H, W), g1, be1, rm, rv, 0.1, 1e-5, a(1, B, C, H, W), a(2, C),
                a(3, C));
        Conv2d.forward(a(1, B, C, H, W), w2, null, c2, a(4, B, C, H, W));
        BatchNorm.trainForward(a(4, B, C, H, W), g2, be2, rm, rv, 0.1, 1e-5, a(5, B, C, H, W), a(6, C), a(7, C));
        Elementwise.add(a(5, B, C, H, W), x, a(8, B, C, H, W));
        Relu.forward(a(8, B, C, H, W), a(9, B, C, H, W));
        GlobalAvgPool.forward(a(9, B, C, H, W), a(10, B, C));
        Dense.forward(a(10, B, C), wd, bd, a(11, B, K));
        return SoftmaxCrossEntropy.forward(a(11, B, K), labels, 0.1, null);
    }

    /** Backward; returns gradients for x, w1, b1, g1, be1, w2, g2, be2, wd, bd. */
    INDArray[] backward() {
        INDArray[] gr = {x.ulike(), w1.ulike(), b1.ulike(), g1.ulike(), be1.ulike(), w2.ulike(), g2.ulike(),
            be2.ulike(), wd.ulike(), bd.ulike()};
        INDArray gLogits = a(20, B, K);
        SoftmaxCrossEntropy.forward(a(11, B, K), labels, 0.1, gLogits);
        Dense.backward(a(10, B, C), wd, gLogits, a(21, B, C), gr[8], gr[9]);
        GlobalAvgPool.backward(a(21, B, C), a(22, B, C, H, W));
        Relu.backward(a(8, B, C, H, W), a(9, B, C, H, W), a(22, B, C, H, W), a(23, B, C, H, W));
        // the sum's gradient goes to both branches: the skip (x) and the bn
        BatchNorm.backward(a(4, B, C, H, W), g2, a(6, C), a(7, C), a(23, B, C, H, W), a(24, B, C, H, W), gr[6],
                gr[7]);
        Conv2d.backward(a(1, B, C, H, W), w2, null, a(24, B, C, H, W), c2, a(25, B, C, H, W), gr[5], null);
        FusedBatchNormRelu.backward(a(0, B, C, H, W), a(1, B, C, H, W), g1, a(2, C), a(3, C), a(25, B, C, H, W),
                a(26, B, C, H, W), gr[3], gr[4]);
        Conv2d.backward(x, w1, b1, a(26, B, C, H, W), c1, gr[0], gr[1], gr[2]);
        Elementwise.accumulate(gr[0], a(23, B, C, H, W));
        return gr;
    }

    @Test
    void endToEndGradientsMatchFiniteDifferences() {
        forward();
        INDArray first = a(11, B, K);
        GradientCheck.checkScalar("residual block", new INDArray[] {x, w1, b1, g1, be1, w2, g2, be2, wd, bd},
                this::forward, () -> {
                    forward();
                    return backward();
                });
        assertThat(a(11, B, K)).as("arena reuses buffers across calls").isSameAs(first);
    }
}
