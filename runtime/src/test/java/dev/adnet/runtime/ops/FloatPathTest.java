package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.values;

import java.util.stream.Stream;
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
