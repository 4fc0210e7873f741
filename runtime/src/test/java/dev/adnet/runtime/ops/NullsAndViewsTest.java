package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.nd4j.linalg.api.buffer.DataType.DOUBLE;
import static org.nd4j.linalg.api.buffer.DataType.FLOAT;
import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Null gradient outputs are skipped without error; inputs that are views give the same results as copies. */
class NullsAndViewsTest {

    @Test
    void nullGradientOutputsAreSkipped() {
        INDArray x = random(1, FLOAT, 2, 3, 4, 4);
        INDArray g = random(2, FLOAT, 2, 3, 4, 4);
        INDArray y = x.ulike();
        Relu.backward(x, y, g, null);
        Sigmoid.backward(x, y, g, null);
        Tanh.backward(x, y, g, null);
        Gelu.backward(x, y, g, null);
        Softmax.backward(x, y, g, null);
        Dropout.backward(g, y, null);
        Flatten.backward(g.reshape(2, 48), null);
        PoolGeometry pg = PoolGeometry.of(2, 2, 0);
        INDArray pgo = random(3, FLOAT, pg.outputShape(x.shape()));
        MaxPool2d.backward(x, pgo, pg, null);
        AvgPool2d.backward(x, pgo, pg, null);
        GlobalAvgPool.backward(random(4, FLOAT, 2, 3), null);
        BatchNorm.backward(x, null, Nd4j.zeros(FLOAT, 3), Nd4j.ones(FLOAT, 3), g, null, null, null);

        // conv: only gradIn, then only gradW, each equal to the full VJP's
        for (ConvGeometry cg : new ConvGeometry[] {ConvGeometry.of(3, 1, 1), ConvGeometry.of(3, 1, 1).withGroups(3),
                ConvGeometry.of(3, 1, 1).withGroups(3).withDilation(1)}) {
            INDArray w = random(5, FLOAT, 3, 3 / cg.groups(), 3, 3);
            INDArray b = random(6, FLOAT, 3);
            INDArray go = random(7, FLOAT, cg.outputShape(x.shape(), 3));
            INDArray gi = x.ulike(), gw = w.ulike(), gb = b.ulike();
            Conv2d.backward(x, w, b, go, cg, gi, gw, gb);
            INDArray gi2 = x.ulike(), gw2 = w.ulike();
            Conv2d.backward(x, w, b, go, cg, gi2, null, null);
            Conv2d.backward(x, w, b, go, cg, null, gw2, null);
            assertThat(values(gi2)).containsExactly(values(gi));
            // without an input gradient a few-channel stride-1 convolution takes ConvWeightGrad (another summation
            // order than conv2d_bp)
            assertClose("gradW alone " + cg, gw2, values(gw), 2e-5);
        }
        INDArray dx = random(8, FLOAT, 3, 4), dw = random(9, FLOAT, 4, 5), dgo = random(10, FLOAT, 3, 5);
        INDArray dgi = dx.ulike();
        Dense.backward(dx, dw, dgo, dgi, null, null);
        assertThat(dgi.sub(dgo.mmul(dw.transpose())).amaxNumber().doubleValue()).isLessThan(1e-5);
    }

    @Test
    void viewInputsMatchCopies() {
        INDArray big = random(1, DOUBLE, 2, 6, 5, 5);
        INDArray view = big.get(all(), interval(1, 4), all(), all()); // channels 1..3, not dense
        INDArray copy = view.dup('c');
        assertThat(Direct.isDense(view)).isFalse();

        INDArray gamma = random(2, DOUBLE, 3), beta = random(3, DOUBLE, 3);
        INDArray o1 = copy.ulike(), o2 = copy.ulike();
        BatchNorm.trainForward(view, gamma, beta, null, null, 0.1, 1e-5, o1, Nd4j.zeros(DOUBLE, 3),
                Nd4j.zeros(DOUBLE, 3));
        BatchNorm.trainForward(copy, gamma, beta, null, null, 0.1, 1e-5, o2, Nd4j.zeros(DOUBLE, 3),
                Nd4j.zeros(DOUBLE, 3));
        assertThat(values(o1)).containsExactly(values(o2));

        ConvGeometry g = ConvGeometry.of(3, 1, 1).withGroups(3);
        INDArray w = random(4, DOUBLE, 3, 1, 3, 3);
        INDArray c1 = Nd4j.zeros(DOUBLE, g.outputShape(copy.shape(), 3)), c2 = c1.ulike();
        Conv2d.forward(view, w, null, g, c1);
        Conv2d.forward(copy, w, null, g, c2);
        assertThat(values(c1)).containsExactly(values(c2));

        assertConvAndPoolOnViews(DOUBLE);
        assertConvAndPoolOnViews(FLOAT);

        INDArray f1 = Nd4j.zeros(DOUBLE, 2, 75), f2 = f1.ulike();
        Flatten.forward(view, f1);
        Flatten.forward(copy, f2);
        assertThat(values(f1)).containsExactly(values(f2));

        INDArray s1 = copy.ulike(), s2 = copy.ulike();
        Softmax.forward(view, s1);
        Softmax.forward(copy, s2);
        assertThat(values(s1)).containsExactly(values(s2));
    }

    /** The native ops (oneDNN for FLOAT) on strided views: dense input, plain and grouped conv, pools, VJPs. */
    private static void assertConvAndPoolOnViews(org.nd4j.linalg.api.buffer.DataType t) {
        INDArray big = random(11, t, 2, 8, 6, 6);
        INDArray view = big.get(all(), interval(2, 6), all(), all());
        INDArray copy = view.dup('c');
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.of(3, 1, 1), ConvGeometry.of(3, 2, 1).withGroups(2),
                ConvGeometry.same(3, 1).withDilation(2)}) {
            INDArray w = random(12, t, 4, 4 / g.groups(), 3, 3);
            INDArray o1 = Nd4j.zeros(t, g.outputShape(copy.shape(), 4)), o2 = o1.ulike();
            Conv2d.forward(view, w, null, g, o1);
            Conv2d.forward(copy, w, null, g, o2);
            assertThat(values(o1)).as("conv " + g + " " + t).containsExactly(values(o2));
            INDArray go = random(13, t, o1.shape());
            INDArray gi1 = copy.ulike(), gi2 = copy.ulike(), gw1 = w.ulike(), gw2 = w.ulike();
            Conv2d.backward(view, w, null, go, g, gi1, gw1, null);
            Conv2d.backward(copy, w, null, go, g, gi2, gw2, null);
            assertThat(values(gi1)).as("conv gradIn " + g + " " + t).containsExactly(values(gi2));
            assertThat(values(gw1)).as("conv gradW " + g + " " + t).containsExactly(values(gw2));
        }
        PoolGeometry pg = PoolGeometry.of(3, 2, 1);
        INDArray p1 = Nd4j.zeros(t, pg.outputShape(copy.shape())), p2 = p1.ulike(), p3 = p1.ulike(), p4 = p1.ulike();
        MaxPool2d.forward(view, pg, p1);
        MaxPool2d.forward(copy, pg, p2);
        AvgPool2d.forward(view, pg, p3);
        AvgPool2d.forward(copy, pg, p4);
        assertThat(values(p1)).as("maxpool " + t).containsExactly(values(p2));
        assertThat(values(p3)).as("avgpool " + t).containsExactly(values(p4));
    }
}
