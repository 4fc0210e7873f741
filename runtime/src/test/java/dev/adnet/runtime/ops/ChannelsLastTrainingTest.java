package dev.adnet.runtime.ops;

import static dev.adnet.runtime.ops.Testing.assertClose;
import static dev.adnet.runtime.ops.Testing.random;
import static dev.adnet.runtime.ops.Testing.values;
import static dev.adnet.runtime.ops.Testing.zeros;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Every channels-last training op against its channels-first counterpart on the same values (the NHWC input being
 * the permuted NCHW one): DOUBLE to round-off, FLOAT to float tolerance; plus a finite-difference check of the
 * batchnorm VJP.
 */
class ChannelsLastTrainingTest {

    private static final double DOUBLE_TOL = 1e-12;

    private static INDArray nhwc(INDArray nchw) {
        return nchw.permute(0, 2, 3, 1).dup('c');
    }

    private static INDArray nchw(INDArray nhwc) {
        return nhwc.permute(0, 3, 1, 2).dup('c');
    }

    private static double tol(DataType t, double floatTol) {
        return t == DataType.DOUBLE ? DOUBLE_TOL : floatTol;
    }

    static Stream<Arguments> batchNorms() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (boolean relu : new boolean[] {false, true}) {
            b.add(Arguments.of(DataType.DOUBLE, new long[] {4, 3, 5, 5}, relu));
            b.add(Arguments.of(DataType.DOUBLE, new long[] {3, 16, 6, 7}, relu));
            b.add(Arguments.of(DataType.FLOAT, new long[] {8, 16, 5, 5}, relu));
            b.add(Arguments.of(DataType.FLOAT, new long[] {4, 3, 3, 3}, relu));
            // more than one tile per thread; with 64 channels more than FOLD tiles per thread
            b.add(Arguments.of(DataType.FLOAT, new long[] {16, 16, 28, 28}, relu));
            b.add(Arguments.of(DataType.FLOAT, new long[] {16, 64, 28, 28}, relu));
        }
        return b.build();
    }

    /**
     * Forward (output, saved and running statistics) and backward (all three gradients) against
     * {@link BatchNorm} / {@link FusedBatchNormRelu} on the channels-first layout.
     */
    @ParameterizedTest
    @MethodSource("batchNorms")
    void batchNormMatchesChannelsFirst(DataType t, long[] shape, boolean relu) {
        int c = (int) shape[1];
        INDArray x = random(1, t, shape).muli(2).addi(3); // a mean away from 0 exercises the shifted sums
        INDArray gamma = random(2, t, c);
        INDArray beta = random(3, t, c);
        INDArray go = random(4, t, shape);
        INDArray rm1 = random(5, t, c);
        INDArray rv1 = Nd4j.rand(t, c).addi(0.5);
        INDArray rm2 = rm1.dup();
        INDArray rv2 = rv1.dup();
        INDArray sm1 = zeros(t, c), si1 = zeros(t, c), sm2 = zeros(t, c), si2 = zeros(t, c);
        INDArray out1 = x.ulike();
        if (relu) {
            FusedBatchNormRelu.trainForward(x, gamma, beta, rm1, rv1, 0.1, 1e-5, out1, sm1, si1);
        } else {
            BatchNorm.trainForward(x, gamma, beta, rm1, rv1, 0.1, 1e-5, out1, sm1, si1);
        }
        INDArray xl = nhwc(x);
        INDArray out2 = xl.ulike();
        ChannelsLastTraining.batchNormTrain(xl, gamma, beta, rm2, rv2, 0.1, 1e-5, relu, out2, sm2, si2);
        String what = t + " " + Arrays.toString(shape) + " relu=" + relu + ": ";
        assertClose(what + "out", nchw(out2), values(out1), tol(t, 1e-5));
        assertClose(what + "save mean", sm2, values(sm1), tol(t, 1e-5));
        assertClose(what + "save inv std", si2, values(si1), tol(t, 1e-5));
        assertClose(what + "running mean", rm2, values(rm1), tol(t, 1e-5));
        assertClose(what + "running var", rv2, values(rv1), tol(t, 1e-5));

        // the same ReLU mask on both sides: in FLOAT an output within rounding of 0 could differ between the two
        INDArray mask = relu ? nchw(out2) : null;
        INDArray gx1 = x.ulike(), gg1 = gamma.ulike(), gb1 = beta.ulike();
        if (relu) {
            FusedBatchNormRelu.backward(x, mask, gamma, sm1, si1, go, gx1, gg1, gb1);
        } else {
            BatchNorm.backward(x, gamma, sm1, si1, go, gx1, gg1, gb1);
        }
        INDArray gx2 = xl.ulike(), gg2 = gamma.ulike(), gb2 = beta.ulike();
        ChannelsLastTraining.batchNormBackward(xl, relu ? out2 : null, gamma, sm2, si2, nhwc(go), gx2, gg2, gb2);
        assertClose(what + "gradIn", nchw(gx2), values(gx1), tol(t, 1e-4));
        assertClose(what + "gradGamma", gg2, values(gg1), tol(t, 1e-4));
        assertClose(what + "gradBeta", gb2, values(gb1), tol(t, 1e-4));
    }

    /** Rank 2 {@code [B, C]} is channels-first already; rank 3 {@code [B, L, C]} is {@code [B, C, L, 1]} permuted. */
    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void otherRanks(DataType t) {
        INDArray x2 = random(11, t, 6, 5).addi(2);
        INDArray x3 = random(12, t, 4, 7, 5).subi(1);
        INDArray x3first = x3.permute(0, 2, 1).dup('c').reshape('c', 4, 5, 7, 1);
        for (INDArray[] pair : new INDArray[][] {{x2, x2}, {x3, x3first}}) {
            INDArray xl = pair[0];
            INDArray xf = pair[1];
            INDArray gamma = random(13, t, 5), beta = random(14, t, 5);
            INDArray sm1 = zeros(t, 5), si1 = zeros(t, 5), sm2 = zeros(t, 5), si2 = zeros(t, 5);
            INDArray rm1 = zeros(t, 5), rv1 = zeros(t, 5).addi(1), rm2 = rm1.dup(), rv2 = rv1.dup();
            INDArray out1 = xf.ulike();
            BatchNorm.trainForward(xf, gamma, beta, rm1, rv1, 0.1, 1e-5, out1, sm1, si1);
            INDArray out2 = xl.ulike();
            ChannelsLastTraining.batchNormTrain(xl, gamma, beta, rm2, rv2, 0.1, 1e-5, false, out2, sm2, si2);
            INDArray goL = random(15, t, xl.shape());
            INDArray goF = xl.rank() == 2 ? goL : goL.permute(0, 2, 1).dup('c').reshape('c', xf.shape());
            INDArray gx1 = xf.ulike(), gg1 = gamma.ulike(), gb1 = beta.ulike();
            BatchNorm.backward(xf, gamma, sm1, si1, goF, gx1, gg1, gb1);
            INDArray gx2 = xl.ulike(), gg2 = gamma.ulike(), gb2 = beta.ulike();
            ChannelsLastTraining.batchNormBackward(xl, null, gamma, sm2, si2, goL, gx2, gg2, gb2);
            String what = t + " rank " + xl.rank() + ": ";
            INDArray outFirst = xl.rank() == 2 ? out2 : out2.permute(0, 2, 1).dup('c');
            INDArray gxFirst = xl.rank() == 2 ? gx2 : gx2.permute(0, 2, 1).dup('c');
            assertClose(what + "out", outFirst, values(out1), tol(t, 1e-5));
            assertClose(what + "save mean", sm2, values(sm1), tol(t, 1e-5));
            assertClose(what + "save inv std", si2, values(si1), tol(t, 1e-5));
            assertClose(what + "running var", rv2, values(rv1), tol(t, 1e-5));
            assertClose(what + "gradIn", gxFirst, values(gx1), tol(t, 1e-4));
            assertClose(what + "gradGamma", gg2, values(gg1), tol(t, 1e-4));
            assertClose(what + "gradBeta", gb2, values(gb1), tol(t, 1e-4));
        }
    }

    /**
     * Null gamma/beta (scale 1, shift 0), null statistics, null gradient outputs, and views for x and gradOut (a
     * permuted NCHW array is a non-dense NHWC view): each result equals the one from dense, complete arguments.
     */
    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void nullsAndViews(DataType t) {
        long[] first = {8, 16, 6, 6};
        INDArray xFirst = random(21, t, first).addi(1);
        INDArray xView = xFirst.permute(0, 2, 3, 1);
        INDArray x = xView.dup('c');
        assertThat(Direct.isDense(xView)).isFalse();
        INDArray ones = zeros(t, 16).addi(1), nil = zeros(t, 16);
        INDArray sm = zeros(t, 16), si = zeros(t, 16), rm = zeros(t, 16), rv = zeros(t, 16).addi(1);
        INDArray out = x.ulike();
        ChannelsLastTraining.batchNormTrain(x, ones, nil, rm, rv, 0.1, 1e-5, true, out, sm, si);

        INDArray outNulls = x.ulike();
        ChannelsLastTraining.batchNormTrain(x, null, null, null, null, 0.1, 1e-5, true, outNulls, null, null);
        assertClose("out, null parameters and statistics", outNulls, values(out), 0);
        INDArray outView = x.ulike(), smView = sm.ulike(), siView = si.ulike();
        ChannelsLastTraining.batchNormTrain(xView, ones, nil, null, null, 0.1, 1e-5, true, outView, smView, siView);
        assertClose("out, view input", outView, values(out), 0);
        assertClose("save mean, view input", smView, values(sm), 0);
        assertClose("save inv std, view input", siView, values(si), 0);

        INDArray goFirst = random(22, t, first);
        INDArray go = nhwc(goFirst);
        INDArray gx = x.ulike(), gg = ones.ulike(), gb = ones.ulike();
        ChannelsLastTraining.batchNormBackward(x, out, ones, sm, si, go, gx, gg, gb);
        INDArray gxNull = x.ulike();
        ChannelsLastTraining.batchNormBackward(x, out, null, sm, si, go, gxNull, null, null);
        assertClose("gradIn, null gamma and parameter gradients", gxNull, values(gx), 0);
        INDArray ggOnly = ones.ulike(), gbOnly = ones.ulike();
        ChannelsLastTraining.batchNormBackward(x, out, ones, sm, si, go, null, ggOnly, gbOnly);
        assertClose("gradGamma without gradIn", ggOnly, values(gg), 0);
        assertClose("gradBeta without gradIn", gbOnly, values(gb), 0);
        INDArray gxView = x.ulike(), ggView = ones.ulike(), gbView = ones.ulike();
        ChannelsLastTraining.batchNormBackward(xView, out, ones, sm, si, goFirst.permute(0, 2, 3, 1), gxView, ggView,
                gbView);
        assertClose("gradIn, views", gxView, values(gx), 0);
        assertClose("gradGamma, views", ggView, values(gg), 0);
        assertClose("gradBeta, views", gbView, values(gb), 0);
        ChannelsLastTraining.batchNormBackward(x, out, ones, sm, si, go, null, null, null);
    }

    /** The VJP of the training forward by finite differences, with and without ReLU. */
    @Test
    void gradientCheck() {
        for (boolean relu : new boolean[] {false, true}) {
            INDArray x = random(31, DataType.DOUBLE, 3, 3, 2, 4).muli(2).addi(0.5);
            INDArray gamma = random(32, DataType.DOUBLE, 4), beta = random(33, DataType.DOUBLE, 4);
            INDArray rm = zeros(DataType.DOUBLE, 4), rv = zeros(DataType.DOUBLE, 4);
            INDArray out = x.ulike(), sm = zeros(DataType.DOUBLE, 4), si = zeros(DataType.DOUBLE, 4);
            INDArray gx = x.ulike(), gg = gamma.ulike(), gb = beta.ulike();
            GradientCheck.check("channels-last batchnorm relu=" + relu, new INDArray[] {x, gamma, beta}, () -> {
                ChannelsLastTraining.batchNormTrain(x, gamma, beta, rm, rv, 0.1, 1e-5, relu, out, sm, si);
                return new INDArray[] {out};
            }, g -> {
                ChannelsLastTraining.batchNormBackward(x, relu ? out : null, gamma, sm, si, g[0], gx, gg, gb);
                return new INDArray[] {gx, gg, gb};
            }, 34);
        }
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void globalAvgPoolBackward(DataType t) {
        for (long[] s : new long[][] {{5, 16, 28, 28}, {3, 64, 7, 7}, {2, 3, 4, 200}, {2, 3000, 2, 2}}) {
            INDArray go = random(41, t, s[0], s[1]);
            INDArray expected = Nd4j.create(t, s);
            GlobalAvgPool.backward(go, expected);
            INDArray gi = Nd4j.create(t, s[0], s[2], s[3], s[1]);
            ChannelsLastTraining.globalAvgPoolBackward(go, gi);
            assertClose("global average pool backward " + Arrays.toString(s), nchw(gi), values(expected),
                    tol(t, 1e-6));
        }
        ChannelsLastTraining.globalAvgPoolBackward(random(41, t, 2, 3), null);
    }

    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void flattenBackward(DataType t) {
        INDArray go = random(51, t, 3, 120);
        INDArray expected = Nd4j.create(t, 3, 4, 5, 6);
        Flatten.backward(go, expected);
        INDArray gi = Nd4j.create(t, 3, 5, 6, 4);
        ChannelsLastTraining.flattenBackward(go, gi);
        assertClose("flatten backward", nchw(gi), values(expected), 0);
        // a view as gradOut
        INDArray wide = random(52, t, 3, 130);
        INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(5, 125));
        Flatten.backward(view, expected);
        ChannelsLastTraining.flattenBackward(view, gi);
        assertClose("flatten backward of a view", nchw(gi), values(expected), 0);
    }

    /** Against MaxPool2d / AvgPool2d (padding not counted) backward, for the geometries of the forward's test. */
    @ParameterizedTest
    @EnumSource(names = {"FLOAT", "DOUBLE"})
    void poolingBackward(DataType t) {
        INDArray x = random(61, t, 3, 6, 13, 13);
        for (PoolGeometry g : new PoolGeometry[] {PoolGeometry.of(2, 2, 0), PoolGeometry.of(3, 2, 1),
                PoolGeometry.same(3, 2), PoolGeometry.of(4, 4, 0), PoolGeometry.of(3, 1, 2), PoolGeometry.of(5, 3, 2),
                PoolGeometry.same(4, 3)}) {
            long[] shape = g.outputShape(x.shape());
            INDArray go = random(62, t, shape);
            INDArray maxGrad = x.ulike();
            INDArray avgGrad = x.ulike();
            MaxPool2d.backward(x, go, g, maxGrad);
            AvgPool2d.backward(x, go, g, false, avgGrad);
            INDArray xl = nhwc(x);
            INDArray maxL = xl.ulike();
            INDArray avgL = xl.ulike();
            ChannelsLastTraining.pool2dBackward(xl, nhwc(go), g, true, maxL);
            ChannelsLastTraining.pool2dBackward(xl, nhwc(go), g, false, avgL);
            assertClose("max pool backward " + g, nchw(maxL), values(maxGrad), tol(t, 1e-6));
            assertClose("average pool backward " + g, nchw(avgL), values(avgGrad), tol(t, 1e-6));
        }
    }

    /** The max-pool gradient lands where the channels-last forward took its maximum. */
    @Test
    void maxPoolGradientFollowsTheForward() {
        INDArray x = nhwc(random(71, DataType.FLOAT, 2, 5, 9, 9));
        PoolGeometry g = PoolGeometry.of(3, 2, 1);
        INDArray out = Nd4j.create(DataType.FLOAT, 2, 5, 5, 5);
        ChannelsLast.pool2d(x, g, true, out);
        INDArray go = Nd4j.ones(DataType.FLOAT, 2, 5, 5, 5);
        INDArray gi = x.ulike();
        ChannelsLastTraining.pool2dBackward(x, go, g, true, gi);
        // sum over windows of x at the gradient's target = sum of the forward's maxima (non-overlapping argmaxes
        // counted once per window they win, as the gradient counts them)
        double viaGrad = x.mul(gi).sumNumber().doubleValue();
        double viaForward = out.sumNumber().doubleValue();
        assertThat(viaGrad).isCloseTo(viaForward, org.assertj.core.data.Offset.offset(1e-3));
    }
}
