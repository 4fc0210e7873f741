package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.data.BufferArray;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.share.AdaShareSchedule;
import dev.adnet.runtime.share.PolicyControl;
import dev.adnet.runtime.share.ScheduledShareNetwork;
import dev.adnet.runtime.train.AdaShareTrainer;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.StepResult;
import dev.adnet.runtime.train.TrainingConfig;
import dev.adnet.runtime.train.TrainingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * AdaShare's schedule on a network compiled from source: which parameters each phase moves (warm-up: the weights;
 * weight passes: the weights; policy passes: only the logits of the curriculum's units), on which samples (policy
 * passes on the held-out split only), the temperature decayed after each policy pass, the curriculum's mask in the
 * emitted training step, and the final choice among sampled policies.
 */
class AdaShareScheduleTest {
    private static final String SCHEDULED = """
            block U(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Scheduled {
              input x: [2, 6, 6]
              task a: classes(3)
              task b: classes(2)
              h = x -> conv(4, 3) -> relu
              f = h -> share adashare(sparsity = 0.3, sharing = 0.2) { residual U(4); residual U(4); residual U(4) }
              a = f -> global_avg_pool -> dense(3)
              b = f -> global_avg_pool -> dense(2)
              train {
                loss cross_entropy(a) + cross_entropy(b) + sparsity() + sharing()
                optimizer adam(lr = 0.01)
                policy_schedule adashare(warmup = 1, curriculum = 1, policy_lr = 0.05, temperature = 4.0, decay = 0.5, samples = 6)
                batch 8
                epochs 4
                seed 3
              }
            }
            """;
    private static final int SAMPLES = 32;
    private static final int UNITS = 3;

    @TempDir
    Path dir;

    static ScheduledShareNetwork network() {
        return (ScheduledShareNetwork) InMemoryCompiler.instantiate(ShareNetworkTest.compile(SCHEDULED), DataType.FLOAT, 3);
    }

    /** Random images whose first pixel is the sample's index, so a batch tells which samples it holds. */
    static DataLoader data() {
        SplittableRandom rnd = new SplittableRandom(11);
        float[] x = new float[SAMPLES * 72];
        int[] a = new int[SAMPLES];
        int[] b = new int[SAMPLES];
        for (int i = 0; i < SAMPLES; i++) {
            for (int j = 0; j < 72; j++) {
                x[i * 72 + j] = j == 0 ? i : (float) rnd.nextDouble();
            }
            a[i] = rnd.nextInt(3);
            b[i] = rnd.nextInt(2);
        }
        Dataset d = Dataset.builder("synthetic").input("x", BufferArray.of(x, SAMPLES, 2, 6, 6))
                .classes("a", BufferArray.of(a, SAMPLES), null).classes("b", BufferArray.of(b, SAMPLES), null).build()
                .normalised(Map.of());
        return DataLoader.builder(d).batchSize(8).shuffle(3).build();
    }

    /** What one training step saw: the control's state, the samples, every parameter before the step. */
    record Step(boolean[] sampled, double temperature, Set<Integer> samples, Map<String, INDArray> before) {}

