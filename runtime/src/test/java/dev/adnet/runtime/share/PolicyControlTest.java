package dev.adnet.runtime.share;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * AdaShare's schedule as the training step sees it: which units sample their policy (warm-up: none; curriculum: the
 * last k), what a unit that does not sample computes (it runs, and its logits get no gradient), the temperature the
 * trainer sets, and the sparsity term over the curriculum's units with its gradient against finite differences.
 */
class PolicyControlTest {
    @Test
    void warmupAndCurriculumChooseTheSampledUnits() {
        PolicyControl c = new PolicyControl();
        for (int u = 0; u < 4; u++) {
            assertThat(c.sampled(u, 4)).isTrue();
        }
        assertThat(c.firstSampled(4)).isZero();
        c.sampleLast(1);
        assertThat(c.sampled(2, 4)).isFalse();
        assertThat(c.sampled(3, 4)).isTrue();
        assertThat(c.firstSampled(4)).isEqualTo(3);
        c.sampleLast(3);
        assertThat(c.sampled(0, 4)).isFalse();
        assertThat(c.sampled(1, 4)).isTrue();
        assertThat(c.firstSampled(2)).isZero();
        c.warmup(true);
        assertThat(c.sampled(3, 4)).isFalse();
        assertThat(c.firstSampled(4)).isEqualTo(4);
        assertThat(c.temperatureOr(0.7)).isEqualTo(0.7);
        c.setTemperature(2.5);
        assertThat(c.temperatureOr(0.7)).isEqualTo(2.5);
        assertThatThrownBy(() -> c.sampleLast(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> c.setTemperature(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aUnitThatDoesNotSampleRunsWithoutGradient() {
        INDArray logits = Nd4j.createFromArray(0.3, -0.4);
        PolicyControl c = new PolicyControl();
        c.sampleLast(1);
        c.setTemperature(2.0);
        INDArray z = Nd4j.create(DataType.DOUBLE, 3, 1);
        INDArray soft = Nd4j.create(DataType.DOUBLE, 3, 2);
        TaskPolicy.trainForward(c, 0, 2, logits, 0.7, true, 9, z, soft);
        assertThat(z.getDouble(0)).isEqualTo(1.0);
        INDArray grad = Nd4j.createFromArray(5.0, 5.0);
        TaskPolicy.backward(c, soft, 0.7, Nd4j.ones(DataType.DOUBLE, 3, 1), grad);
        assertThat(grad.getDouble(0)).isZero();
        assertThat(grad.getDouble(1)).isZero();

        // the sampled unit: the plain decision at the control's temperature, not the compiled one
        TaskPolicy.trainForward(c, 1, 2, logits, 0.7, true, 9, z, soft);
        INDArray zPlain = Nd4j.create(DataType.DOUBLE, 3, 1);
        INDArray softPlain = Nd4j.create(DataType.DOUBLE, 3, 2);
        TaskPolicy.trainForward(logits, 2.0, true, 9, zPlain, softPlain);
        assertThat(z).isEqualTo(zPlain);
        TaskPolicy.backward(c, soft, 0.7, Nd4j.ones(DataType.DOUBLE, 3, 1), grad);
        INDArray gradPlain = Nd4j.create(DataType.DOUBLE, 2);
        TaskPolicy.backward(softPlain, 2.0, Nd4j.ones(DataType.DOUBLE, 3, 1), gradPlain);
        assertThat(grad).isEqualTo(gradPlain);
        assertThat(grad.getDouble(0)).isNotZero();
    }

    @Test
    void sparsityCoversTheCurriculumsUnitsWithItsGradient() {
        INDArray[][] logits = {
            {Nd4j.createFromArray(0.2, 0.1), Nd4j.createFromArray(-0.3, 0.5), Nd4j.createFromArray(1.1, -0.2)},
            {Nd4j.createFromArray(0.0, 0.4), Nd4j.createFromArray(0.7, 0.7), Nd4j.createFromArray(-0.9, 0.3)}};
        PolicyControl c = new PolicyControl();
        assertThat(ShareLosses.sparsity(logits, c)).isCloseTo(ShareLosses.sparsity(logits), org.assertj.core.data.Offset.offset(1e-15));
        c.sampleLast(2);
        double expected = 0;
        for (INDArray[] task : logits) {
            expected += (softplus(task[1].getDouble(0) - task[1].getDouble(1)) + softplus(task[2].getDouble(0) - task[2].getDouble(1))) / 2;
        }
        assertThat(ShareLosses.sparsity(logits, c)).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-15));
        INDArray[][] grads = new INDArray[2][3];
        for (int t = 0; t < 2; t++) {
            for (int u = 0; u < 3; u++) {
                grads[t][u] = Nd4j.zeros(DataType.DOUBLE, 2);
            }
        }
        ShareLosses.sparsityGradient(logits, c, 1.5, grads);
        double h = 1e-6;
        for (int t = 0; t < 2; t++) {
            for (int u = 0; u < 3; u++) {
                for (int i = 0; i < 2; i++) {
                    double v = logits[t][u].getDouble(i);
                    logits[t][u].putScalar(i, v + h);
                    double up = ShareLosses.sparsity(logits, c);
                    logits[t][u].putScalar(i, v - h);
                    double down = ShareLosses.sparsity(logits, c);
                    logits[t][u].putScalar(i, v);
                    double numeric = 1.5 * (up - down) / (2 * h);
                    assertThat(grads[t][u].getDouble(i)).as("task %d unit %d logit %d", t, u, i)
                            .isCloseTo(numeric, org.assertj.core.data.Offset.offset(1e-8));
                }
            }
        }
        assertThat(grads[0][0].getDouble(0)).isZero();
        c.warmup(true);
        assertThat(ShareLosses.sparsity(logits, c)).isZero();
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }
}
