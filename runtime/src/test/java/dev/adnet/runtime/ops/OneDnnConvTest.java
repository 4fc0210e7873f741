package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.values;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The channels-last convolution through oneDNN directly against libnd4j's channels-first convolution computed in
 * DOUBLE on the same (float) values: every geometry the language has (strides, explicit and SAME padding, odd sizes,
 * dilation, rectangular kernels, bias), row views of larger buffers as the arena hands out, and weights updated
 * between calls.
 */
class OneDnnConvTest {

    private static INDArray nhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static INDArray nchw(INDArray nhwc) {
        return nhwc.permute(0, 3, 1, 2).dup('c');
    }

    /** libnd4j's NCHW convolution in DOUBLE of the float arrays. */
    private static INDArray reference(INDArray x, INDArray w, INDArray b, ConvGeometry g) {
        INDArray xd = x.castTo(DataType.DOUBLE);
        long[] shape = g.outputShape(xd.shape(), w.size(0));
        INDArray out = Nd4j.create(DataType.DOUBLE, shape);
        Conv2d.forward(xd, w.castTo(DataType.DOUBLE), b == null ? null : b.castTo(DataType.DOUBLE), g, out);
        return out;
    }

    static Stream<Arguments> geometries() {
        return Stream.of(
                Arguments.of(ConvGeometry.of(3, 1, 1), 16, 16, 28, 28, false),
                Arguments.of(ConvGeometry.of(3, 1, 1), 1, 16, 28, 28, true),
                Arguments.of(ConvGeometry.of(3, 2, 1), 16, 32, 28, 28, false),
                Arguments.of(ConvGeometry.of(1, 2, 0), 16, 32, 28, 28, true),
                Arguments.of(ConvGeometry.of(1, 2, 0), 5, 6, 9, 9, false), // floor drops the last row
                Arguments.of(ConvGeometry.of(5, 2, 2), 4, 6, 11, 11, true),
                Arguments.of(ConvGeometry.same(3, 2), 5, 7, 13, 13, true),
                Arguments.of(ConvGeometry.same(4, 1), 3, 5, 8, 8, false), // SAME with the extra column after
                Arguments.of(ConvGeometry.same(3, 3), 3, 5, 10, 7, false),
                Arguments.of(ConvGeometry.of(3, 1, 2).withDilation(2), 3, 4, 10, 10, true),
                Arguments.of(ConvGeometry.of(1, 3, 1, 2, 0, 1), 3, 4, 9, 8, true));
    }

    @Test
    void oneDnnIsLoadedOnThisPlatform() {
        assertThat(OneDnn.available()).as("oneDNN's native library loads (linux-x86_64)").isTrue();
    }

    /** The direct JIT kernels, not oneDNN's first choice (brgconv), at a batch size compaction produces. */
    @Test
    void convolutionsRunTheDirectJitKernels() {
        ConvShape k = new ConvShape(177, 16, 28, 28, 16, 28, 28, ConvGeometry.of(3, 1, 1), false);
        assertThat(OneDnn.implementation(OneDnnConv.trainingDesc(k, true))).startsWith("jit");
        assertThat(OneDnn.implementation(OneDnnConv.trainingDesc(k, false))).startsWith("jit");
    }

    @ParameterizedTest
    @MethodSource("geometries")
    void equalsLibnd4jInDouble(ConvGeometry g, int inC, int outC, int h, int w, boolean bias) {
        INDArray x = random(1, DataType.FLOAT, 3, inC, h, w);
        INDArray wt = random(2, DataType.FLOAT, outC, inC, g.kernelH(), g.kernelW());
        INDArray b = bias ? random(3, DataType.FLOAT, outC) : null;
        INDArray expected = reference(x, wt, b, g);
        INDArray xs = nhwc(x);
        INDArray out = Nd4j.create(DataType.FLOAT, expected.size(0), expected.size(2), expected.size(3), outC);
        assertThat(OneDnnConv.accepts(xs, wt, b, g, out)).isTrue();
        OneDnnConv.forward(xs, wt, b, g, out);
        assertClose("oneDNN " + g, nchw(out), values(expected), 1e-4);
    }

