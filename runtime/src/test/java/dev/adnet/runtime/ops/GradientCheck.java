package dev.adnet.runtime.ops;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Central finite-difference check of a VJP, in DOUBLE precision.
 *
 * <p>For outputs {@code y_k = f_k(inputs)} and fixed random projections {@code g_k}, the scalar
 * {@code L = sum_k sum(g_k * y_k)} has gradient {@code VJP(g)} with respect to every input. Each input element is
 * perturbed by {@code +-EPS} and {@code (L+ - L-) / 2 EPS} compared with the analytic value by
 * {@code |a - n| / max(|a|, |n|, FLOOR)}: relative where the gradient is sizeable, absolute (scaled by FLOOR)
 * where it is near zero, since the round-off of L (about 1e-9 after division by 2 EPS) makes tiny gradients
 * meaningless relatively. The analytic VJP is taken once, at the unperturbed point, before any perturbation (so
 * saved statistics from the forward are those of the real inputs).
 */
final class GradientCheck {
    static final double EPS = 1e-6;
    static final double TOLERANCE = 1e-6;
    static final double FLOOR = 1e-2;

    private GradientCheck() {}

    /**
     * @param inputs the arrays perturbed (dense DOUBLE); forward must read them
     * @param forward runs f on the current inputs and returns its outputs (may be reused buffers)
     * @param backward given the output projections, returns the gradient for each input, null entries skipped
     * @return the largest error found
     */
    static double check(String name, INDArray[] inputs, Supplier<INDArray[]> forward,
            Function<INDArray[], INDArray[]> backward, long seed) {
        INDArray[] outs = forward.get();
        INDArray[] proj = new INDArray[outs.length];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int k = 0; k < outs.length; k++) {
            proj[k] = Testing.random(rnd, DataType.DOUBLE, outs[k].shape());
        }
        INDArray[] grads = backward.apply(proj);
        INDArray[] analytic = new INDArray[grads.length];
        for (int i = 0; i < grads.length; i++) {
            analytic[i] = grads[i] == null ? null : grads[i].dup('c');
        }
        return compare(name, inputs, analytic, () -> project(forward.get(), proj));
    }

    /** The same for a scalar function (a loss) whose gradients are given directly. */
    static double checkScalar(String name, INDArray[] inputs, DoubleSupplier f, Supplier<INDArray[]> gradients) {
        INDArray[] grads = gradients.get();
        INDArray[] analytic = new INDArray[grads.length];
        for (int i = 0; i < grads.length; i++) {
            analytic[i] = grads[i] == null ? null : grads[i].dup('c');
        }
        return compare(name, inputs, analytic, f);
    }

    private static double compare(String name, INDArray[] inputs, INDArray[] analytic, DoubleSupplier f) {
        assertThat(analytic).as(name + ": one gradient per input").hasSameSizeAs(inputs);
        double worst = 0;
        String where = "";
        for (int i = 0; i < inputs.length; i++) {
            if (analytic[i] == null) {
                continue;
            }
            INDArray x = inputs[i];
            assertThat(x.dataType()).isEqualTo(DataType.DOUBLE);
            assertThat(analytic[i].shape()).as(name + " gradient shape of input " + i).isEqualTo(x.shape());
            for (long j = 0; j < x.length(); j++) {
                double v = x.getDouble(j);
                x.putScalar(j, v + EPS);
                double plus = f.getAsDouble();
                x.putScalar(j, v - EPS);
                double minus = f.getAsDouble();
                x.putScalar(j, v);
                double numeric = (plus - minus) / (2 * EPS);
                double a = analytic[i].getDouble(j);
                double err = Math.abs(a - numeric) / Math.max(FLOOR, Math.max(Math.abs(a), Math.abs(numeric)));
                if (err > worst) {
                    worst = err;
                    where = "input " + i + " element " + j + ": analytic " + a + ", numeric " + numeric;
                }
            }
        }
        assertThat(worst).as(name + ": worst relative error at " + where).isLessThanOrEqualTo(TOLERANCE);
        return worst;
    }

    /** sum_k sum(g_k * y_k), with Neumaier-compensated summation. */
    private static double project(INDArray[] outs, INDArray[] proj) {
        double sum = 0;
        double c = 0;
        for (int k = 0; k < outs.length; k++) {
            INDArray y = outs[k].dup('c');
            for (long j = 0; j < y.length(); j++) {
                double t = y.getDouble(j) * proj[k].getDouble(j);
                double s = sum + t;
                c += Math.abs(sum) >= Math.abs(t) ? (sum - s) + t : (t - s) + sum;
                sum = s;
            }
        }
        return sum + c;
    }
}
