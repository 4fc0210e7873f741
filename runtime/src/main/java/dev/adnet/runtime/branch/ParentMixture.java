package dev.adnet.runtime.branch;

import dev.adnet.runtime.adaptive.GumbelSoftmax;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input of one tree node: {@code y = sum_k w_k x_k} over the K nodes {@code x_k} of the previous layer, with
 * {@code w = softmax((a + g) / tau)} for the node's parent logits {@code a} ({@code [K]}) and Gumbel noise {@code g}
 * (one draw per node and step, not per sample: the tree is a structure of the network, not of the input).
 *
 * <p>The backward is the soft estimator's: {@code dx_k = w_k dy} and
 * {@code da_k = w_k (s_k - sum_j w_j s_j) / tau} with {@code s_k = <dy, x_k>} summed over the batch. After training
 * the node reads its {@link #argmax} parent alone. The noise is {@link GumbelSoftmax#gumbel}'s pure function of
 * {@code (seed, 0, k)}, so a step is reproducible whatever the thread.
 */
public final class ParentMixture {
    private ParentMixture() {}

    /**
     * @param parents the previous layer's nodes, each {@code [B, ...]} of one shape and type
     * @param logits the node's parent logits, {@code [K]}
     * @param noise whether to add Gumbel noise (false: a plain tempered softmax)
     * @param out the mixture, the parents' shape
     * @return the weights {@code w} ({@code [K]}), which {@link #backward} needs
     */
    public static double[] forward(INDArray[] parents, INDArray logits, double tau, long seed, boolean noise,
            INDArray out) {
        checkParents(parents, out);
        double[] w = weights(logits, parents.length, tau, seed, noise);
        out.assign(parents[0]).muli(w[0]);
        for (int k = 1; k < parents.length; k++) {
            out.addi(parents[k].mul(w[k]));
        }
        return w;
    }

    /** The softmax of {@code (logits + noise) / tau}, computed in double with the maximum subtracted. */
    public static double[] weights(INDArray logits, int k, double tau, long seed, boolean noise) {
        checkTau(tau);
        if (logits.length() != k) {
            throw new IllegalArgumentException("expected " + k + " parent logits, got " + logits.length());
        }
        double[] z = new double[k];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < k; j++) {
            z[j] = (logits.getDouble(j) + (noise ? GumbelSoftmax.gumbel(seed, 0, j) : 0)) / tau;
            max = Math.max(max, z[j]);
        }
        double sum = 0;
        for (int j = 0; j < k; j++) {
            z[j] = Math.exp(z[j] - max);
            sum += z[j];
        }
        for (int j = 0; j < k; j++) {
            z[j] /= sum;
        }
        return z;
    }

    /**
     * Writes {@code w_k dy} into {@code gradParents[k]} (null entries: not wanted; a parent feeds every node of the next
     * layer, and the caller sums those contributions) and the logits' gradient into {@code gradLogits} (null: not
     * wanted).
     */
    public static void backward(INDArray[] parents, double[] w, double tau, INDArray gradOut, INDArray[] gradParents,
            INDArray gradLogits) {
        checkParents(parents, gradOut);
        checkTau(tau);
        if (w.length != parents.length || gradParents.length != parents.length) {
            throw new IllegalArgumentException("expected " + parents.length + " weights and parent gradients");
        }
        for (int k = 0; k < parents.length; k++) {
            if (gradParents[k] != null) {
                gradParents[k].assign(gradOut).muli(w[k]);
            }
        }
        if (gradLogits == null) {
            return;
        }
        if (gradLogits.length() != parents.length) {
            throw new IllegalArgumentException("expected " + parents.length + " logit gradients, got "
                    + gradLogits.length());
        }
        double[] s = new double[parents.length];
        double mean = 0;
        for (int k = 0; k < parents.length; k++) {
            s[k] = dot(gradOut, parents[k]);
            mean += w[k] * s[k];
        }
        for (int k = 0; k < parents.length; k++) {
            gradLogits.putScalar(k, w[k] * (s[k] - mean) / tau);
        }
    }

    /** The parent a trained node reads: the largest logit, the first on a tie. */
    public static int argmax(INDArray logits) {
        if (logits.length() < 1) {
            throw new IllegalArgumentException("a node needs at least one parent logit");
        }
        int best = 0;
        for (int k = 1; k < logits.length(); k++) {
            if (logits.getDouble(k) > logits.getDouble(best)) {
                best = k;
            }
        }
        return best;
    }

    /** The sum of the element-wise products, accumulated in double whatever the arrays' type. */
    private static double dot(INDArray a, INDArray b) {
        INDArray p = a.dataType() == DataType.DOUBLE ? a.mul(b) : a.castTo(DataType.DOUBLE).muli(
                b.castTo(DataType.DOUBLE));
        return p.sumNumber().doubleValue();
    }

    private static void checkParents(INDArray[] parents, INDArray like) {
        if (parents.length == 0) {
            throw new IllegalArgumentException("a node needs at least one parent");
        }
        for (INDArray p : parents) {
            if (!Arrays.equals(p.shape(), like.shape()) || p.dataType() != like.dataType()) {
                throw new IllegalArgumentException("parent " + p.shapeInfoToString() + " does not match "
                        + like.shapeInfoToString());
            }
        }
    }

    private static void checkTau(double tau) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("tau must be positive and finite, got " + tau);
        }
    }
}