    /**
     * Sub-batches are rows of a larger buffer, in and out: the first rows (the arena's sub-batch views) or a range in
     * the middle (a gate's window, see BatchOrder); rows outside the output's range stay untouched.
     */
    @ParameterizedTest
    @CsvSource({"0, 0", "2, 4"})
    void rowRangesOfLargerBuffers(int inFrom, int outFrom) {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray bigIn = random(4, DataType.FLOAT, 8, 6, 6, 4);
        INDArray bigOut = Nd4j.create(DataType.FLOAT, 8, 6, 6, 5).assign(Double.NaN);
        INDArray wt = random(5, DataType.FLOAT, 5, 4, 3, 3);
        INDArray in = bigIn.get(NDArrayIndex.interval(inFrom, inFrom + 3), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        INDArray out = bigOut.get(NDArrayIndex.interval(outFrom, outFrom + 3), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertThat(OneDnn.takes(in)).isTrue();
        assertThat(OneDnnConv.accepts(in, wt, null, g, out)).isTrue();
        OneDnnConv.forward(in, wt, null, g, out);
        INDArray expected = reference(nchw(in.dup('c')), wt, null, g);
        assertClose("rows", nchw(out.dup('c')), values(expected), 1e-4);
        for (int r = 0; r < 8; r++) {
            if (r < outFrom || r >= outFrom + 3) {
                INDArray row = bigOut.get(NDArrayIndex.point(r), NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.all());
                assertThat(java.util.Arrays.stream(values(row)).allMatch(Double::isNaN)).as("row %d", r).isTrue();
            }
        }
    }

    /** The weights are reordered on every call: parameters updated in place between calls are seen. */
    @Test
    void updatedWeightsAreSeen() {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray x = random(6, DataType.FLOAT, 2, 5, 5, 3);
        INDArray wt = random(7, DataType.FLOAT, 4, 3, 3, 3);
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 5, 5, 4);
        OneDnnConv.forward(x, wt, null, g, out);
        wt.muli(-2);
        OneDnnConv.forward(x, wt, null, g, out);
        assertClose("after update", nchw(out), values(reference(nchw(x), wt, null, g)), 1e-4);
    }

    @Test
    void whatItDoesNotTakeGoesToLibnd4j() {
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray x = random(8, DataType.DOUBLE, 2, 5, 5, 3);
        INDArray wt = random(9, DataType.DOUBLE, 4, 3, 3, 3);
        assertThat(OneDnnConv.accepts(x, wt, null, g, Nd4j.create(DataType.DOUBLE, 2, 5, 5, 4))).isFalse();
        INDArray xf = random(8, DataType.FLOAT, 4, 5, 5, 3);
        INDArray wf = random(9, DataType.FLOAT, 4, 3, 3, 3);
        INDArray columns = xf.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(1, 4), NDArrayIndex.all());
        assertThat(OneDnnConv.accepts(columns, wf, null, g, Nd4j.create(DataType.FLOAT, 4, 5, 3, 4))).isFalse();
        assertThat(OneDnnConv.accepts(xf, wf, null, g.withGroups(1), Nd4j.create(DataType.FLOAT, 4, 5, 5, 4))).isTrue();
    }

    /** Channels-first forward and backward (training) through oneDNN's blocked layouts, against libnd4j in DOUBLE. */
    @ParameterizedTest
    @MethodSource("geometries")
    void blockedForwardAndBackwardEqualLibnd4jInDouble(ConvGeometry g, int inC, int outC, int h, int w, boolean bias) {
        blockedForwardAndBackward(3, g, inC, outC, h, w, bias);
    }

    /**
     * Batches large enough for oneDNN to pick Winograd for the weight gradient (16 samples or more): one of these
     * (8 -> 16 at 14x14 with a bias, batch 64) crashed the process while the weight gradient's primitive had a
     * direct-algorithm forward as its hint.
     */
    @ParameterizedTest
    @MethodSource("largeBatches")
    void blockedBackwardAtWinogradBatchSizes(int batch, int inC, int outC, int hw, boolean bias) {
        blockedForwardAndBackward(batch, ConvGeometry.of(3, 1, 1), inC, outC, hw, hw, bias);
    }

    static Stream<Arguments> largeBatches() {
        return Stream.of(
                Arguments.of(64, 8, 16, 14, true),
                Arguments.of(64, 16, 16, 28, false),
                Arguments.of(32, 64, 64, 7, false),
                Arguments.of(17, 32, 32, 14, true));
    }

    private static void blockedForwardAndBackward(int batch, ConvGeometry g, int inC, int outC, int h, int w,
            boolean bias) {
        INDArray x = random(11, DataType.FLOAT, batch, inC, h, w);
        INDArray wt = random(12, DataType.FLOAT, outC, inC, g.kernelH(), g.kernelW());
        INDArray b = bias ? random(13, DataType.FLOAT, outC) : null;
        INDArray expected = reference(x, wt, b, g);
        assertThat(OneDnnConvBackward.accepts(x, wt, b, g)).isTrue();
        INDArray out = Nd4j.create(DataType.FLOAT, expected.shape());
        Conv2d.forward(x, wt, b, g, out);
        assertClose("forward " + g, out, values(expected), 1e-4);

        INDArray gradOut = random(14, DataType.FLOAT, expected.shape());
        INDArray gi = x.ulike();
        INDArray gw = wt.ulike();
        INDArray gb = bias ? b.ulike() : null;
        Conv2d.backward(x, wt, b, gradOut, g, gi, gw, gb);
        INDArray giD = Nd4j.create(DataType.DOUBLE, x.shape());
        INDArray gwD = Nd4j.create(DataType.DOUBLE, wt.shape());
        INDArray gbD = bias ? Nd4j.create(DataType.DOUBLE, outC) : null;
        Conv2d.backward(x.castTo(DataType.DOUBLE), wt.castTo(DataType.DOUBLE), bias ? b.castTo(DataType.DOUBLE) : null,
                gradOut.castTo(DataType.DOUBLE), g, giD, gwD, gbD);
        // float sums over batch x positions terms: as close to DOUBLE as libnd4j's own FLOAT gradients are
        INDArray giL = x.ulike();
        INDArray gwL = wt.ulike();
        Conv2d.oneDnn = false;
        try {
            Conv2d.backward(x, wt, b, gradOut, g, giL, gwL, null);
        } finally {
            Conv2d.oneDnn = true;
        }
        double tolIn = Math.max(1e-4, 4 * worst(giL, giD));
        double tolW = Math.max(1e-4, 4 * worst(gwL, gwD));
        assertClose("input gradient " + g, gi, values(giD), tolIn);
        assertClose("weight gradient " + g, gw, values(gwD), tolW);
        if (bias) {
            assertClose("bias gradient " + g, gb, values(gbD), 1e-4);
        }
        // each gradient alone, as the generated code asks for them
        INDArray onlyW = wt.ulike();
        Conv2d.backward(x, wt, b, gradOut, g, null, onlyW, null);
        assertClose("weight gradient alone " + g, onlyW, values(gwD), tolW);
        INDArray onlyIn = x.ulike();
        Conv2d.backward(x, wt, b, gradOut, g, onlyIn, null, null);
        assertClose("input gradient alone " + g, onlyIn, values(giD), tolIn);
    }

