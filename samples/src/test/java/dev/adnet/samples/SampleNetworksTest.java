package dev.adnet.samples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.LearningRateSchedule;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import dev.adnet.runtime.train.StepResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Every class the plugin generated from the samples' {@code .adnet} files builds, trains and predicts. */
class SampleNetworksTest {
    static Dataset train;

    @BeforeAll
    static void data() {
        // The subset shipped in the runtime, whether or not a full copy is installed: small and always the same.
        train = FashionMnist.locate(null, Path.of("no-system-copy")).train();
    }

    static Stream<String> samples() {
        return SampleNetworks.all().keySet().stream();
    }

    @Test
    void findsTheGeneratedSamples() {
        assertThat(SampleNetworks.all().keySet()).contains("FashionAIG", "FashionResNet");
        assertThat(SampleNetworks.all()).allSatisfy((name, c) -> assertThat(c.getPackageName()).isEqualTo("dev.adnet.samples"));
    }

    /**
     * A few steps on one small batch with the sample's own optimizer and schedule: the loss stays finite and falls,
     * and every step changes the parameters.
     */
    @ParameterizedTest
    @MethodSource("samples")
    void aFewTrainingStepsLowerTheLossOnTheirBatch(String name) {
        Network created = SampleNetworks.create(name, DataType.FLOAT, 3);
        assertThat(created).isInstanceOf(TrainableNetwork.class);
        TrainableNetwork net = (TrainableNetwork) created;
        Batch batch = batchForEveryOutput(net, 16);
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        double base = net.trainingConfig().optimizer().learningRate();
        // the sample's schedule as in its first steps on the full training set (430 batches of 128), warm-up
        // included: a multi-exit recipe diverges on one batch at its full rate without its warm-up
        LearningRateSchedule schedule = LearningRateSchedule.of(net.trainingConfig().schedule());
        int epochs = net.trainingConfig().epochs();

        List<Double> losses = new ArrayList<>();
        for (int step = 0; step < 4; step++) {
            INDArray before = flatParameters(net);
            StepResult r = net.trainStep(batch, new StepContext(step, 0, step / (430.0 * epochs), 11 + step));
            optimizer.step(net.trainableParameters(), schedule.rate(step, 430, epochs, base));
            losses.add(r.loss());
            double moved = flatParameters(net).sub(before).norm2Number().doubleValue();
            assertThat(moved).as("parameter change at step %d", step).isGreaterThan(1e-6);
        }

        assertThat(losses).allSatisfy(l -> assertThat(l).isFinite());
        assertThat(losses.get(losses.size() - 1)).as("losses %s", losses).isLessThan(losses.get(0));
    }

    @ParameterizedTest
    @MethodSource("samples")
    void predictsOneScoreVectorPerImage(String name) {
        Network net = SampleNetworks.create(name, DataType.FLOAT, 3);
        Batch batch = batchForEveryOutput(net, 8);

        Map<String, INDArray> out = net.forward(batch.inputs());

        for (TensorSpec spec : net.outputs()) {
            INDArray y = out.get(spec.name());
            assertThat(y.shape()).containsExactly(8, spec.shape()[0]);
            assertThat(y.isNaN().any() || y.isInfinite().any()).isFalse();
        }
    }

    /**
     * The first {@code n} training images, with the labels as the target of every output (a multi-exit network has several);
     * a task's target is its label derived from the class ({@link FashionTasksData}).
     */
    static Batch batchForEveryOutput(Network net, int n) {
        String input = net.inputs().get(0).name();
        String first = net.outputs().get(0).name();
        if (net.inputs().get(0).shape().length == 1) { // the parity samples
            return ParityData.generate(n, Math.toIntExact(net.inputs().get(0).shape()[0]), 5, DataType.FLOAT)
                    .batch(input, first, 0, n);
        }
        Batch b = DataLoader.builder(train, input, first).batchSize(n).limit(n).build().epoch(0).iterator().next();
        Map<String, INDArray> targets = new HashMap<>();
        Map<String, int[]> labels = new HashMap<>();
        for (TensorSpec out : net.outputs()) {
            if (net.tasks().contains(out.name())) { // each task's labels, derived from the class
                int[] l = java.util.Arrays.stream(b.labels().get(first)).map(c -> FashionTasksData.label(out.name(), c)).toArray();
                INDArray y = org.nd4j.linalg.factory.Nd4j.zeros(b.targets().get(first).dataType(), n, out.shape()[0]);
                for (int i = 0; i < n; i++) {
                    y.putScalar(i, l[i], 1.0);
                }
                targets.put(out.name(), y);
                labels.put(out.name(), l);
            } else {
                targets.put(out.name(), b.targets().get(first));
                labels.put(out.name(), b.labels().get(first));
            }
        }
        return new Batch(b.inputs(), targets, labels);
    }

    static INDArray flatParameters(Network net) {
        List<INDArray> flat = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            flat.add(p.value().reshape(p.value().length()).dup());
        }
        return org.nd4j.linalg.factory.Nd4j.concat(0, flat.toArray(new INDArray[0]));
    }
}
