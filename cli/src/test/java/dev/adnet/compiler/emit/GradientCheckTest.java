package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Whole-network gradient checks in DOUBLE: every parameter gradient that trainStep's emitted backward pass writes,
 * against central finite differences of trainStep's loss.
 */
class GradientCheckTest {
    @ParameterizedTest(name = "channels-last {0}")
    @ValueSource(booleans = {true, false})
    void cnnWithBatchNormAndResidual(boolean channelsLast) {
        double err = check(TestGraphs.cnn(), "image", new long[] {3, 2, 8, 8}, "logits", 3, false, channelsLast);
        assertThat(err).isLessThan(1e-6);
    }

    @Test
    void mlpWithLayerNormGeluDropoutAndSharedWeights() {
        // rate 0.25 with a fixed step seed: the same mask in every evaluation
        double err = check(TestGraphs.mlp(0.25), "features", new long[] {4, 6}, "scores", 3, true);
        assertThat(err).isLessThan(1e-6);
    }

    @Test
    void fanOutThroughAddSubScaleWithMseAndAnUnusedHead() {
        double err = check(TestGraphs.fanOut(), "x", new long[] {4, 5}, "y", 3, false);
        assertThat(err).isLessThan(1e-6);
    }

    @ParameterizedTest(name = "channels-last {0}")
    @ValueSource(booleans = {true, false})
    void concatAvgPoolFlattenSoftmaxWithTwoLossedOutputs(boolean channelsLast) {
        double err = check(TestGraphs.concatPool(), "x", new long[] {3, 2, 6, 6}, "logits", 4, false, channelsLast);
        assertThat(err).isLessThan(1e-6);
    }

    private static double check(Graph graph, String input, long[] shape, String output, int classes,
            boolean alsoMse) {
        return check(graph, input, shape, output, classes, alsoMse, true);
    }

    private static double check(Graph graph, String input, long[] shape, String output, int classes,
            boolean alsoMse, boolean channelsLast) {
        EmitOptions o = TestGraphs.options("t.adnet");
        EmitOptions options = new EmitOptions(o.javaPackage(), o.sourceFile(), o.sourceHash(), o.compilerVersion(),
                o.flopsPerSample(), channelsLast);
        String java = new JavaEmitter().emit(graph, options).toString();
        if (shape.length == 4) {
            assertThat(java.contains("ChannelsLastTraining.")).as("trainStep runs channels-last").isEqualTo(channelsLast);
        }
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(
                new JavaEmitter().emit(graph, options), DataType.DOUBLE, 5);
        SplittableRandom rnd = new SplittableRandom(17);
        for (Parameter p : net.parameters()) {
            for (long i = 0; i < p.value().length(); i++) {
                double base = p.name().endsWith("gamma") ? 1.0 : 0.0;
                p.value().putScalar(i, base + 0.6 * (2 * rnd.nextDouble() - 1));
            }
        }
        INDArray x = Nd4j.create(DataType.DOUBLE, shape);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        long batch = shape[0];
        INDArray oneHot = Nd4j.zeros(DataType.DOUBLE, batch, classes);
        for (int b = 0; b < batch; b++) {
            oneHot.putScalar(b, rnd.nextInt(classes), 1.0);
        }
        // a stale gradient from before the step must not survive it
        net.parameters().forEach(p -> p.gradient().assign(7.0));
        Map<String, INDArray> targets = new java.util.HashMap<>(Map.of(output, oneHot));
        for (var spec : net.outputs()) {
            if (!targets.containsKey(spec.name())) { // a regression target for every other output
                INDArray t = Nd4j.create(DataType.DOUBLE, spec.batchShape(batch));
                for (long i = 0; i < t.length(); i++) {
                    t.putScalar(i, rnd.nextDouble());
                }
                targets.put(spec.name(), t);
            }
        }
        Batch data = new Batch(Map.of(input, x), targets, Map.of());
        StepContext ctx = new StepContext(0, 0, 0, 99);
        StepResult r = net.trainStep(data, ctx);
        if (alsoMse) {
            assertThat(r.terms()).containsKeys("cross_entropy(scores)", "mse(scores)");
            assertThat(r.loss()).isCloseTo(r.terms().values().stream().mapToDouble(Double::doubleValue).sum(),
                    org.assertj.core.data.Offset.offset(1e-12));
        }
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        for (Parameter p : net.parameters()) {
            INDArray g = result.analytic().get(p.name());
            if (p.name().startsWith("aux.")) {
                assertThat(g.norm2Number().doubleValue()).as("gradient of %s (unused by the loss)", p.name())
                        .isZero();
            } else {
                assertThat(g.norm2Number().doubleValue()).as("gradient of %s", p.name()).isGreaterThan(0);
            }
        }
        double worst = result.worst();
        int checked = result.checked();
        System.out.printf("%s: %d gradient entries checked, max relative error %.3g%n", graph.name(), checked, worst);
        return worst;
    }
}