    /**
     * Channels-last backward (training in NHWC): FLOAT through oneDNN on the NHWC arrays, DOUBLE through libnd4j's
     * NHWC {@code conv2d_bp}, both against the channels-first DOUBLE gradients; each gradient alone too.
     */
    @ParameterizedTest
    @MethodSource("geometries")
    void channelsLastBackwardEqualsChannelsFirst(ConvGeometry g, int inC, int outC, int h, int w, boolean bias) {
        channelsLastBackward(3, g, inC, outC, h, w, bias);
    }

    @ParameterizedTest
    @MethodSource("largeBatches")
    void channelsLastBackwardAtLargeBatches(int batch, int inC, int outC, int hw, boolean bias) {
        channelsLastBackward(batch, ConvGeometry.of(3, 1, 1), inC, outC, hw, hw, bias);
    }

    private static void channelsLastBackward(int batch, ConvGeometry g, int inC, int outC, int h, int w,
            boolean bias) {
        INDArray x = random(21, DataType.FLOAT, batch, inC, h, w);
        INDArray wt = random(22, DataType.FLOAT, outC, inC, g.kernelH(), g.kernelW());
        INDArray b = bias ? random(23, DataType.FLOAT, outC) : null;
        INDArray gradOut = random(24, DataType.FLOAT, g.outputShape(x.shape(), outC));
        INDArray giD = Nd4j.create(DataType.DOUBLE, x.shape());
        INDArray gwD = Nd4j.create(DataType.DOUBLE, wt.shape());
        INDArray gbD = bias ? Nd4j.create(DataType.DOUBLE, outC) : null;
        Conv2d.backward(x.castTo(DataType.DOUBLE), wt.castTo(DataType.DOUBLE), bias ? b.castTo(DataType.DOUBLE) : null,
                gradOut.castTo(DataType.DOUBLE), g, giD, gwD, gbD);
        for (DataType t : new DataType[] {DataType.FLOAT, DataType.DOUBLE}) {
            INDArray xs = nhwc(x).castTo(t);
            INDArray ws = wt.castTo(t);
            INDArray bs = bias ? b.castTo(t) : null;
            INDArray gos = nhwc(gradOut).castTo(t);
            INDArray gi = xs.ulike();
            INDArray gw = ws.ulike();
            INDArray gb = bias ? bs.ulike() : null;
            ChannelsLast.conv2dBackward(xs, ws, bs, gos, g, gi, gw, gb);
            double tol = t == DataType.DOUBLE ? 1e-10 : 2e-3;
            assertClose(t + " channels-last input gradient " + g, nchw(gi), values(giD), tol);
            assertClose(t + " channels-last weight gradient " + g, gw, values(gwD), tol);
            if (bias) {
                assertClose(t + " channels-last bias gradient " + g, gb, values(gbD), tol);
            }
            INDArray onlyW = ws.ulike();
            ChannelsLast.conv2dBackward(xs, ws, bs, gos, g, null, onlyW, null);
            assertClose(t + " channels-last weight gradient alone " + g, onlyW, values(gwD), tol);
            INDArray onlyIn = xs.ulike();
            ChannelsLast.conv2dBackward(xs, ws, bs, gos, g, onlyIn, null, null);
            assertClose(t + " channels-last input gradient alone " + g, nchw(onlyIn), values(giD), tol);
        }
    }

    /** The largest error of a against b, each relative to max(1, |b|) as {@link Testing#assertClose} measures. */
    private static double worst(INDArray a, INDArray b) {
        double[] x = values(a);
        double[] y = values(b);
        double w = 0;
        for (int i = 0; i < x.length; i++) {
            w = Math.max(w, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i])));
        }
        return w;
    }
}
