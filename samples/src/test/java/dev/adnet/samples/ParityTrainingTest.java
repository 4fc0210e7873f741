package dev.adnet.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.TrainableNetwork;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The parity difficulty curve, the budgeted training, the size variants and the chart. */
class ParityTrainingTest {

    @Test
    void theCurveTalliesEverySampleUnderItsNumberOfNonZeroEntries() {
        TrainableNetwork net = (TrainableNetwork) SampleNetworks.create("ActParity", DataType.FLOAT, 1);
        ParityData data = ParityData.generate(512, 16, 3, DataType.FLOAT);

        ParityCurve curve = ParityCurve.of(net, data);

        int[] expected = new int[17];
        for (int k : data.nonZero()) {
            expected[k]++;
        }
        assertThat(curve.samples()).containsExactly(expected);
        assertThat(curve.size()).isEqualTo(16);
        for (int k = 1; k <= 16; k++) {
            assertThat(curve.right()[k]).isBetween(0, expected[k]);
            assertThat(curve.steps()[k]).as("steps at %d", k).isBetween((long) expected[k], 20L * expected[k]);
        }
    }

    @Test
    void theCsvReadsBackAsTheSameCurve(@TempDir Path dir) throws Exception {
        ParityCurve curve = new ParityCurve(new int[] {0, 4, 0, 5}, new int[] {0, 4, 0, 2}, new long[] {0, 8, 0, 15});
        Path csv = dir.resolve("c.csv");
        Files.writeString(csv, curve.csv());

        ParityCurve read = ParityCurve.read(csv);

        assertThat(curve.csv()).isEqualTo("nonzero,samples,accuracy,mean_steps\n1,4,1.0000,2.000\n3,5,0.4000,3.000\n");
        assertThat(read.samples()).containsExactly(curve.samples());
        assertThat(read.right()).containsExactly(curve.right());
        assertThat(read.steps()).containsExactly(curve.steps());
        assertThat(read.accuracy()).isEqualTo(6 / 9.0);
        assertThat(read.meanSteps(2)).isNaN();
    }

    @Test
    void aSampleBudgetEndsTrainingAtItsCountAndTestsOn256SamplesPerEntry() {
        TrainableNetwork net = (TrainableNetwork) SampleNetworks.create("ActParity", DataType.FLOAT, 1);
        List<String> log = new ArrayList<>();

        ParityTraining.Outcome o = ParityTraining.train(net, new ParityTraining.Budget(256, 0, 2), log::add);

        assertThat(o.samples()).isEqualTo(256);
        assertThat(o.cpuSeconds()).isPositive();
        assertThat(o.stoppedAtTarget()).isFalse();
        assertThat(log).singleElement().asString().startsWith("256 samples, ");
        assertThat(java.util.Arrays.stream(o.test().samples()).sum()).isEqualTo(256 * 16);
    }

    @Test
    void aBudgetIsReadFromTheArgumentsAndNeedsALimit() {
        assertThat(ParityTraining.budget(new String[] {"ActParity", "cpu=60", "stop=0.99"}, 0, 900, 2))
                .isEqualTo(new ParityTraining.Budget(0, 60, 0.99));
        assertThat(ParityTraining.budget(new String[] {"cpu=900", "wall=2880"}, 0, 900, 2))
                .isEqualTo(new ParityTraining.Budget(0, 900, 2, 2880));
        assertThatThrownBy(() -> new ParityTraining.Budget(0, 0, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ParityTraining.budget(new String[] {"time=5"}, 0, 900, 2))
                .hasMessageContaining("unknown option 'time'");
    }

    @Test
    void aSizeVariantIsTheSampleWithAWiderInput(@TempDir Path dir) throws Exception {
        TrainableNetwork net = ParitySweep.network("act_parity", 24, dir);

        assertThat(net.name()).isEqualTo("ActParity");
        assertThat(net.inputs().get(0).shape()).containsExactly(24L);
        String variant = Files.readString(dir.resolve("variants/act_parity_24.adnet"));
        String sample = Files.readString(Path.of("src/main/adnet/dev/adnet/samples/act_parity.adnet"));
        assertThat(variant).isEqualTo(sample.replace("input bits: [16]", "input bits: [24]"));
    }

    @Test
    void theChartDrawsBothNetworks() {
        ParityCurve act = new ParityCurve(new int[] {0, 4, 4}, new int[] {0, 4, 3}, new long[] {0, 8, 12});
        ParityCurve oneStep = new ParityCurve(new int[] {0, 4, 4}, new int[] {0, 4, 2}, new long[] {0, 4, 4});

        BufferedImage img = ParityCurveChart.draw("test", act, oneStep);

        assertThat(colours(img)).contains(0x1f77b4, 0xd62728);
    }

    private static java.util.Set<Integer> colours(BufferedImage img) {
        java.util.Set<Integer> seen = new java.util.HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                seen.add(img.getRGB(x, y) & 0xffffff);
            }
        }
        return seen;
    }
}