    @Test
    void eachPhaseMovesItsOwnParametersOnItsOwnSamples() throws Exception {
        ScheduledShareNetwork net = network();
        DataLoader train = data();
        Map<Float, Integer> ids = ids(train);
        Recorder rec = new Recorder(net, ids);
        AdaShareTrainer.Result r = new AdaShareTrainer(rec, net.trainingConfig(), dir, null, null).fit(train, null);
        AdaShareSchedule s = net.adaShareSchedule();
        assertThat(r.history()).hasSize(4);
        // warm-up: one epoch of 4 steps on all 32 samples; then 3 alternations of 2 weight and 2 policy steps
        assertThat(rec.steps).hasSize(4 + 3 * 4);
        Set<Integer> heldOut = new TreeSet<>();
        for (int i = SAMPLES / 2; i < SAMPLES; i++) {
            heldOut.add(i);
        }
        Set<Integer> warm = new TreeSet<>();
        for (int i = 0; i < rec.steps.size() - 1; i++) {
            Step step = rec.steps.get(i);
            Map<String, INDArray> after = rec.steps.get(i + 1).before();
            List<String> moved = moved(step.before(), after);
            if (i < 4) {
                warm.addAll(step.samples());
                assertThat(step.sampled()).as("warm-up samples no policy").containsOnly(false);
                assertThat(moved).as("warm-up step %d", i).isNotEmpty().noneMatch(AdaShareScheduleTest::isLogit);
                assertThat(step.temperature()).isEqualTo(4.0);
                continue;
            }
            int a = (i - 4) / 4;
            int k = Math.min(UNITS, a + 1);
            for (int u = 0; u < UNITS; u++) {
                assertThat(step.sampled()[u]).as("alternation %d unit %d", a, u).isEqualTo(u >= UNITS - k);
            }
            assertThat(step.temperature()).isEqualTo(4.0 * Math.pow(0.5, a));
            boolean policyPass = (i - 4) % 4 >= 2;
            if (policyPass) {
                assertThat(heldOut).as("policy step %d reads held-out samples only", i).containsAll(step.samples());
                assertThat(moved).as("policy step %d", i).isNotEmpty().allMatch(AdaShareScheduleTest::isLogit)
                        .allMatch(n -> unit(n) > UNITS - k);
            } else {
                assertThat(step.samples()).as("weight step %d never reads held-out samples", i).doesNotContainAnyElementsOf(heldOut);
                assertThat(moved).as("weight step %d", i).isNotEmpty().noneMatch(AdaShareScheduleTest::isLogit);
            }
        }
        assertThat(warm).hasSize(SAMPLES);
        // the end: the network runs the chosen policy, set as logits (1, 0) or (0, 1), written to chosen.ckpt
        for (String name : net.policyLogits()) {
            INDArray l = param(net, name).value();
            assertThat(l.getDouble(0) + l.getDouble(1)).isEqualTo(1.0);
            assertThat(l.getDouble(0)).isIn(0.0, 1.0);
        }
        assertThat(dir.resolve(AdaShareTrainer.CHOSEN)).exists();
        String policy = Files.readString(dir.resolve(AdaShareTrainer.POLICY));
        assertThat(policy).contains("6 policies sampled", "chosen: " + r.chosen());
        assertThat(r.chosen()).matches("a:( (select|skip)){3}; b:( (select|skip)){3}");
        assertThat(r.heldOut()).containsOnlyKeys("a", "b");
        assertThat(s.samples()).isEqualTo(6);
        assertThat(Files.readAllLines(dir.resolve("metrics.csv"))).hasSize(1 + 4);
    }

    @Test
    void aWarmupThatLeavesNoEpochIsNamed() {
        ScheduledShareNetwork net = network();
        assertThatThrownBy(() -> new AdaShareTrainer(net, net.trainingConfig().withEpochs(1), null, null, null))
                .isInstanceOf(TrainingException.class)
                .hasMessage("AdaShare's schedule needs an epoch after its 1 warm-up epochs to learn the policies; 1 epochs given");
        assertThatThrownBy(() -> AdaShareTrainer.split(data(), 0.9, 1)).isInstanceOf(TrainingException.class)
                .hasMessageContaining("leaves a split smaller than one batch of 8");
    }

    @Test
    void theEmittedStepFollowsTheControl() {
        ScheduledShareNetwork net = network();
        Batch batch = data().epoch(0).iterator().next();
        PolicyControl control = net.policyControl();
        control.warmup(true);
        StepResult warm = net.trainStep(batch, new StepContext(0, 0, 0, 5));
        for (String name : net.policyLogits()) {
            assertThat(param(net, name).gradient().sumNumber().doubleValue()).as(name).isZero();
            assertThat(param(net, name).gradient().getDouble(0)).as(name).isZero();
        }
        assertThat(warm.terms()).containsEntry("sparsity()", 0.0);
        control.warmup(false);
        control.sampleLast(1);
        net.trainStep(batch, new StepContext(1, 0, 0, 5));
        for (String name : net.policyLogits()) {
            double g = param(net, name).gradient().getDouble(0);
            if (unit(name) == UNITS) {
                assertThat(g).as(name).isNotZero();
            } else {
                assertThat(g).as(name).isZero();
            }
        }
    }

