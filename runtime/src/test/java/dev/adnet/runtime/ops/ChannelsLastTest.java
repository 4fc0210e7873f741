package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.tolerance;
import static dev.adnet.runtime.ops.Testing.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.adaptive.BatchOrder;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.nd4j.nativeblas.NativeOps;
import org.nd4j.nativeblas.NativeOpsHolder;

/**
 * Every channels-last inference op against its channels-first counterpart on the same values: the NHWC result,
 * permuted back, must equal the NCHW one (float rounding aside), in FLOAT and DOUBLE.
 */
class ChannelsLastTest {

    private static INDArray nhwc(INDArray nchw) {
        INDArray out = Nd4j.create(nchw.dataType(), nchw.size(0), nchw.size(2), nchw.size(3), nchw.size(1));
        ChannelsLast.fromChannelsFirst(nchw, out);
        return out;
    }

    private static INDArray nchw(INDArray nhwc) {
        return nhwc.permute(0, 3, 1, 2).dup('c');
    }

    static Stream<Arguments> convolutions() {
        return Stream.of(
                Arguments.of(DataType.FLOAT, ConvGeometry.of(3, 1, 1), 1, 16, 28, false),
                Arguments.of(DataType.FLOAT, ConvGeometry.of(3, 1, 1), 16, 16, 28, true),
                Arguments.of(DataType.FLOAT, ConvGeometry.of(3, 2, 1), 16, 32, 28, false),
                Arguments.of(DataType.FLOAT, ConvGeometry.of(1, 2, 0), 16, 32, 28, false),
                Arguments.of(DataType.DOUBLE, ConvGeometry.of(3, 1, 1), 3, 5, 9, true),
                Arguments.of(DataType.DOUBLE, ConvGeometry.of(5, 2, 2), 4, 6, 11, false),
                Arguments.of(DataType.DOUBLE, ConvGeometry.of(3, 1, 2).withDilation(2), 3, 4, 10, false),
                Arguments.of(DataType.FLOAT, ConvGeometry.same(3, 2), 5, 7, 13, true));
    }

    @ParameterizedTest
    @MethodSource("convolutions")
    void conv2d(DataType t, ConvGeometry g, int inC, int outC, int hw, boolean bias) {
        INDArray x = random(1, t, 3, inC, hw, hw);
        INDArray w = random(2, t, outC, inC, g.kernelH(), g.kernelW());
        INDArray b = bias ? random(3, t, outC) : null;
        long[] shape = g.outputShape(x.shape(), outC);
        INDArray expected = Nd4j.create(t, shape);
        Conv2d.forward(x, w, b, g, expected);
        INDArray out = Nd4j.create(t, shape[0], shape[2], shape[3], shape[1]);
        ChannelsLast.conv2d(nhwc(x), w, b, g, out);
        assertClose("conv " + g, nchw(out), values(expected), tolerance(t));
    }

