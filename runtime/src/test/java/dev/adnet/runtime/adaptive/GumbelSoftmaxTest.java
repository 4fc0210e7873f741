package dev.adnet.runtime.adaptive;

import static dev.adnet.runtime.adaptive.Fixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.adnet.runtime.adaptive.GumbelSoftmax.Estimator;
import dev.adnet.runtime.ops.PublicGradientCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GumbelSoftmaxTest {
    @ParameterizedTest
    @EnumSource(value = DataType.class, names = {"FLOAT", "DOUBLE"})
    void withoutNoiseItIsATemperedSoftmax(DataType t) {
        INDArray logits = Fixtures.of(t, 0.1, 2, 1, -1, 3, 3, -50, 60).reshape(4, 2);
        double tau = 0.7;
        INDArray z = Nd4j.create(t, 4), soft = Nd4j.create(t, 4, 2);
        GumbelSoftmax.forward(logits, tau, Estimator.SOFT, 1, false, z, soft);
        double[] l = values(logits), s = values(soft), zv = values(z);
        double eps = t == DataType.FLOAT ? 1e-6 : 1e-14;
        for (int n = 0; n < 4; n++) {
            double e0 = Math.exp(l[2 * n] / tau), e1 = Math.exp(l[2 * n + 1] / tau);
            double s1 = Double.isInfinite(e1) ? 1 : e1 / (e0 + e1);
            assertThat(s[2 * n + 1]).isCloseTo(s1, within(eps));
            assertThat(s[2 * n] + s[2 * n + 1]).isCloseTo(1, within(eps));
            assertThat(zv[n]).isCloseTo(s1, within(eps));
        }
        GumbelSoftmax.forward(logits, tau, Estimator.STRAIGHT_THROUGH, 1, false, z, soft);
        assertThat(values(z)).containsExactly(1, 0, 0, 1); // a tie skips
        GumbelSoftmax.inference(logits, false, 0, z);
        assertThat(values(z)).containsExactly(1, 0, 0, 1);
    }

    @Test
    void noiseIsAPureFunctionOfSeedAndRow() {
        DataType t = DataType.DOUBLE;
        INDArray logits = Fixtures.random(1, t, 64, 2);
        INDArray z1 = Nd4j.create(t, 64), z2 = Nd4j.create(t, 64), s1 = Nd4j.create(t, 64, 2),
                s2 = Nd4j.create(t, 64, 2);
        GumbelSoftmax.forward(logits, 1, Estimator.SOFT, 42, true, z1, s1);
        GumbelSoftmax.forward(logits, 1, Estimator.SOFT, 42, true, z2, s2);
        assertThat(values(s1)).containsExactly(values(s2));
        GumbelSoftmax.forward(logits, 1, Estimator.SOFT, 43, true, z2, s2);
        assertThat(values(s2)).doesNotContain(values(s1)[0], values(s1)[1]);
        // the first rows of a smaller batch draw the same noise
        INDArray head = logits.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 10)).dup();
        INDArray zh = Nd4j.create(t, 10);
        GumbelSoftmax.forward(head, 1, Estimator.SOFT, 42, true, zh, null);
        assertThat(values(zh)).containsExactly(java.util.Arrays.copyOf(values(z1), 10));
    }

    @Test
    void sampledInferenceDrawsTheHardForwardsDecisionsWithTheRightProbability() {
        int b = 20000;
        DataType t = DataType.FLOAT;
        INDArray logits = Nd4j.create(t, b, 2);
        for (int n = 0; n < b; n++) {
            logits.putScalar(n, 1, 0.5); // P(execute) = sigmoid(0.5)
        }
        INDArray hard = Nd4j.create(t, b), sampled = Nd4j.create(t, b);
        GumbelSoftmax.forward(logits, 0.3, Estimator.STRAIGHT_THROUGH, 7, true, hard, null);
        GumbelSoftmax.inference(logits, true, 7, sampled);
        assertThat(values(sampled)).containsExactly(values(hard));
        double rate = sampled.sumNumber().doubleValue() / b;
        assertThat(rate).isCloseTo(1 / (1 + Math.exp(-0.5)), within(0.012)); // > 3.5 sigma
        for (int n = 0; n < 1000; n++) {
            double u = GumbelSoftmax.uniform(7, n, 1);
            assertThat(u).isGreaterThan(0).isLessThan(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Estimator.class)
    void backwardIsTheSoftSamplesGradient(Estimator est) {
        DataType t = DataType.DOUBLE;
        INDArray logits = Fixtures.random(2, t, 6, 2);
        double tau = 0.8;
        INDArray z = Nd4j.create(t, 6), soft = Nd4j.create(t, 6, 2), gl = logits.ulike();
        // the check differentiates soft[:,1], which is z for SOFT and what STRAIGHT_THROUGH passes dz through as
        PublicGradientCheck.check("gumbel " + est, new INDArray[] {logits}, () -> {
            GumbelSoftmax.forward(logits, tau, Estimator.SOFT, 5, true, z, soft);
            return new INDArray[] {z};
        }, p -> {
            INDArray zz = Nd4j.create(t, 6);
            GumbelSoftmax.forward(logits, tau, est, 5, true, zz, soft);
            GumbelSoftmax.backward(soft, tau, p[0], gl);
            return new INDArray[] {gl};
        }, 3);
    }

    @Test
    void rejectsBadArguments() {
        INDArray logits = Nd4j.create(DataType.FLOAT, 3, 2);
        INDArray z = Nd4j.create(DataType.FLOAT, 3);
        assertThatThrownBy(() -> GumbelSoftmax.forward(logits, 0, Estimator.SOFT, 0, true, z, null))
                .hasMessageContaining("tau");
        assertThatThrownBy(() -> GumbelSoftmax.forward(Nd4j.create(DataType.FLOAT, 3, 3), 1, Estimator.SOFT, 0,
                true, z, null)).hasMessageContaining("[B, 2]");
        assertThatThrownBy(() -> GumbelSoftmax.inference(logits, false, 0, Nd4j.create(DataType.FLOAT, 4)))
                .hasMessageContaining("z");
    }
}
