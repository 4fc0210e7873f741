package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Channels-last training against channels-first training of the same generated network, parameters and data
 * (double precision): after a few steps of each, the same losses, parameter gradients, parameters and running
 * statistics; in FLOAT, the same up to float rounding. Every image op with a channels-last VJP takes part:
 * convolutions (strided, dilated, biased), batchnorm alone and fused with its ReLU, both pools, concat, flatten,
 * dropout, global average pooling, gated residuals and exit heads.
 */
class ChannelsLastTrainingTest {
    @ParameterizedTest
    @ValueSource(strings = {"DOUBLE", "FLOAT"})
    void plainNetworkTrainsAsChannelsFirst(String type) {
        compareSteps(ChannelsLastInferenceTest.PLAIN, DataType.valueOf(type), new long[] {6, 3, 12, 12}, 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"DOUBLE", "FLOAT"})
    void gatesAndExitsTrainAsChannelsFirst(String type) {
        compareSteps(ChannelsLastInferenceTest.GATES_AND_EXITS, DataType.valueOf(type), new long[] {12, 1, 8, 8}, 3);
    }

    private static void compareSteps(String source, DataType type, long[] shape, int classes) {
        CompiledNetwork c = ChannelsLastInferenceTest.compile(source);
        String java = c.toJava("p", true).toString();
        assertThat(java).contains("ChannelsLast.conv2dBackward", "ChannelsLastTraining.batchNormTrain",
                "ChannelsLastTraining.batchNormBackward");
        assertThat(c.toJava("p", false).toString()).doesNotContain("ChannelsLast");
        TrainableNetwork last = (TrainableNetwork) InMemoryCompiler.instantiate(c, type, 5, true);
        TrainableNetwork first = (TrainableNetwork) InMemoryCompiler.instantiate(c, type, 5, false);
        ChannelsLastInferenceTest.randomize(last, first, 13);
        SplittableRandom rnd = new SplittableRandom(14);
        double tol = type == DataType.DOUBLE ? 1e-10 : 2e-4;
        for (int step = 0; step < 3; step++) {
            Batch data = batch(rnd, type, shape, classes);
            StepContext ctx = new StepContext(step, 0, step / 3.0, 40 + step);
            StepResult rl = last.trainStep(data, ctx);
            StepResult rf = first.trainStep(data, ctx);
            assertThat(rl.loss()).as("loss at step %d", step).isCloseTo(rf.loss(), org.assertj.core.data.Offset.offset(tol));
            for (int i = 0; i < last.parameters().size(); i++) {
                Parameter pl = last.parameters().get(i);
                Parameter pf = first.parameters().get(i);
                assertThat(relative(pl.gradient(), pf.gradient())).as("gradient of %s at step %d", pl.name(), step)
                        .isLessThan(tol);
                // a plain SGD step on both, so later steps see the same updated parameters
                pl.value().subi(pl.gradient().mul(0.1));
                pf.value().subi(pf.gradient().mul(0.1));
            }
            for (int i = 0; i < last.buffers().size(); i++) {
                Buffer bl = last.buffers().get(i);
                assertThat(relative(bl.value(), first.buffers().get(i).value())).as("buffer %s", bl.name())
                        .isLessThan(tol);
            }
        }
    }

    private static Batch batch(SplittableRandom rnd, DataType type, long[] shape, int classes) {
        INDArray x = Nd4j.create(type, shape);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray y = Nd4j.zeros(type, shape[0], classes);
        int[] labels = new int[(int) shape[0]];
        for (int b = 0; b < shape[0]; b++) {
            labels[b] = rnd.nextInt(classes);
            y.putScalar(b, labels[b], 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("y", y), Map.of("y", labels));
    }

    /** The largest difference relative to the larger array's largest magnitude (at least 1). */
    private static double relative(INDArray a, INDArray b) {
        double scale = Math.max(1, Math.max(a.amaxNumber().doubleValue(), b.amaxNumber().doubleValue()));
        return a.sub(b).amaxNumber().doubleValue() / scale;
    }
}
