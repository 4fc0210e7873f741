package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.random;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * {@link FirstConvGradient} (what {@link Conv2d#backward} runs for a one-channel input whose gradient is not wanted)
 * against libnd4j's {@code conv2d_bp}, its plain reference, over strides, paddings, odd sizes, bias and both types.
 */
class FirstConvGradientTest {

    @ParameterizedTest
    @CsvSource({
        "FLOAT, 3, 1, 1, 28, true", "FLOAT, 3, 2, 1, 9, false", "FLOAT, 3, 2, 0, 10, true", "FLOAT, 2, 1, 0, 7, false",
        "DOUBLE, 3, 1, 1, 28, true", "DOUBLE, 3, 2, 1, 9, true", "DOUBLE, 1, 1, 0, 5, true", "DOUBLE, 3, 3, 2, 11, false",
    })
    void equalsLibnd4jConv2dBp(DataType t, int k, int stride, int pad, int size, boolean bias) {
        ConvGeometry g = ConvGeometry.of(k, stride, pad);
        INDArray x = random(1, t, 5, 1, size, size);
        INDArray w = random(2, t, 6, 1, k, k);
        INDArray b = bias ? random(3, t, 6) : null;
        INDArray go = random(4, t, g.outputShape(x.shape(), 6));
        assertThat(FirstConvGradient.applies(x, w, g, null)).isTrue();
        INDArray gw = w.ulike(), gb = bias ? b.ulike() : null;
        Conv2d.backward(x, w, b, go, g, null, gw, gb);

        INDArray rgi = x.ulike(), rgw = w.ulike(), rgb = bias ? b.ulike() : null;
        Native.exec("conv2d_bp", bias ? new INDArray[] {x, w, b, go} : new INDArray[] {x, w, go},
                bias ? new INDArray[] {rgi, rgw, rgb} : new INDArray[] {rgi, rgw}, g.nativeArgs());
        double tol = t == DataType.DOUBLE ? 1e-10 : 2e-5;
        Testing.assertClose("gradW", gw, Testing.values(rgw), tol * 30);
        if (bias) {
            Testing.assertClose("gradB", gb, Testing.values(rgb), tol * 30);
        }
    }
}
