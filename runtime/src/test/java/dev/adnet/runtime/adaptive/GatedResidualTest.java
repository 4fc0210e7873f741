package dev.adnet.runtime.adaptive;

import static dev.adnet.runtime.adaptive.Fixtures.assertClose;
import static dev.adnet.runtime.adaptive.Fixtures.tol;
import static dev.adnet.runtime.adaptive.Fixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.ops.PublicGradientCheck;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

class GatedResidualTest {
    private static final long[] SHAPE = {6, 3, 5, 7};

    /** Gates covering the cases: closed, open, and soft values. */
    private static INDArray gates(DataType t) {
        return Fixtures.of(t, 1, 0, 0.3, 1, 0.85, 0);
    }

    @ParameterizedTest
    @CsvSource({"FLOAT,true", "FLOAT,false", "DOUBLE,true", "DOUBLE,false"})
    void forwardAndBackwardMatchTheUnfusedReference(DataType t, boolean relu) {
        INDArray s = Fixtures.random(1, t, SHAPE);
        INDArray f = Fixtures.random(2, t, SHAPE);
        INDArray go = Fixtures.random(3, t, SHAPE);
        INDArray z = gates(t);
        INDArray out = s.ulike();
        INDArray ref = s.ulike();
        GatedResidual.trainForward(s, f, z, relu, out);
        GatedResidualReference.trainForward(s, f, z, relu, ref);
        assertClose("out", out, ref, tol(t));

        INDArray gs = s.ulike(), gf = s.ulike(), gz = Nd4j.create(t, SHAPE[0]);
        INDArray rgs = s.ulike(), rgf = s.ulike(), rgz = Nd4j.create(t, SHAPE[0]);
        GatedResidual.backward(f, z, relu ? out : null, go, gs, gf, gz);
        GatedResidualReference.backward(f, z, relu ? ref : null, go, rgs, rgf, rgz);
        assertClose("gradShortcut", gs, rgs, tol(t));
        assertClose("gradF", gf, rgf, tol(t));
        assertReductionClose("gradZ", gz, rgz, go, f, relu ? out : null, t);
    }

    /**
     * A float sum's rounding grows with the sum of the magnitudes of its terms, not with the result: gradZ is
     * compared relative to sum |g * f| over the sample.
     */
    private static void assertReductionClose(String what, INDArray actual, INDArray expected, INDArray go,
            INDArray f, INDArray out, DataType t) {
        double[] a = values(actual), e = values(expected), g = values(go), fv = values(f);
        double[] y = out == null ? null : values(out);
        int inner = g.length / a.length;
        for (int n = 0; n < a.length; n++) {
            double scale = 0;
            for (int i = n * inner; i < (n + 1) * inner; i++) {
                scale += y != null && y[i] <= 0 ? 0 : Math.abs(g[i] * fv[i]);
            }
            assertThat(Math.abs(a[n] - e[n]) / Math.max(1, scale)).as(what + "[" + n + "]")
                    .isLessThanOrEqualTo(tol(t));
        }
    }

    /**
     * Samples longer than a chunk, and not a multiple of it: the kernels' chunk loops and their remainders; with
     * {@code split}, the batch is also cut into parts run on several threads (as big batches are).
     */
    @ParameterizedTest
    @CsvSource({"FLOAT,false", "DOUBLE,false", "FLOAT,true", "DOUBLE,true"})
    void samplesSpanningSeveralChunks(DataType t, boolean split) {
        long minBefore = Parallel.minElements;
        int threadsBefore = Parallel.threads;
        if (split) {
            Parallel.minElements = 1;
            Parallel.threads = 2;
        }
        try {
            spanningChunks(t);
        } finally {
            Parallel.minElements = minBefore;
            Parallel.threads = threadsBefore;
        }
    }

