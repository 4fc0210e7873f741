package dev.adnet.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.gson.JsonParser;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.testing.SoftmaxRegression;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

class TrainerTest {
    static Dataset train;
    static Dataset test;
    static int threads;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        FashionMnist.Source s = FashionMnist.locate(null, Path.of("/nonexistent"));
        train = s.train();
        test = s.test();
        threads = Nd4j.getEnvironment().maxMasterThreads();
        Nd4j.getEnvironment().setMaxMasterThreads(1);
    }

    @AfterAll
    static void restoreThreads() {
        Nd4j.getEnvironment().setMaxMasterThreads(threads);
    }

    static DataLoader loader(int n, long seed) {
        return DataLoader.builder(train, SoftmaxRegression.INPUT, SoftmaxRegression.OUTPUT).batchSize(32).limit(n)
                .shuffle(seed).build();
    }

    static DataLoader testLoader(int n) {
        return DataLoader.builder(test, SoftmaxRegression.INPUT, SoftmaxRegression.OUTPUT).batchSize(100).limit(n).build();
    }

    static final OptimizerConfig ADAMW = OptimizerConfig.adamw(0.01, 0.01, 0.9, 0.999, 1e-8);
    static final ScheduleConfig COSINE = new ScheduleConfig(ScheduleConfig.Kind.COSINE, new double[0], 1, 1e-4, 0.5);

    Trainer trainer(SoftmaxRegression net, OptimizerConfig opt, int epochs, Path out) {
        return new Trainer(net, Optimizers.create(opt), LearningRateSchedule.of(COSINE), opt.learningRate(),
                new Trainer.Options().epochs(epochs).seed(5).outputDirectory(out).shutdownHook(false));
    }

    static List<double[]> values(SoftmaxRegression net) {
        List<double[]> v = new ArrayList<>();
        for (Parameter p : net.parameters()) {
            v.add(p.value().dup().data().asDouble());
        }
        v.add(net.buffers().get(0).value().dup().data().asDouble());
        return v;
    }

    @Test
    void lossFallsAndTheModelLearns() {
        SoftmaxRegression net = new SoftmaxRegression(1);
        Trainer t = new Trainer(net, Optimizers.create(OptimizerConfig.sgd(0.05, 0.9, true, 1e-4)),
                LearningRateSchedule.of(ScheduleConfig.constant()), 0.05, new Trainer.Options().epochs(4).shutdownHook(false));
        Trainer.Result r = t.fit(loader(384, 3), testLoader(300));
        assertThat(r.completed()).isTrue();
        List<EpochMetrics> h = r.history();
        assertThat(h).hasSize(4);
        assertThat(h.get(3).trainLoss()).isLessThan(h.get(0).trainLoss() * 0.8);
        assertThat(h.get(3).trainLoss()).isLessThan(1.0);
        assertThat(h.get(3).testAccuracy().get(SoftmaxRegression.OUTPUT)).isGreaterThan(0.6);
        Evaluator.Result e = Evaluator.evaluate(net, testLoader(300));
        assertThat(e.samples()).isEqualTo(300);
        long[][] cm = e.confusion().get(SoftmaxRegression.OUTPUT);
        long trace = 0;
        long total = 0;
        for (int i = 0; i < cm.length; i++) {
            trace += cm[i][i];
            for (long x : cm[i]) {
                total += x;
            }
        }
        assertThat(total).isEqualTo(300);
        assertThat(e.accuracy(SoftmaxRegression.OUTPUT)).isEqualTo(trace / 300.0)
                .isEqualTo(h.get(3).testAccuracy().get(SoftmaxRegression.OUTPUT));
    }

    @Test
    void writesMetricsCheckpointsAndProgress() throws IOException {
        SoftmaxRegression net = new SoftmaxRegression(1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        new Trainer(net, Optimizers.create(ADAMW), LearningRateSchedule.of(COSINE), 0.01,
                new Trainer.Options().epochs(2).seed(5).outputDirectory(dir).shutdownHook(false)
                        .progress(ps, ProgressBar.Mode.PLAIN)).fit(loader(320, 5), testLoader(100));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("epoch 1/2 ", "epoch 2/2 ", "10/10 loss", "samples/s ETA", "test acc").doesNotContain("\r");
        List<String> csv = Files.readAllLines(dir.resolve("metrics.csv"));
        assertThat(csv).hasSize(3);
        assertThat(csv.get(0)).isEqualTo(
                "epoch,step,train_loss,train_accuracy,test_accuracy_logits,learning_rate,seconds,samples_per_second");
        assertThat(csv.get(2)).startsWith("2,20,");
        var json = JsonParser.parseString(Files.readString(dir.resolve("metrics.json"))).getAsJsonArray();
        assertThat(json.size()).isEqualTo(2);
        assertThat(json.get(1).getAsJsonObject().get("step").getAsInt()).isEqualTo(20);
        Checkpoint last = Checkpoints.read(dir.resolve(Trainer.LAST));
        assertThat(last.trainer().epoch()).isEqualTo(2);
        assertThat(last.trainer().step()).isEqualTo(20);
        assertThat(last.optimizer().kind()).isEqualTo(OptimizerConfig.Kind.ADAMW);
        Checkpoint best = Checkpoints.read(dir.resolve(Trainer.BEST));
        assertThat(best.trainer().bestMetric()).isEqualTo(last.trainer().bestMetric());

        ByteArrayOutputStream redraw = new ByteArrayOutputStream();
        new Trainer(new SoftmaxRegression(1), Optimizers.create(ADAMW), LearningRateSchedule.of(COSINE), 0.01,
                new Trainer.Options().epochs(1).shutdownHook(false)
                        .progress(new PrintStream(redraw, true, StandardCharsets.UTF_8), ProgressBar.Mode.REDRAW))
                .fit(loader(320, 5), null);
        assertThat(redraw.toString(StandardCharsets.UTF_8)).contains("\repoch 1/1 [", "10/10 loss", "epoch 1/1: loss");
    }

    @Test
    void sameSeedGivesBitIdenticalParameters() {
        SoftmaxRegression a = new SoftmaxRegression(1);
        trainer(a, ADAMW, 1, null).fit(loader(256, 9), null);
        SoftmaxRegression b = new SoftmaxRegression(1);
        trainer(b, ADAMW, 1, null).fit(loader(256, 9), null);
        SoftmaxRegression c = new SoftmaxRegression(1);
        trainer(c, ADAMW, 1, null).fit(loader(256, 10), null);
        List<double[]> va = values(a);
        assertThat(values(b)).usingRecursiveComparison().isEqualTo(va);
        assertThat(values(c).get(0)).isNotEqualTo(va.get(0));
    }

    @Test
    void resumingGivesTheSameResultAsNotStopping() {
        for (OptimizerConfig opt : List.of(ADAMW, OptimizerConfig.sgd(0.05, 0.9, true, 1e-3))) {
            SoftmaxRegression straight = new SoftmaxRegression(1);
            trainer(straight, opt, 3, null).fit(loader(256, 4), null);
            for (long stopAt : new long[] {5, 8}) { // mid-epoch and at an epoch boundary (8 batches per epoch)
                Path out = dir.resolve(opt.kind() + "-" + stopAt);
                SoftmaxRegression first = new SoftmaxRegression(1);
                Trainer t1 = new Trainer(first, Optimizers.create(opt), LearningRateSchedule.of(COSINE), opt.learningRate(),
                        new Trainer.Options().epochs(3).seed(5).outputDirectory(out).shutdownHook(false).stopAfterStep(stopAt));
                Trainer.Result r1 = t1.fit(loader(256, 4), null);
                assertThat(r1.completed()).isFalse();
                assertThat(r1.state().step()).isEqualTo(stopAt);
                SoftmaxRegression resumed = new SoftmaxRegression(77); // different initial values, overwritten
                Trainer t2 = trainer(resumed, opt, 3, out);
                t2.resume(out.resolve(Trainer.LAST));
                Trainer.Result r2 = t2.fit(loader(256, 4), null);
                assertThat(r2.completed()).isTrue();
                assertThat(r2.state().step()).isEqualTo(24);
                assertThat(values(resumed)).as("%s stopped at %d", opt.kind(), stopAt).usingRecursiveComparison()
                        .isEqualTo(values(straight));
            }
        }
    }

    @Test
    void stopRequestMidStepCheckpointsTheCompletedStep() {
        SoftmaxRegression net = new SoftmaxRegression(1);
        Trainer t = trainer(net, ADAMW, 2, dir);
        net.beforeStep = step -> {
            if (step == 3) {
                t.requestStop(); // what the Ctrl-C hook does, arriving during step 3
            }
        };
        Trainer.Result r = t.fit(loader(256, 4), null);
        assertThat(r.completed()).isFalse();
        Checkpoint c = Checkpoints.read(dir.resolve(Trainer.LAST));
        assertThat(c.trainer().step()).isEqualTo(4);
        assertThat(c.trainer().batchInEpoch()).isEqualTo(4);
        assertThat(c.parameters().get("fc.weight")).isEqualTo(net.parameters().get(0).value());
    }

    @Test
    void nanGradientStopsTrainingNamingStepAndParameterAndKeepsTheLastGoodCheckpoint() throws IOException {
        SoftmaxRegression net = new SoftmaxRegression(1);
        net.nanAtStep = 11; // in the second epoch (8 batches per epoch)
        net.nanTarget = "fc.bias";
        Trainer t = trainer(net, ADAMW, 3, dir);
        assertThatThrownBy(() -> t.fit(loader(256, 4), null)).isInstanceOf(TrainingException.class)
                .hasMessageContaining("step 11 (epoch 2, batch 4)")
                .hasMessageContaining("gradient of parameter fc.bias is NaN at element 3")
                .hasMessageContaining("last good checkpoint");
        Checkpoint c = Checkpoints.read(dir.resolve(Trainer.LAST));
        assertThat(c.trainer().step()).isEqualTo(8);
        for (var p : c.parameters().values()) {
            assertThat(p.sumNumber().doubleValue()).isFinite();
        }
        // the parameters were not updated with the bad gradient
        assertThat(net.parameters().get(1).value().sumNumber().doubleValue()).isFinite();

        SoftmaxRegression lossNan = new SoftmaxRegression(1);
        lossNan.nanAtStep = 2;
        lossNan.nanTarget = "loss";
        Path other = dir.resolve("other");
        assertThatThrownBy(() -> trainer(lossNan, ADAMW, 1, other).fit(loader(256, 4), null))
                .isInstanceOf(TrainingException.class).hasMessageContaining("step 2 (epoch 1, batch 3): the loss is NaN")
                .hasMessageContaining("cross_entropy(logits) = NaN").hasMessageContaining("no checkpoint was written");
        assertThat(Files.exists(other.resolve(Trainer.LAST))).isFalse();
    }
}
