package dev.adnet.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {
    @Test
    void constant() {
        LearningRateSchedule s = LearningRateSchedule.of(ScheduleConfig.constant());
        assertThat(s.rate(0, 10, 5, 0.1)).isEqualTo(0.1);
        assertThat(s.rate(49, 10, 5, 0.1)).isEqualTo(0.1);
    }

    @Test
    void stepAtMilestones() {
        LearningRateSchedule s = LearningRateSchedule.of(
                new ScheduleConfig(ScheduleConfig.Kind.STEP, new double[] {2, 3.5}, 0.1, 0, 0));
        assertThat(s.rate(19, 10, 5, 1.0)).isEqualTo(1.0);
        assertThat(s.rate(20, 10, 5, 1.0)).isCloseTo(0.1, within(1e-15));
        assertThat(s.rate(34, 10, 5, 1.0)).isCloseTo(0.1, within(1e-15));
        assertThat(s.rate(35, 10, 5, 1.0)).isCloseTo(0.01, within(1e-15));
    }

    @Test
    void cosineToMinimum() {
        LearningRateSchedule s = LearningRateSchedule.of(
                new ScheduleConfig(ScheduleConfig.Kind.COSINE, new double[0], 1, 0.001, 0));
        assertThat(s.rate(0, 10, 2, 0.1)).isCloseTo(0.1, within(1e-15));
        assertThat(s.rate(19, 10, 2, 0.1)).isCloseTo(0.001, within(1e-15));
        double mid = s.rate(9, 10, 2, 0.1);
        assertThat(mid).isGreaterThan(0.0505).isLessThan(0.1);
        for (int i = 1; i < 20; i++) {
            assertThat(s.rate(i, 10, 2, 0.1)).isLessThan(s.rate(i - 1, 10, 2, 0.1));
        }
    }

    @Test
    void linearWarmupThenCosine() {
        LearningRateSchedule s = LearningRateSchedule.of(
                new ScheduleConfig(ScheduleConfig.Kind.COSINE, new double[0], 1, 0.0, 0.5));
        // 10 steps per epoch: 5 warm-up steps, rates 0.02, 0.04, ... 0.1
        assertThat(s.rate(0, 10, 3, 0.1)).isCloseTo(0.02, within(1e-15));
        assertThat(s.rate(4, 10, 3, 0.1)).isCloseTo(0.1, within(1e-15));
        assertThat(s.rate(5, 10, 3, 0.1)).isCloseTo(0.1, within(1e-15));
        assertThat(s.rate(29, 10, 3, 0.1)).isCloseTo(0.0, within(1e-15));
    }
}