    private static void spanningChunks(DataType t) {
        long[] shape = {3, 5, 15, 15};
        assertThat(shape[1] * shape[2] * shape[3]).isGreaterThan(GatedResidual.CHUNK);
        INDArray s = Fixtures.random(21, t, shape);
        INDArray f = Fixtures.random(22, t, shape);
        INDArray go = Fixtures.random(23, t, shape);
        INDArray z = Fixtures.of(t, 0.7, 0, 1);
        INDArray out = s.ulike(), ref = s.ulike();
        GatedResidual.trainForward(s, f, z, true, out);
        GatedResidualReference.trainForward(s, f, z, true, ref);
        assertClose("out", out, ref, tol(t));
        INDArray gs = s.ulike(), gf = s.ulike(), gz = Nd4j.create(t, 3);
        INDArray rgs = s.ulike(), rgf = s.ulike(), rgz = Nd4j.create(t, 3);
        GatedResidual.backward(f, z, out, go, gs, gf, gz);
        GatedResidualReference.backward(f, z, ref, go, rgs, rgf, rgz);
        assertClose("gradShortcut", gs, rgs, tol(t));
        assertClose("gradF", gf, rgf, tol(t));
        assertReductionClose("gradZ", gz, rgz, go, f, out, t);
        for (int[] rows : new int[][] {{0, 2}, {0, 1, 2}, {}}) {
            INDArray fSub = Fixtures.random(24, t, rows.length, 5, 15, 15);
            Compaction.scatterResidual(s, rows.length == 0 ? null : fSub, rows, true, out);
            GatedResidualReference.scatterResidual(s, fSub, rows, true, ref);
            assertClose("scatter " + rows.length, out, ref, tol(t));
            // in place on a non-negative shortcut (rows split across threads when split)
            INDArray target = org.nd4j.linalg.ops.transforms.Transforms.abs(s, true);
            INDArray targetRef = target.dup();
            Compaction.addRowsInPlace(target, rows.length == 0 ? null : fSub, rows, true);
            GatedResidualReference.addRowsInPlace(targetRef, fSub, rows, true);
            assertClose("addRowsInPlace " + rows.length, target, targetRef, tol(t));
        }
    }

    @Test
    void nullGradientsAreSkippedAndViewsAreRead() {
        DataType t = DataType.DOUBLE;
        INDArray s = Fixtures.random(4, t, SHAPE);
        INDArray f = Fixtures.random(5, t, SHAPE);
        INDArray go = Fixtures.random(6, t, SHAPE);
        // z as a column view of a [B, 2] matrix of another type, f as an f-order copy
        INDArray zz = Fixtures.random(7, DataType.FLOAT, SHAPE[0], 2);
        INDArray z = zz.getColumn(1);
        INDArray fF = f.dup('f');
        INDArray out = s.ulike(), ref = s.ulike();
        GatedResidual.trainForward(s, fF, z, true, out);
        GatedResidualReference.trainForward(s, f, z.castTo(t).dup(), true, ref);
        assertClose("out", out, ref, 1e-12);

        INDArray gf = s.ulike(), gz = Nd4j.create(t, SHAPE[0]);
        INDArray rgs = s.ulike(), rgf = s.ulike(), rgz = Nd4j.create(t, SHAPE[0]);
        GatedResidualReference.backward(f, z.castTo(t).dup(), ref, go, rgs, rgf, rgz);
        GatedResidual.backward(fF, z, out, go, null, gf, null);
        assertClose("gradF only", gf, rgf, 1e-12);
        GatedResidual.backward(f, z, out, go, null, null, gz);
        assertClose("gradZ only", gz, rgz, 1e-12);
        GatedResidual.backward(null, z, out, go, null, null, null);
        assertThatThrownBy(() -> GatedResidual.backward(null, z, out, go, null, null, gz))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GatedResidual.trainForward(s, f, z, true, out.dup('f')))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dense");
    }

    @ParameterizedTest
    @CsvSource({"true", "false"})
    void passesTheGradientCheck(boolean relu) {
        DataType t = DataType.DOUBLE;
        // |shortcut| >= 0.5 and |z f| < 0.3: the pre-activation stays 0.2 away from the ReLU's kink
        INDArray raw = Fixtures.random(8, t, SHAPE);
        INDArray s = Transforms.sign(raw, true).muli(Transforms.abs(raw, true).addi(0.5));
        INDArray f = Transforms.tanh(Fixtures.random(9, t, SHAPE), true).muli(0.3);
        INDArray z = Fixtures.of(t, 1, 0, 0.3, 1, 0.85, 0.5);
        INDArray out = s.ulike();
        INDArray gs = s.ulike(), gf = s.ulike(), gz = z.ulike();
        PublicGradientCheck.check("gated residual relu=" + relu, new INDArray[] {s, f, z}, () -> {
            GatedResidual.trainForward(s, f, z, relu, out);
            return new INDArray[] {out};
        }, p -> {
            GatedResidual.backward(f, z, relu ? out : null, p[0], gs, gf, gz);
            return new INDArray[] {gs, gf, gz};
        }, 11);
    }
}
