package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Thresholds in the exit report read as written, whether the network stores them as floats or doubles. */
class ExitReportTest {
    @Test
    void thresholdsReadAsStored() {
        assertThat(ExitReport.shortest((float) 0.97)).as("0.97 stored by a FLOAT network").isEqualTo("0.97");
        assertThat(ExitReport.shortest(0.97)).as("0.97 stored by a DOUBLE network").isEqualTo("0.97");
        assertThat(ExitReport.shortest(0.123456789012)).as("a calibrated DOUBLE threshold keeps its digits")
                .isEqualTo("0.123456789012");
        assertThat(ExitReport.shortest(0.5)).isEqualTo("0.5");
    }
}
