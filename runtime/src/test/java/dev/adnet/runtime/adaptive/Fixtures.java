package dev.adnet.runtime.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.ops.PublicGradientCheck;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Helpers for the adaptive tests. */
final class Fixtures {
    private Fixtures() {}

    static INDArray random(long seed, DataType t, long... shape) {
        return PublicGradientCheck.random(new SplittableRandom(seed), t, shape);
    }

    static INDArray of(DataType t, double... v) {
        return Nd4j.createFromArray(v).castTo(t);
    }

    static double[] values(INDArray a) {
        INDArray d = a.castTo(DataType.DOUBLE).dup('c');
        double[] v = new double[(int) d.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.getDouble(i);
        }
        return v;
    }

    /** The fused kernels against the references: 1e-6 in float, 1e-12 in double (relative above 1). */
    static double tol(DataType t) {
        return t == DataType.DOUBLE ? 1e-12 : 1e-6;
    }

    static void assertClose(String what, INDArray actual, INDArray expected, double tol) {
        assertClose(what, values(actual), values(expected), tol);
    }

    static void assertClose(String what, double[] v, double[] e, double tol) {
        assertThat(v).as(what + " length").hasSameSizeAs(e);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < v.length; i++) {
            double err = Math.abs(v[i] - e[i]) / Math.max(1, Math.abs(e[i]));
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        assertThat(worst).as(what + ": worst error at " + at).isLessThanOrEqualTo(tol);
    }
}
