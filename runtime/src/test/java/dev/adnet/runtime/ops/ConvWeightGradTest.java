package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.values;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Java weight gradient ({@link ConvWeightGrad}, used by {@link Conv2d#backward} when no input gradient is wanted)
 * against libnd4j's {@code conv2d_bp}: in FLOAT (oneDNN) and in DOUBLE (libnd4j's built-in kernel) on the same
 * float-representable inputs.
 */
class ConvWeightGradTest {
    private static final double TOL = 2e-5;

    /** oneDNN's FLOAT conv2d_bp (Winograd on large batches) is itself further from the DOUBLE result. */
    private static final double TOL_ONEDNN = 1e-4;

    static Stream<Arguments> cases() {
        return Stream.of(
                // batch, in channels, height, width, out channels, geometry
                Arguments.of(5, 1, 9, 11, 16, ConvGeometry.of(3, 1, 1)),
                Arguments.of(3, 3, 8, 7, 5, ConvGeometry.of(3, 1, 0)),
                Arguments.of(2, 1, 10, 9, 4, ConvGeometry.of(5, 1, 2)),
                Arguments.of(4, 3, 6, 5, 3, ConvGeometry.of(1, 1, 0)),
                Arguments.of(3, 2, 7, 6, 6, ConvGeometry.of(2, 3, 1, 1, 0, 1)),
                Arguments.of(3, 2, 7, 6, 6, ConvGeometry.same(2, 1)),
                Arguments.of(2, 3, 5, 8, 7, ConvGeometry.same(3, 1)),
                Arguments.of(2, 1, 6, 6, 2, ConvGeometry.of(3, 1, 2)),
                Arguments.of(32, 1, 28, 28, 16, ConvGeometry.of(3, 1, 1)));
    }

    /** Standard normal values rounded to float, as a DOUBLE array and a FLOAT array. */
    private static INDArray[] pair(long seed, long... shape) {
        INDArray f = Testing.random(seed, DataType.DOUBLE, shape).castTo(DataType.FLOAT);
        return new INDArray[] {f.castTo(DataType.DOUBLE), f};
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesConv2dBp(int n, int ic, int h, int w, int oc, ConvGeometry g) {
        INDArray[] x = pair(1, n, ic, h, w);
        INDArray[] wt = pair(2, oc, ic, g.kernelH(), g.kernelW());
        INDArray[] b = pair(3, oc);
        INDArray[] go = pair(4, g.outputShape(x[0].shape(), oc));
        assertThat(ConvWeightGrad.applies(x[1], wt[1], go[1], g)).isTrue();
        // references: conv2d_bp with an input gradient, DOUBLE (built-in) and FLOAT (oneDNN)
        INDArray[][] ref = new INDArray[2][];
        for (int k = 0; k < 2; k++) {
            INDArray gw = wt[k].ulike();
            INDArray gb = b[k].ulike();
            Conv2d.backward(x[k], wt[k], b[k], go[k], g, x[k].ulike(), gw, gb);
            ref[k] = new INDArray[] {gw, gb};
        }
        INDArray gw = wt[1].ulike();
        INDArray gb = b[1].ulike();
        Conv2d.backward(x[1], wt[1], b[1], go[1], g, null, gw, gb);
        for (int k = 0; k < 2; k++) {
            String what = g + " [" + n + "," + ic + "," + h + "," + w + "] -> " + oc + " vs "
                    + (k == 0 ? "DOUBLE" : "FLOAT conv2d_bp");
            assertClose(what + " gradW", gw, values(ref[k][0]), k == 0 ? TOL : TOL_ONEDNN);
            assertClose(what + " gradB", gb, values(ref[k][1]), k == 0 ? TOL : TOL_ONEDNN);
        }
        // without bias, and with only one of the outputs wanted
        INDArray gw2 = wt[1].ulike();
        Conv2d.backward(x[1], wt[1], null, go[1], g, null, gw2, null);
        assertClose("no bias gradW", gw2, values(gw), 0);
        INDArray gb2 = b[1].ulike();
        Conv2d.backward(x[1], wt[1], b[1], go[1], g, null, null, gb2);
        assertClose("bias only gradB", gb2, values(gb), 0);
    }

    @Test
    void viewTargetsAndOtherCasesFallBack() {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray x = Testing.random(5, DataType.FLOAT, 2, 1, 6, 6);
        INDArray w = Testing.random(6, DataType.FLOAT, 4, 1, 3, 3);
        INDArray go = Testing.random(7, DataType.FLOAT, 2, 4, 6, 6);
        INDArray ref = w.ulike();
        Conv2d.backward(x, w, null, go, g, x.ulike(), ref, null);
        // a strided view as the gradient target
        INDArray big = Nd4j.zeros(DataType.FLOAT, 4, 2, 3, 3);
        INDArray view = big.get(org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 2), org.nd4j.linalg.indexing.NDArrayIndex.all(),
                org.nd4j.linalg.indexing.NDArrayIndex.all());
        Conv2d.backward(x, w, null, go, g, null, view, null);
        assertClose("view gradW", view, values(ref), TOL);
        // stride 2, many input channels, DOUBLE: conv2d_bp
        assertThat(ConvWeightGrad.applies(x, w, go, ConvGeometry.of(3, 2, 1))).isFalse();
        assertThat(ConvWeightGrad.applies(Testing.random(8, DataType.FLOAT, 2, 4, 6, 6),
                Testing.random(9, DataType.FLOAT, 4, 4, 3, 3), go, g)).isFalse();
        assertThat(ConvWeightGrad.applies(x.castTo(DataType.DOUBLE), w.castTo(DataType.DOUBLE),
                go.castTo(DataType.DOUBLE), g)).isFalse();
    }
}
