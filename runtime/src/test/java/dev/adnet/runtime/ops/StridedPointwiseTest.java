package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.values;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The backward of unpadded strided 1x1 convolutions through the subsampled input ({@link Subsample}) against
 * {@code conv2d_bp} on the original geometry, FLOAT and DOUBLE, with and without bias and input gradient.
 */
class StridedPointwiseTest {
    static Stream<Arguments> cases() {
        return Stream.of(
                // batch, in channels, height, width, out channels, geometry, bias
                Arguments.of(3, 4, 8, 8, 6, ConvGeometry.of(1, 2, 0), true),
                Arguments.of(2, 5, 7, 9, 3, ConvGeometry.of(1, 2, 0), false),
                Arguments.of(2, 3, 10, 11, 4, ConvGeometry.of(1, 1, 3, 2, 0, 0), true),
                Arguments.of(2, 3, 9, 7, 2, ConvGeometry.of(1, 3, 0), false),
                Arguments.of(4, 16, 28, 28, 32, ConvGeometry.of(1, 2, 0), false));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesConv2dBp(int n, int ic, int h, int w, int oc, ConvGeometry g, boolean bias) {
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray x = Testing.random(1, t, n, ic, h, w);
            INDArray wt = Testing.random(2, t, oc, ic, 1, 1);
            INDArray b = bias ? Testing.random(3, t, oc) : null;
            INDArray go = Testing.random(4, t, g.outputShape(x.shape(), oc));
            INDArray[] ref = {x.ulike(), wt.ulike(), bias ? b.ulike() : null};
            INDArray[] got = {x.ulike().assign(7), wt.ulike(), bias ? b.ulike() : null};
            try {
                Conv2d.subsampleStridedPointwise = false;
                Conv2d.backward(x, wt, b, go, g, ref[0], ref[1], ref[2]);
            } finally {
                Conv2d.subsampleStridedPointwise = true;
            }
            Conv2d.backward(x, wt, b, go, g, got[0], got[1], got[2]);
            // FLOAT: oneDNN on the two geometries, and the weight gradient alone may take ConvWeightGrad
            double tol = t == DataType.FLOAT ? 5e-5 : 1e-9;
            String what = t + " " + g + " [" + n + "," + ic + "," + h + "," + w + "] -> " + oc;
            assertClose(what + " gradIn", got[0], values(ref[0]), tol);
            assertClose(what + " gradW", got[1], values(ref[1]), tol);
            if (bias) {
                assertClose(what + " gradB", got[2], values(ref[2]), tol);
            }
            // weight gradient alone
            INDArray gw = wt.ulike();
            Conv2d.backward(x, wt, b, go, g, null, gw, null);
            assertClose(what + " gradW alone", gw, values(ref[1]), tol);
        }
    }
}
