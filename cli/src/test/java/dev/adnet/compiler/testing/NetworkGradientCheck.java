package dev.adnet.compiler.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import java.util.Map;
import java.util.function.Predicate;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Whole-network gradient check: the parameter gradients a generated {@code trainStep} writes, against central
 * finite differences of its loss, in double precision. Every checked entry must be within 1e-6 relative error.
 */
public final class NetworkGradientCheck {
    /** Step of the central differences. */
    public static final double H = 1e-5;

    private NetworkGradientCheck() {}

    /**
     * The worst relative error and how many entries were checked.
     *
     * @param analytic the gradients trainStep wrote, copied before the first perturbation
     */
    public record Result(double worst, int checked, Map<String, INDArray> analytic) {}

    /**
     * Checks the gradients the caller's {@code net.trainStep(data, ctx)} just wrote, for the parameters
     * {@code which} selects.
     */
    public static Result check(TrainableNetwork net, Batch data, StepContext ctx, Predicate<Parameter> which) {
        Map<String, INDArray> analytic = new java.util.LinkedHashMap<>();
        for (Parameter p : net.parameters()) {
            analytic.put(p.name(), p.gradient().dup());
        }
        double worst = 0;
        int checked = 0;
        for (Parameter p : net.parameters()) {
            if (!which.test(p)) {
                continue;
            }
            INDArray g = analytic.get(p.name());
            for (long i = 0; i < p.value().length(); i++) {
                double orig = p.value().getDouble(i);
                p.value().putScalar(i, orig + H);
                double plus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig - H);
                double minus = net.trainStep(data, ctx).loss();
                p.value().putScalar(i, orig);
                double numeric = (plus - minus) / (2 * H);
                double a = g.getDouble(i);
                // relative error; below 1e-3 the denominator is floored at 1e-3, i.e. tiny gradients are checked
                // to 1e-9 absolute: the central difference of a loss of order 1 carries rounding noise of about
                // 1e-16 / H = 1e-11 per ulp, which is all that remains of a gradient that is zero in theory (the
                // bias of a convolution followed by batchnorm)
                double err = Math.abs(a - numeric) / Math.max(Math.max(Math.abs(a), Math.abs(numeric)), 1e-3);
                worst = Math.max(worst, err);
                assertThat(err).as("%s[%d]: analytic %s, numeric %s", p.name(), i, a, numeric).isLessThan(1e-6);
                checked++;
            }
        }
        return new Result(worst, checked, analytic);
    }
}
