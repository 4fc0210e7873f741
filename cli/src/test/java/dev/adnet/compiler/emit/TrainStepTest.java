package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Behaviour of the generated training step beyond its gradients. */
class TrainStepTest {
    private static TrainableNetwork net(dev.adnet.compiler.ir.Graph g, DataType t) {
        return (TrainableNetwork) InMemoryCompiler.instantiate(new JavaEmitter().emit(g, TestGraphs.options("t.adnet")),
                t, 3);
    }

    private static INDArray oneHot(int batch, int classes) {
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, classes);
        for (int b = 0; b < batch; b++) {
            y.putScalar(b, b % classes, 1.0);
        }
        return y;
    }

    @Test
    void batchNormRunningStatisticsMoveDuringTrainingOnly() {
        TrainableNetwork n = net(TestGraphs.cnn(), DataType.FLOAT);
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 2, 8, 8).addi(3);
        n.forward(Map.of("image", x));
        assertThat(n.buffers().get(0).value().maxNumber().doubleValue()).isZero();
        StepResult r = n.trainStep(new Batch(Map.of("image", x), Map.of("logits", oneHot(4, 3)), Map.of()),
                new StepContext(0, 0, 0, 1));
        assertThat(n.buffers().get(0).value().minNumber().doubleValue()).isNotZero();
        assertThat(r.loss()).isPositive().isEqualTo(r.terms().get("cross_entropy(logits)"));
        assertThat(r.outputs().get("logits").shape()).containsExactly(4, 3);
        for (var p : n.parameters()) {
            assertThat(p.gradient().isNaN().any() || p.gradient().isInfinite().any()).as(p.name()).isFalse();
        }
    }

    @Test
    void dropoutIsTheIdentityAtInferenceAndSeededByTheStep() {
        TrainableNetwork n = net(TestGraphs.mlp(0.5), DataType.DOUBLE);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 5, 6);
        Batch batch = new Batch(Map.of("features", x), Map.of("scores", oneHot(5, 3)), Map.of());
        INDArray a = n.trainStep(batch, new StepContext(0, 0, 0, 1)).outputs().get("scores");
        INDArray b = n.trainStep(batch, new StepContext(0, 0, 0, 1)).outputs().get("scores");
        INDArray c = n.trainStep(batch, new StepContext(1, 0, 0, 2)).outputs().get("scores");
        assertThat(a).isEqualTo(b).isNotEqualTo(c);
        TrainableNetwork noDrop = net(TestGraphs.mlp(0.0), DataType.DOUBLE);
        INDArray train = noDrop.trainStep(batch, new StepContext(0, 0, 0, 1)).outputs().get("scores");
        INDArray infer = noDrop.forward(Map.of("features", x)).get("scores");
        assertThat(infer.equalsWithEps(train, 1e-12)).isTrue();
        assertThat(n.forward(Map.of("features", x)).get("scores").equalsWithEps(infer, 1e-12))
                .as("same seed, same parameters; dropout off at inference").isTrue();
    }

    @Test
    void appendingALayerKeepsTheInitialValuesOfEarlierOnes() {
        Network small = net(TestGraphs.cnn(false), DataType.FLOAT);
        Network larger = net(TestGraphs.cnn(true), DataType.FLOAT);
        assertThat(larger.parameters()).hasSize(small.parameters().size() + 2);
        for (int i = 0; i < small.parameters().size(); i++) {
            assertThat(larger.parameters().get(i).value()).isEqualTo(small.parameters().get(i).value());
        }
    }
}
