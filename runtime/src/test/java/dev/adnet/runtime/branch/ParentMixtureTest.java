package dev.adnet.runtime.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.adnet.runtime.ops.PublicGradientCheck;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ParentMixtureTest {
    private static final SplittableRandom RND = new SplittableRandom(7);

    @Test
    void gradientsOfTheSoftMixtureMatchFiniteDifferences() {
        INDArray[] parents = new INDArray[3];
        for (int k = 0; k < 3; k++) {
            parents[k] = PublicGradientCheck.random(RND, DataType.DOUBLE, 4, 2, 3, 3);
        }
        INDArray logits = PublicGradientCheck.random(RND, DataType.DOUBLE, 3);
        double tau = 0.8;
        INDArray out = Nd4j.create(DataType.DOUBLE, 4, 2, 3, 3);
        INDArray[] inputs = {parents[0], parents[1], parents[2], logits};
        double worst = PublicGradientCheck.check("parent mixture", inputs,
                () -> {
                    ParentMixture.forward(parents, logits, tau, 11, true, out);
                    return new INDArray[] {out};
                },
                proj -> {
                    double[] w = ParentMixture.forward(parents, logits, tau, 11, true, out);
                    INDArray[] gp = new INDArray[3];
                    for (int k = 0; k < 3; k++) {
                        gp[k] = Nd4j.zeros(DataType.DOUBLE, 4, 2, 3, 3);
                    }
                    INDArray gl = Nd4j.create(DataType.DOUBLE, 3);
                    ParentMixture.backward(parents, w, tau, proj[0], gp, gl);
                    return new INDArray[] {gp[0], gp[1], gp[2], gl};
                }, 3);
        assertThat(worst).isLessThan(PublicGradientCheck.TOLERANCE);
    }

    @Test
    void parentGradientsAreWrittenAndSkippedWhereNotWanted() {
        INDArray[] parents = {Nd4j.ones(DataType.DOUBLE, 2, 2), Nd4j.ones(DataType.DOUBLE, 2, 2)};
        INDArray dy = Nd4j.ones(DataType.DOUBLE, 2, 2);
        INDArray[] grads = {Nd4j.ones(DataType.DOUBLE, 2, 2), null};
        ParentMixture.backward(parents, new double[] {0.25, 0.75}, 1, dy, grads, null);
        assertThat(grads[0].getDouble(0)).isEqualTo(0.25);
    }

    @Test
    void withoutNoiseTheWeightsAreATemperedSoftmaxAndFloatAgreesWithDouble() {
        INDArray logits = Nd4j.createFromArray(1.0, 2.0, -1.0);
        double[] w = ParentMixture.weights(logits, 3, 2.0, 0, false);
        double z = Math.exp(0.5) + Math.exp(1.0) + Math.exp(-0.5);
        assertThat(w[0]).isCloseTo(Math.exp(0.5) / z, within(1e-15));
        assertThat(w[0] + w[1] + w[2]).isCloseTo(1, within(1e-15));
        INDArray[] pd = {PublicGradientCheck.random(RND, DataType.DOUBLE, 5, 4),
            PublicGradientCheck.random(RND, DataType.DOUBLE, 5, 4), PublicGradientCheck.random(RND, DataType.DOUBLE, 5, 4)};
        INDArray[] pf = {pd[0].castTo(DataType.FLOAT), pd[1].castTo(DataType.FLOAT), pd[2].castTo(DataType.FLOAT)};
        INDArray od = Nd4j.create(DataType.DOUBLE, 5, 4), of = Nd4j.create(DataType.FLOAT, 5, 4);
        ParentMixture.forward(pd, logits, 2.0, 5, true, od);
        ParentMixture.forward(pf, logits.castTo(DataType.FLOAT), 2.0, 5, true, of);
        for (int i = 0; i < 20; i++) {
            assertThat(of.getDouble(i)).isCloseTo(od.getDouble(i), within(1e-5));
        }
    }

    @Test
    void aLowTemperatureApproachesTheArgmaxParent() {
        INDArray logits = Nd4j.createFromArray(0.3, 1.2, 1.1);
        assertThat(ParentMixture.argmax(logits)).isEqualTo(1);
        assertThat(ParentMixture.weights(logits, 3, 1e-3, 0, false)[1]).isCloseTo(1, within(1e-12));
        assertThat(ParentMixture.argmax(Nd4j.createFromArray(2.0, 2.0))).isZero();
    }

    @Test
    void badArgumentsAreNamed() {
        INDArray[] parents = {Nd4j.ones(DataType.DOUBLE, 2, 2), Nd4j.ones(DataType.DOUBLE, 2, 3)};
        INDArray out = Nd4j.create(DataType.DOUBLE, 2, 2);
        assertThatThrownBy(() -> ParentMixture.forward(parents, Nd4j.zeros(DataType.DOUBLE, 2), 1, 0, false, out))
                .hasMessageContaining("does not match");
        INDArray[] same = {out, out};
        assertThatThrownBy(() -> ParentMixture.forward(same, Nd4j.zeros(DataType.DOUBLE, 3), 1, 0, false, out))
                .hasMessageContaining("expected 2 parent logits");
        assertThatThrownBy(() -> ParentMixture.forward(same, Nd4j.zeros(DataType.DOUBLE, 2), 0, 0, false, out))
                .hasMessageContaining("tau must be positive");
    }
}
