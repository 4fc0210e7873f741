package dev.adnet.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Small helpers for the op tests. */
final class Testing {
    private Testing() {}

    /** Standard normal entries, c order. */
    static INDArray random(SplittableRandom rnd, DataType t, long... shape) {
        INDArray a = Nd4j.create(t, shape, Nd4j.getStrides(shape, 'c'), 'c');
        for (long i = 0; i < a.length(); i++) {
            double u1 = 1 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            a.putScalar(i, Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
        }
        return a;
    }

    static INDArray random(long seed, DataType t, long... shape) {
        return random(new SplittableRandom(seed), t, shape);
    }

    static INDArray zeros(DataType t, long... shape) {
        return Nd4j.zeros(t, shape);
    }

    /** The array's elements in c order as doubles. */
    static double[] values(INDArray a) {
        INDArray d = a.dup('c');
        double[] v = new double[(int) d.length()];
        for (int i = 0; i < v.length; i++) {
            v[i] = d.getDouble(i);
        }
        return v;
    }

    static void assertClose(String what, INDArray actual, double[] expected, double tol) {
        double[] v = values(actual);
        assertThat(v).as(what + " length").hasSize(expected.length);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < v.length; i++) {
            double err = Math.abs(v[i] - expected[i]) / Math.max(1, Math.abs(expected[i]));
            if (err > worst) {
                worst = err;
                at = i;
            }
        }
        assertThat(worst).as(what + ": worst error at " + at).isLessThanOrEqualTo(tol);
    }

    static double tolerance(DataType t) {
        return t == DataType.DOUBLE ? 1e-10 : 1e-5;
    }
}