    private static boolean isLogit(String name) {
        return name.contains(".policy.");
    }

    /** A logit's unit, from 1. */
    private static int unit(String name) {
        return Integer.parseInt(name.substring(name.lastIndexOf(".unit") + 5));
    }

    private static Parameter param(ScheduledShareNetwork net, String name) {
        return net.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> moved(Map<String, INDArray> before, Map<String, INDArray> after) {
        List<String> moved = new ArrayList<>();
        before.forEach((n, v) -> {
            if (!v.equals(after.get(n))) {
                moved.add(n);
            }
        });
        return moved;
    }

    /** Each sample's first (normalised) pixel to its index. */
    private static Map<Float, Integer> ids(DataLoader train) {
        Map<Float, Integer> ids = new HashMap<>();
        DataLoader ordered = DataLoader.builder(train.dataset()).batchSize(SAMPLES).build();
        INDArray x = ordered.epoch(0).iterator().next().inputs().get("x");
        for (int i = 0; i < SAMPLES; i++) {
            ids.put(x.getFloat(i, 0, 0, 0), i);
        }
        return ids;
    }

    /** The network, recording each training step before it runs. */
    private static final class Recorder implements ScheduledShareNetwork {
        final ScheduledShareNetwork net;
        final Map<Float, Integer> ids;
        final List<Step> steps = new ArrayList<>();

        Recorder(ScheduledShareNetwork net, Map<Float, Integer> ids) {
            this.net = net;
            this.ids = ids;
        }

        @Override
        public StepResult trainStep(Batch batch, StepContext context) {
            PolicyControl c = net.policyControl();
            boolean[] sampled = new boolean[UNITS];
            for (int u = 0; u < UNITS; u++) {
                sampled[u] = c.sampled(u, UNITS);
            }
            Set<Integer> samples = new TreeSet<>();
            INDArray x = batch.inputs().get("x");
            for (int i = 0; i < x.size(0); i++) {
                samples.add(ids.get(x.getFloat(i, 0, 0, 0)));
            }
            Map<String, INDArray> before = new HashMap<>();
            net.parameters().forEach(p -> before.put(p.name(), p.value().dup()));
            steps.add(new Step(sampled, c.temperatureOr(Double.NaN), samples, before));
            return net.trainStep(batch, context);
        }

        @Override
        public PolicyControl policyControl() {
            return net.policyControl();
        }

        @Override
        public AdaShareSchedule adaShareSchedule() {
            return net.adaShareSchedule();
        }

        @Override
        public List<String> policyLogits() {
            return net.policyLogits();
        }

        @Override
        public TrainingConfig trainingConfig() {
            return net.trainingConfig();
        }

        @Override
        public String name() {
            return net.name();
        }

        @Override
        public String sourceHash() {
            return net.sourceHash();
        }

        @Override
        public DataType dataType() {
            return net.dataType();
        }

        @Override
        public List<TensorSpec> inputs() {
            return net.inputs();
        }

        @Override
        public List<TensorSpec> outputs() {
            return net.outputs();
        }

        @Override
        public List<String> tasks() {
            return net.tasks();
        }

        @Override
        public List<Parameter> parameters() {
            return net.parameters();
        }

        @Override
        public List<Buffer> buffers() {
            return net.buffers();
        }

        @Override
        public Map<String, INDArray> forward(Map<String, INDArray> inputs) {
            return net.forward(inputs);
        }

        @Override
        public long flopsPerSample() {
            return net.flopsPerSample();
        }
    }
}
