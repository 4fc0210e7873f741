package dev.adnet.runtime.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.adnet.runtime.TensorSpec;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The exit policies' statistics, routing of one inference call, and the offline replay with calibration. */
class ExitRoutingTest {

    @Test
    void confidenceAndEntropyMatchTheSoftmaxComputedPlainly() {
        double[] logits = {0.3, -1.2, 2.5, 0.0, 1000.0, 999.0, -5.0, 1000.0};
        for (int offset = 0; offset <= 4; offset += 4) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < 4; j++) {
                max = Math.max(max, logits[offset + j]);
            }
            double sum = 0;
            for (int j = 0; j < 4; j++) {
                sum += Math.exp(logits[offset + j] - max);
            }
            double top = 0;
            double entropy = 0;
            for (int j = 0; j < 4; j++) {
                double p = Math.exp(logits[offset + j] - max) / sum;
                top = Math.max(top, p);
                entropy -= p > 0 ? p * Math.log(p) : 0;
            }
            assertThat(ExitPolicy.confidence(logits, offset, 4)).isCloseTo(top, within(1e-12));
            assertThat(ExitPolicy.entropy(logits, offset, 4)).isCloseTo(entropy, within(1e-12));
        }
        assertThat(ExitPolicy.argmax(logits, 4, 4)).as("first of equal maxima").isEqualTo(0);
        assertThat(ExitPolicy.entropy(new double[] {1, 1, 1}, 0, 3)).isCloseTo(Math.log(3), within(1e-12));
    }

    @Test
    void samplesThatFireLeaveAndTheOutputComesBackInInputOrder() {
        ExitRouting routing = new ExitRouting(4, 2, 1);
        // samples 1 and 3 are confident at the exit
        INDArray head = Nd4j.createFromArray(new float[][] {{0, 0}, {5, 0}, {0.1f, 0}, {0, 6}});
        int[] stay = routing.decide(head, 0, ExitPolicy.CONFIDENCE, 0.9);
        assertThat(stay).containsExactly(0, 2);
        assertThat(routing.alive()).containsExactly(0, 2);
        assertThat(routing.original(new int[] {1})).containsExactly(2);
        INDArray last = Nd4j.createFromArray(new float[][] {{-1, 1}, {2, -2}});
        INDArray out = routing.finish(last, DataType.FLOAT);
        assertThat(out.toFloatMatrix()).isEqualTo(new float[][] {{-1, 1}, {5, 0}, {2, -2}, {0, 6}});
        assertThat(routing.exits()).containsExactly(1, 0, 1, 0);
    }

    @Test
    void whenEverySampleLeftEachOutputIsAFreshCopyOfTheRoutedOutput() {
        ExitRouting routing = new ExitRouting(2, 2, 1);
        INDArray head = Nd4j.createFromArray(new float[][] {{4, 0}, {0, 5}});
        assertThat(routing.decide(head, 0, ExitPolicy.CONFIDENCE, 0.9)).isEmpty();
        Map<String, INDArray> outputs = routing.exited(List.of(new TensorSpec("y", new long[] {2}),
                new TensorSpec("z", new long[] {2})), DataType.DOUBLE);
        assertThat(outputs.keySet()).containsExactly("y", "z");
        assertThat(outputs.get("y").toDoubleMatrix()).isEqualTo(new double[][] {{4, 0}, {0, 5}});
        assertThat(outputs.get("z").toDoubleMatrix()).isEqualTo(outputs.get("y").toDoubleMatrix());
        assertThat(outputs.get("z")).isNotSameAs(outputs.get("y"));
        assertThat(outputs.get("y").dataType()).isEqualTo(DataType.DOUBLE);
    }

    @Test
    void patienceCountsConsecutiveAgreeingExits() {
        ExitRouting routing = new ExitRouting(2, 3, 3);
        // sample 0 predicts class 2 at every exit; sample 1 changes its mind at exit 1
        INDArray[] heads = {
            Nd4j.createFromArray(new double[][] {{0, 0, 1}, {1, 0, 0}}),
            Nd4j.createFromArray(new double[][] {{0, 0, 1}, {0, 1, 0}}),
            Nd4j.createFromArray(new double[][] {{0, 0, 1}, {0, 1, 0}})};
        assertThat(routing.decide(heads[0], 0, ExitPolicy.PATIENCE, 2)).containsExactly(0, 1);
        assertThat(routing.decide(heads[1], 1, ExitPolicy.PATIENCE, 2)).as("sample 0 agreed twice").containsExactly(1);
        assertThat(routing.decide(heads[2].getRow(1).reshape(1, 3), 2, ExitPolicy.PATIENCE, 2)).isEmpty();
        assertThat(routing.exits()).containsExactly(1, 2);
    }

    @Test
    void aHeadOfTheWrongSizeIsRefused() {
        ExitRouting routing = new ExitRouting(3, 2, 1);
        assertThatThrownBy(() -> routing.decide(Nd4j.zeros(DataType.FLOAT, 2, 2), 0, ExitPolicy.CONFIDENCE, 0.5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("for 3 samples");
    }

    @Test
    void replayMatchesRoutingAndCalibrationMeetsTheBudget() {
        int samples = 200;
        int classes = 4;
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
        double[] h0 = new double[samples * classes];
        double[] h1 = new double[samples * classes];
        double[] last = new double[samples * classes];
        int[] labels = new int[samples];
        for (int i = 0; i < h0.length; i++) {
            h0[i] = 3 * rnd.nextDouble();
            h1[i] = 5 * rnd.nextDouble();
            last[i] = 2 * rnd.nextDouble();
        }
        for (int n = 0; n < samples; n++) {
            labels[n] = rnd.nextInt(classes);
        }
        long[] flops = {100, 300, 1000};
        ExitPolicy[] policies = {ExitPolicy.CONFIDENCE, ExitPolicy.CONFIDENCE};
        ExitSimulation sim = new ExitSimulation(List.of(h0, h1), last, labels, classes, flops, policies);

        double[] t = {0.5, 0.6};
        ExitSimulation.Outcome o = sim.outcome(t);
        ExitRouting routing = new ExitRouting(samples, classes, 2);
        int[] stay = routing.decide(Nd4j.createFromArray(h0).reshape(samples, classes), 0, ExitPolicy.CONFIDENCE, t[0]);
        INDArray rest = Nd4j.createFromArray(h1).reshape(samples, classes).getRows(stay);
        routing.decide(rest, 1, ExitPolicy.CONFIDENCE, t[1]);
        assertThat(routing.exits()).containsExactly(o.exits());
        assertThat(o.histogram()[0] + o.histogram()[1] + o.histogram()[2]).isEqualTo(samples);

        boolean[] both = {true, true};
        OptionalDouble c = sim.calibrate(500, both, t);
        assertThat(c).isPresent();
        double cost = sim.outcome(new double[] {c.getAsDouble(), c.getAsDouble()}).meanFlops();
        assertThat(cost).isLessThanOrEqualTo(500);
        double slightlyHigher = Math.min(1, c.getAsDouble() + 1e-6);
        assertThat(sim.outcome(new double[] {slightlyHigher, slightlyHigher}).meanFlops()).as("the largest such threshold")
                .isGreaterThan(500);
        assertThat(sim.calibrate(99, both, t)).as("below the first exit's cost").isEmpty();
        assertThat(sim.calibrate(1000, both, t)).hasValue(1.0);
    }

    /**
     * A FLOAT network stores its thresholds as floats. The bisection's threshold lies just below the confidence of the
     * last sample that must leave; rounded to the nearest float it can land above it, so that sample stays and the
     * budget is exceeded. Calibrating for the type the threshold is stored in gives a representable threshold that
     * still meets the budget (and is the largest one that does).
     */
    @Test
    void calibrationMeetsTheBudgetWithTheThresholdAsStored() {
        // a two-class logit gap whose confidence rounds up to the next float
        double d = 1.0;
        while (!((double) (float) confidenceOf(d) > confidenceOf(d))) {
            d += 0.001;
        }
        double c = confidenceOf(d);
        double[] head = {0, d, 0, 0.01}; // sample 0 is confident, sample 1 is not
        double[] last = {0, 1, 0, 1};
        ExitSimulation sim = new ExitSimulation(List.of(head), last, new int[] {1, 1}, 2, new long[] {10, 100},
                new ExitPolicy[] {ExitPolicy.CONFIDENCE});
        boolean[] calibrated = {true};
        double budget = 55; // sample 0 must leave
        double plain = sim.calibrate(budget, calibrated, new double[] {1.0}).orElseThrow();
        assertThat(plain).isLessThan(c);
        assertThat(sim.outcome(new double[] {(float) plain}).meanFlops()).as("the plain threshold, stored as a float")
                .isGreaterThan(budget);

        double stored = sim.calibrate(budget, calibrated, new double[] {1.0}, DataType.FLOAT).orElseThrow();
        assertThat((double) (float) stored).as("representable as a float").isEqualTo(stored);
        assertThat(sim.outcome(new double[] {stored}).meanFlops()).isLessThanOrEqualTo(budget);
        assertThat(sim.outcome(new double[] {Math.nextUp((float) stored)}).meanFlops()).as("the next float up")
                .isGreaterThan(budget);
        assertThat(sim.calibrate(budget, calibrated, new double[] {1.0}, DataType.DOUBLE)).hasValue(plain);
        assertThat(sim.calibrate(9, calibrated, new double[] {1.0}, DataType.FLOAT)).isEmpty();
        assertThat(sim.calibrate(1000, calibrated, new double[] {1.0}, DataType.FLOAT)).hasValue(1.0);
    }

    private static double confidenceOf(double gap) {
        return ExitPolicy.confidence(new double[] {0, gap}, 0, 2);
    }
}