    @Test
    void groupedConvolutionIsRefused() {
        INDArray x = random(1, DataType.FLOAT, 2, 5, 5, 4);
        INDArray w = random(2, DataType.FLOAT, 4, 2, 3, 3);
        assertThatThrownBy(() -> ChannelsLast.conv2d(x, w, null, ConvGeometry.of(3, 1, 1).withGroups(2),
                Nd4j.create(DataType.FLOAT, 2, 5, 5, 4))).hasMessageContaining("groups");
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void batchNormWithAndWithoutRelu(DataType t) {
        for (long[] s : new long[][] {{4, 16, 28, 28}, {3, 64, 7, 7}, {2, 5, 3, 3}}) {
            INDArray x = random(4, t, s);
            INDArray gamma = random(5, t, s[1]);
            INDArray beta = random(6, t, s[1]);
            INDArray mean = random(7, t, s[1]);
            INDArray var = Nd4j.rand(t, s[1]).addi(0.5);
            for (boolean relu : new boolean[] {false, true}) {
                INDArray expected = x.ulike();
                if (relu) {
                    FusedBatchNormRelu.inference(x, gamma, beta, mean, var, 1e-5, expected);
                } else {
                    BatchNorm.inference(x, gamma, beta, mean, var, 1e-5, expected);
                }
                INDArray xl = nhwc(x);
                INDArray out = xl.ulike();
                ChannelsLast.batchNorm(xl, gamma, beta, mean, var, 1e-5, relu, out);
                assertClose("batchnorm relu=" + relu, nchw(out), values(expected), tolerance(t));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void globalAvgPool(DataType t) {
        for (long[] s : new long[][] {{5, 16, 28, 28}, {3, 64, 7, 7}, {2, 3, 4, 200}}) {
            INDArray x = random(8, t, s);
            INDArray expected = Nd4j.create(t, s[0], s[1]);
            GlobalAvgPool.forward(x, expected);
            INDArray out = Nd4j.create(t, s[0], s[1]);
            ChannelsLast.globalAvgPool(nhwc(x), out);
            assertClose("global average pool " + Arrays.toString(s), out, values(expected), tolerance(t));
            // oneDNN's pooling (FLOAT) or the same kernel (DOUBLE), also into a range of rows of a larger array
            INDArray pooled = Nd4j.create(t, s[0], s[1]);
            ChannelsLast.pooledMeans(nhwc(x), pooled);
            assertClose("pooled means " + Arrays.toString(s), pooled, values(expected), tolerance(t));
            INDArray larger = Nd4j.create(t, s[0] + 3, s[1]).assign(Double.NaN);
            ChannelsLast.pooledMeans(nhwc(x), BatchOrder.rows(larger, 2, s[0]));
            assertClose("pooled means in rows 2.. " + Arrays.toString(s), BatchOrder.rows(larger, 2, s[0]),
                    values(expected), tolerance(t));
            assertThat(Arrays.stream(values(larger.getRow(1))).allMatch(Double::isNaN)).as("row 1 untouched").isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void pooling(DataType t) {
        INDArray x = random(9, t, 3, 6, 13, 13);
        for (PoolGeometry g : new PoolGeometry[] {PoolGeometry.of(2, 2, 0), PoolGeometry.of(3, 2, 1),
                PoolGeometry.same(3, 2), PoolGeometry.of(4, 4, 0), PoolGeometry.of(3, 1, 2), PoolGeometry.of(5, 3, 2)}) {
            long[] shape = g.outputShape(x.shape());
            INDArray max = Nd4j.create(t, shape);
            INDArray avg = Nd4j.create(t, shape);
            MaxPool2d.forward(x, g, max);
            AvgPool2d.forward(x, g, false, avg);
            INDArray outMax = Nd4j.create(t, shape[0], shape[2], shape[3], shape[1]);
            INDArray outAvg = outMax.ulike();
            ChannelsLast.pool2d(nhwc(x), g, true, outMax);
            ChannelsLast.pool2d(nhwc(x), g, false, outAvg);
            assertClose("max pool " + g, nchw(outMax), values(max), tolerance(t));
            assertClose("average pool " + g, nchw(outAvg), values(avg), tolerance(t));
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void flattenRestoresTheChannelsFirstOrder(DataType t) {
        INDArray x = random(10, t, 3, 4, 5, 6);
        INDArray expected = Nd4j.create(t, 3, 120);
        Flatten.forward(x, expected);
        INDArray out = Nd4j.create(t, 3, 120);
        ChannelsLast.flatten(nhwc(x), out);
        assertClose("flatten", out, values(expected), 0);
    }

    /**
     * A dense layer on a flattened image equals the flatten and the dense layer (oneDNN's inner product in FLOAT,
     * reading the NHWC image and the weights as they are; the two ops in DOUBLE), with and without bias, and sees new
     * weight values on the next call.
     */
    @ParameterizedTest
    @MethodSource("foldings")
    void flattenDenseEqualsFlattenThenDense(DataType t, boolean bias, boolean unused) {
        INDArray x = nhwc(random(11, t, 5, 6, 7, 3));
        INDArray w = random(12, t, 126, 10);
        INDArray b = bias ? random(13, t, 10) : null;
        INDArray flat = Nd4j.create(t, 5, 126);
        ChannelsLast.flatten(x, flat);
        INDArray expected = Nd4j.create(t, 5, 10);
        Dense.forward(flat, w, b, expected);
        INDArray out = Nd4j.create(t, 5, 10);
        ChannelsLast.flattenDense(x, w, b, out);
        assertClose("flatten -> dense", out, values(expected), t == DataType.FLOAT ? 1e-5 : 1e-12);
        w.muli(-2);
        Dense.forward(flat, w, b, expected);
        ChannelsLast.flattenDense(x, w, b, out);
        assertClose("flatten -> dense after an update", out, values(expected), t == DataType.FLOAT ? 1e-5 : 1e-12);
    }

    /**
     * Inner products below the one-thread limit (an exit head's size) and above it both match flatten + dense, and the
     * calling thread's OpenMP thread count is what it was before.
     */
    @Test
    void flattenDenseOnOneThreadAndOnAll() {
        NativeOps omp = NativeOpsHolder.getInstance().getDeviceNativeOps();
        int threads = omp.ompGetMaxThreads();
        long[][] shapes = {{8, 16, 7, 7, 10}, {64, 16, 16, 16, 128}}; // [N, C, H, W] -> outputs
        for (long[] s : shapes) {
            long inputs = s[1] * s[2] * s[3];
            boolean small = s[0] * inputs * s[4] <= OneDnnInnerProduct.ONE_THREAD_MAX_MULTIPLY_ADDS;
            assertThat(small).as("shape %s below the limit", Arrays.toString(s)).isEqualTo(s[0] == 8);
            INDArray x = nhwc(random(41, DataType.FLOAT, s[0], s[1], s[2], s[3]));
            INDArray w = random(42, DataType.FLOAT, inputs, s[4]);
            INDArray b = random(43, DataType.FLOAT, s[4]);
            INDArray flat = Nd4j.create(DataType.FLOAT, s[0], inputs);
            ChannelsLast.flatten(x, flat);
            INDArray expected = Nd4j.create(DataType.FLOAT, s[0], s[4]);
            Dense.forward(flat, w, b, expected);
            INDArray out = Nd4j.create(DataType.FLOAT, s[0], s[4]);
            ChannelsLast.flattenDense(x, w, b, out);
            assertClose("flatten -> dense " + Arrays.toString(s), out, values(expected), 1e-4);
            assertThat(omp.ompGetMaxThreads()).as("OpenMP threads after the product").isEqualTo(threads);
        }
    }

    static Stream<Arguments> foldings() {
        return Stream.of(
                Arguments.of(DataType.FLOAT, true, false),
                Arguments.of(DataType.FLOAT, false, true),
                Arguments.of(DataType.DOUBLE, true, true),
                Arguments.of(DataType.DOUBLE, false, false));
    }

    /** A 3x3 convolution's input [3, 5, 9, 9] (NHWC), weights, bias and the batchnorm after it, random by seed. */
    private record ConvBn(INDArray x, INDArray w, INDArray b, INDArray gamma, INDArray beta, INDArray mean,
            INDArray var) {
        void conv(ConvGeometry g, INDArray out) {
            ChannelsLast.conv2d(x, w, b, g, out);
        }

        void batchNorm(INDArray conv, double eps, boolean relu, INDArray out) {
            ChannelsLast.batchNorm(conv, gamma, beta, mean, var, eps, relu, out);
        }

        void convBatchNorm(ConvGeometry g, double eps, boolean relu, INDArray out) {
            ChannelsLast.convBatchNorm(x, w, b, g, gamma, beta, mean, var, eps, relu, out);
        }

        void convBatchNormAdd(ConvGeometry g, double eps, boolean relu, INDArray target) {
            ChannelsLast.convBatchNormAdd(x, w, b, g, gamma, beta, mean, var, eps, relu, target);
        }
    }

    private static ConvBn convBn(DataType t, long seed, int outC, boolean bias) {
        return new ConvBn(nhwc(random(seed + 1, t, 3, 5, 9, 9)), random(seed + 2, t, outC, 5, 3, 3),
                bias ? random(seed + 3, t, outC) : null, random(seed + 4, t, outC), random(seed + 5, t, outC),
                random(seed + 6, t, outC), Transforms.abs(random(seed + 7, t, outC), true).addi(0.1));
    }

    /** A batchnorm folded into the convolution before it equals the two ops, with and without ReLU and bias. */
    @ParameterizedTest
    @MethodSource("foldings")
    void convBatchNormEqualsConvThenBatchNorm(DataType t, boolean relu, boolean bias) {
        ConvGeometry g = ConvGeometry.of(3, 2, 1);
        ConvBn p = convBn(t, 30, 6, bias);
        INDArray conv = Nd4j.create(t, 3, 5, 5, 6);
        p.conv(g, conv);
        INDArray expected = conv.ulike();
        p.batchNorm(conv, 1e-5, relu, expected);
        INDArray out = conv.ulike();
        p.convBatchNorm(g, 1e-5, relu, out);
        assertClose("folded", out, values(expected), t == DataType.FLOAT ? 1e-5 : 1e-10);
        // new statistics are used on the next call
        p.var().muli(4);
        p.batchNorm(conv, 1e-5, relu, expected);
        p.convBatchNorm(g, 1e-5, relu, out);
        assertClose("folded after an update", out, values(expected), t == DataType.FLOAT ? 1e-5 : 1e-10);
        // and so are new weights, and a new epsilon
        p.w().muli(-0.5);
        p.conv(g, conv);
        p.batchNorm(conv, 1e-3, relu, expected);
        p.convBatchNorm(g, 1e-3, relu, out);
        assertClose("folded after new weights", out, values(expected), t == DataType.FLOAT ? 1e-5 : 1e-10);
    }

    /**
     * A convolution and batchnorm added into a shortcut (oneDNN's sum post-op in FLOAT, the fallback in DOUBLE) equals
     * the folded convolution and then the add (and ReLU): exactly in DOUBLE, to an ulp in FLOAT (oneDNN adds the bias,
     * the result and the shortcut in an order of its own).
     */
    @ParameterizedTest
    @MethodSource("foldings")
    void convBatchNormAddEqualsConvBatchNormThenAdd(DataType t, boolean relu, boolean bias) {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        ConvBn p = convBn(t, 40, 5, bias);
        INDArray shortcut = nhwc(random(48, t, 3, 5, 9, 9));
        INDArray f = shortcut.ulike();
        p.convBatchNorm(g, 1e-5, false, f);
        INDArray expected = shortcut.ulike();
        if (relu) {
            Elementwise.addRelu(shortcut, f, expected);
        } else {
            Elementwise.add(shortcut, f, expected);
        }
        INDArray target = shortcut.dup('c');
        p.convBatchNormAdd(g, 1e-5, relu, target);
        assertClose("added into the shortcut", target, values(expected), t == DataType.FLOAT ? 1e-6 : 0);
    }

    /**
     * A gated block's window: the convolution adds into a range of rows in the middle of the batch's shortcut (a
     * view, as {@code BatchOrder.rows} gives), which then equals the convolution and the add, and every other row
     * stays as it was.
     */
    @ParameterizedTest
    @MethodSource("foldings")
    void convBatchNormAddIntoARowRange(DataType t, boolean relu, boolean bias) {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        ConvBn p = convBn(t, 50, 5, bias);
        INDArray batch = random(58, t, 7, 9, 9, 5);
        INDArray before = batch.dup('c');
        INDArray window = BatchOrder.rows(batch, 2, 3);
        INDArray f = window.ulike();
        p.convBatchNorm(g, 1e-5, false, f);
        INDArray expected = window.ulike();
        if (relu) {
            Elementwise.addRelu(window.dup('c'), f, expected);
        } else {
            Elementwise.add(window.dup('c'), f, expected);
        }
        p.convBatchNormAdd(g, 1e-5, relu, window);
        assertClose("the window", window, values(expected), t == DataType.FLOAT ? 1e-6 : 0);
        for (int r : new int[] {0, 1, 5, 6}) {
            assertThat(values(batch.slice(r))).as("row %d", r).containsExactly(values(before.slice(r)));
        }
    }
}
