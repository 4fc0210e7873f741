package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.values;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The libnd4j VJPs in FLOAT against DOUBLE on identical inputs. Needed because oneDNN only serves FLOAT: the
 * double-precision gradient checks exercise libnd4j's built-in kernels, not the oneDNN ones used in training.
 */
class FloatPathTest {
    private static final double TOL = 2e-5;

    static Stream<ConvGeometry> convs() {
        return Stream.of(ConvGeometry.of(3, 1, 1), ConvGeometry.of(3, 2, 0), ConvGeometry.of(3, 1, 2).withDilation(2),
                ConvGeometry.same(3, 1).withDilation(2), ConvGeometry.of(3, 1, 1).withGroups(2),
                ConvGeometry.of(3, 2, 1).withGroups(4), ConvGeometry.same(3, 1).withDilation(2).withGroups(4),
                ConvGeometry.same(3, 2), ConvGeometry.same(2, 1), ConvGeometry.of(2, 3, 2, 1, 0, 1));
    }

    /** Standard normal values rounded to float, as a DOUBLE array and a FLOAT array. */
    private static INDArray[] pair(long seed, long... shape) {
        INDArray f = Testing.random(seed, DataType.DOUBLE, shape).castTo(DataType.FLOAT);
        return new INDArray[] {f.castTo(DataType.DOUBLE), f};
    }

    @ParameterizedTest
    @MethodSource("convs")
    void conv2d(ConvGeometry g) {
        INDArray[] x = pair(1, 2, 4, 6, 7);
        INDArray[] w = pair(2, 8, 4 / g.groups(), g.kernelH(), g.kernelW());
        INDArray[] b = pair(3, 8);
        long[] os = g.outputShape(x[0].shape(), 8);
        INDArray[] go = pair(4, os);
        INDArray[][] res = new INDArray[2][];
        for (int k = 0; k < 2; k++) {
            INDArray out = Nd4j.create(x[k].dataType(), os);
            INDArray gx = x[k].ulike(), gw = w[k].ulike(), gb = b[k].ulike();
            Conv2d.forward(x[k], w[k], b[k], g, out);
            Conv2d.backward(x[k], w[k], b[k], go[k], g, gx, gw, gb);
            res[k] = new INDArray[] {out, gx, gw, gb};
        }
        String[] names = {"out", "gradIn", "gradW", "gradB"};
        for (int i = 0; i < 4; i++) {
            assertClose("conv2d " + g + " " + names[i], res[1][i], values(res[0][i]), TOL);
        }
    }

    /**
     * The ReLU VJP of a gradient given as two contributions: the FLOAT kernel and the DOUBLE path against
     * {@code Relu.backward} of the summed gradient, over more elements than one tile and one thread's part.
     */
    @Test
    void reluBackwardOfTwoContributions() {
        INDArray[] x = pair(5, 3, 40, 41);
        INDArray[] g1 = pair(6, 3, 40, 41);
        INDArray[] g2 = pair(7, 3, 40, 41);
        x[0].putScalar(0, 0.0);
        x[1].putScalar(0, 0.0f);
        INDArray expected = x[0].ulike();
        Relu.backward(x[0], null, g1[0].add(g2[0]), expected);
        for (int k = 0; k < 2; k++) {
            INDArray gi = x[k].ulike();
            Relu.backward(x[k], null, g1[k], g2[k], gi);
            assertClose("relu backward of a sum, " + x[k].dataType(), gi, values(expected), TOL);
        }
        assertThat(expected.getDouble(0)).as("the gradient at exactly 0 is 0").isZero();
    }

    static Stream<PoolGeometry> pools() {
        return Stream.of(PoolGeometry.of(2, 2, 0), PoolGeometry.of(3, 2, 1), PoolGeometry.same(3, 2),
                PoolGeometry.same(2, 1));
    }

    @ParameterizedTest
    @MethodSource("pools")
    void pools(PoolGeometry g) {
        INDArray[] x = pair(1, 2, 3, 5, 6);
        long[] os = g.outputShape(x[0].shape());
        INDArray[] go = pair(4, os);
        for (boolean countPad : new boolean[] {true, false}) {
            INDArray[][] res = new INDArray[2][];
            for (int k = 0; k < 2; k++) {
                INDArray max = Nd4j.create(x[k].dataType(), os), avg = Nd4j.create(x[k].dataType(), os);
                INDArray gmax = x[k].ulike(), gavg = x[k].ulike();
                MaxPool2d.forward(x[k], g, max);
                MaxPool2d.backward(x[k], go[k], g, gmax);
                AvgPool2d.forward(x[k], g, countPad, avg);
                AvgPool2d.backward(x[k], go[k], g, countPad, gavg);
                res[k] = new INDArray[] {max, gmax, avg, gavg};
            }
            String[] names = {"max", "max grad", "avg", "avg grad"};
            for (int i = 0; i < 4; i++) {
                assertClose(g + " countPad " + countPad + " " + names[i], res[1][i], values(res[0][i]), TOL);
            }
        }
    }
}
