package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.batch;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.runtime.StepContext;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.TrainingGuard;
import dev.adnet.runtime.train.Batch;
import java.lang.reflect.Field;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A training step entered while another one runs on the same instance is refused with a clear error (two steps
 * would mix their batches in the gradients and running statistics), and steps one after the other work from any
 * thread.
 */
class ConcurrentTrainingTest {
    private static final String GATED = """
            network Gated {
              input x: [2, 6, 6]
              output y: [3]
              h = x -> conv(4, 3) -> relu -> gate(target = 0.5) residual { conv(4, 3) -> batchnorm -> relu -> conv(4, 3) }
              y = h -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    @Test
    void aStepWhileAnotherThreadTrainsTheSameInstanceThrows() throws Exception {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(GatedNetworkTest.compile(GATED), DataType.FLOAT, 3);
        Batch data = batch(4, new SplittableRandom(1), DataType.FLOAT);
        StepContext ctx = new StepContext(0, 0, 0, 7);
        // another thread inside a step, held there: what the generated trainStep does first is enter the guard
        TrainingGuard guard = guardOf(net);
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        Thread trainer = new Thread(() -> {
            guard.enter();
            entered.countDown();
            try {
                finish.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                guard.exit();
            }
        });
        trainer.start();
        entered.await();
        assertThatThrownBy(() -> net.trainStep(data, ctx)).isInstanceOf(IllegalStateException.class)
                .hasMessage("Gated is already training on another thread; use one instance per training thread");
        finish.countDown();
        trainer.join();
        assertThat(net.trainStep(data, ctx).loss()).as("the next step, once the other one finished").isFinite();
    }

    @Test
    void stepsOneAfterTheOtherOnDifferentThreadsRun() throws Exception {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(GatedNetworkTest.compile(GATED), DataType.FLOAT, 3);
        Batch data = batch(4, new SplittableRandom(1), DataType.FLOAT);
        StepContext ctx = new StepContext(0, 0, 0, 7);
        double first = net.trainStep(data, ctx).loss();
        double[] second = new double[1];
        Thread other = new Thread(() -> second[0] = net.trainStep(data, ctx).loss());
        other.start();
        other.join();
        assertThat(second[0]).as("no optimizer ran between them: the same loss").isEqualTo(first);
    }

    private static TrainingGuard guardOf(TrainableNetwork net) throws ReflectiveOperationException {
        Field f = net.getClass().getDeclaredField("trainingGuard");
        f.setAccessible(true);
        return (TrainingGuard) f.get(net);
    }
}
