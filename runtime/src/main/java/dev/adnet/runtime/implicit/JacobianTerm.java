package dev.adnet.runtime.implicit;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Jacobian-norm regulariser of a fixed point (Bai, Koltun, Kolter 2021, "Stabilizing Equilibrium Models by
 * Jacobian Regularization"): {@code R = ||eps^T J_f(z*)||^2 / N} with one Gaussian probe {@code eps} per sample and
 * step (Hutchinson's estimator of the squared Frobenius norm), {@code N} the batch's elements.
 *
 * <p>Its gradient is a second derivative of the body. With {@code u = eps^T J_f(z*)} and {@code w = 2u / N}, the
 * derivative of R with respect to anything f reads (z*, its parameters, its injected inputs) is, by the symmetry of
 * mixed partials, the derivative along {@code w} of the body's vector-Jacobian product from eps: the generated code
 * takes it as the central difference of that product at {@code z* + h w} and {@code z* - h w} (the cotangents scaled
 * so that the two passes add into the gradients directly). The part with respect to z* joins {@code dL/dz*} before
 * the implicit backward solve, so R's dependence on z* is differentiated too (the paper's code holds z* fixed, whose
 * gradient is then not the term's). The difference's error is of order {@code h^2}; {@code h} moves z* by a relative
 * {@code 1e-5} in double (3e-3 in float), about the cube root of the type's precision.
 */
public final class JacobianTerm {
    private JacobianTerm() {}

    /** A standard-normal array of {@code like}'s shape and type, from {@code seed}. */
    public static INDArray probe(INDArray like, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        INDArray eps = Nd4j.createUninitialized(like.dataType(), like.shape());
        double[] v = new double[Math.toIntExact(like.length())];
        for (int i = 0; i < v.length; i++) {
            v[i] = rnd.nextGaussian();
        }
        eps.assign(Nd4j.createFromArray(v).castTo(like.dataType()).reshape(like.shape()));
        return eps;
    }

    /** Every row of a batch of {@code batch} samples, in order. */
    public static int[] allRows(long batch) {
        int[] rows = new int[Math.toIntExact(batch)];
        java.util.Arrays.setAll(rows, i -> i);
        return rows;
    }

    /** {@code ||u||^2 / N}: the term's value, from {@code u = eps^T J_f(z*)}. */
    public static double value(INDArray u) {
        return u.length() == 0 ? 0 : u.castTo(DataType.DOUBLE).norm2Number().doubleValue() * u.castTo(DataType.DOUBLE)
                .norm2Number().doubleValue() / u.length();
    }

    /**
     * The central difference's two points and cotangents, {@code {z* + h w, c, z* - h w, -c}} with {@code w = 2u / N}
     * and {@code c = weight * eps / (2h)}; null when {@code u} is zero (the term has no gradient).
     */
    public static INDArray[] centralDifference(INDArray star, INDArray u, INDArray eps, double weight) {
        double wMax = 2 * u.amaxNumber().doubleValue() / u.length();
        if (!(wMax > 0) || weight == 0) {
            return null;
        }
        double delta = star.dataType() == DataType.DOUBLE ? 1e-5 : 3e-3;
        double h = delta * (1 + star.amaxNumber().doubleValue()) / wMax;
        INDArray step = u.mul(2 * h / u.length());
        INDArray c = eps.mul(weight / (2 * h));
        return new INDArray[] {star.add(step), c, star.sub(step), c.neg()};
    }
}
