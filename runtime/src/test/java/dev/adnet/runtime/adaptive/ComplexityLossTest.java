package dev.adnet.runtime.adaptive;

import static dev.adnet.runtime.adaptive.Fixtures.values;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.adnet.runtime.ops.PublicGradientCheck;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

class ComplexityLossTest {
    private static final DataType D = DataType.DOUBLE;

    @Test
    void targetRateByHand() {
        INDArray z1 = Fixtures.of(D, 1, 0, 1, 1); // mean 0.75
        INDArray z2 = Fixtures.of(DataType.FLOAT, 0, 0); // mean 0
        INDArray g1 = z1.ulike(), g2 = z2.ulike();
        double l = TargetRateLoss.forward(new INDArray[] {z1, z2}, new double[] {0.5, 1}, new INDArray[] {g1, g2});
        assertThat(l).isCloseTo((0.0625 + 1) / 2, within(1e-15));
        assertThat(values(g1)).containsOnly(-2 * (0.5 - 0.75) / (2 * 4));
        assertThat(values(g2)).containsOnly(-2 * 1.0 / (2 * 2));
        assertThat(TargetRateLoss.forward(new INDArray[] {z1}, new double[] {0.75}, null)).isZero();
        TargetRateLoss.forward(new INDArray[] {z1, z2}, new double[] {0.5, 1}, new INDArray[] {null, g2});
    }

    @Test
    void targetRateGradientCheck() {
        INDArray[] z = {Fixtures.of(D, 0.9, 0.2, 0.7), Fixtures.of(D, 0.1, 0.3, 0.35, 0.6), Fixtures.of(D, 1, 1)};
        double[] t = {0.6, 0.7, 1};
        INDArray[] g = {z[0].ulike(), z[1].ulike(), z[2].ulike()};
        PublicGradientCheck.checkScalar("target rate", z, () -> TargetRateLoss.forward(z, t, null), () -> {
            TargetRateLoss.forward(z, t, g);
            return g;
        });
    }

    @Test
    void flopsBudgetByHandAndBelowBudget() {
        INDArray z1 = Fixtures.of(D, 1, 1), z2 = Fixtures.of(D, 0, 1);
        double[] flops = {30, 50};
        // e = (20 + 30 * 1 + 50 * 0.5) / 100 = 0.75
        INDArray g1 = z1.ulike(), g2 = z2.ulike();
        double l = FlopsBudgetLoss.forward(new INDArray[] {z1, z2}, flops, 20, 0.5, new INDArray[] {g1, g2});
        assertThat(l).isCloseTo(0.0625, within(1e-15));
        assertThat(values(g1)).containsOnly(2 * 0.25 * 30 / (2 * 100.0));
        assertThat(values(g2)).containsOnly(2 * 0.25 * 50 / (2 * 100.0));
        double below = FlopsBudgetLoss.forward(new INDArray[] {z1, z2}, flops, 20, 0.8, new INDArray[] {g1, g2});
        assertThat(below).isZero();
        assertThat(values(g1)).containsOnly(0.0);
        assertThat(values(g2)).containsOnly(0.0);
    }

    @Test
    void flopsBudgetGradientCheck() {
        // e is about 0.75 against a budget of 0.4: far from the kink at e = budget
        INDArray[] z = {Fixtures.of(D, 0.9, 0.2, 0.7), Fixtures.of(D, 0.8, 0.6, 0.95, 0.6), Fixtures.of(D, 1, 0.5)};
        double[] flops = {3e6, 1.5e6, 4e6};
        INDArray[] g = {z[0].ulike(), z[1].ulike(), z[2].ulike()};
        PublicGradientCheck.checkScalar("flops budget", z, () -> FlopsBudgetLoss.forward(z, flops, 2e6, 0.4, null),
                () -> {
                    FlopsBudgetLoss.forward(z, flops, 2e6, 0.4, g);
                    return g;
                });
    }
}
