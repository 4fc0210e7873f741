package dev.adnet.compiler.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.compiler.testing.TestNetworks;
import dev.adnet.runtime.Buffer;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Loopy batchnorm ({@code shared(batchnorm = ...)}) compiled from source: a gated loop's pass k normalises with pass
 * k's statistics (and gamma, beta), at inference under compaction and in training, checked against the fixed shared
 * repeat with the same option (whose passes are separate ops with their own tensors); and the whole network's gradient
 * with per-pass gamma and beta against finite differences.
 */
class LoopyBatchNormNetworkTest {
    private static final String CONV = """
            network Conv {
              input x: [2, 6, 6]
              output y: [3]
              block Basic(c: int) {
                conv(c, 3) -> batchnorm -> relu -> conv(c, 3) -> batchnorm
              }
              h = x -> conv(4, 3) -> relu
              r = h -> LOOP { residual Basic(4) -> relu }
              y = r -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) + 0.5 * target_rate() }
            }
            """;

    private static final String FIXED = """
            network Conv {
              input x: [2, 6, 6]
              output y: [3]
              block Basic(c: int) {
                conv(c, 3) -> batchnorm -> relu -> conv(c, 3) -> batchnorm
              }
              h = x -> conv(4, 3) -> relu
              r = h -> LOOP { residual Basic(4) -> relu }
              y = r -> global_avg_pool -> dense(3)
              train { loss cross_entropy(y) }
            }
            """;

    private static Network gated(String norms, String gate) {
        return InMemoryCompiler.instantiate(HaltingNetworkTest.compile(CONV.replace("LOOP",
                "repeat upto 3 shared(batchnorm = \"" + norms + "\") gate(" + gate + ")")), DataType.DOUBLE, 3);
    }

    private static Network fixed(int passes, String norms) {
        return InMemoryCompiler.instantiate(HaltingNetworkTest.compile(FIXED.replace("LOOP",
                "repeat " + passes + " shared(batchnorm = \"" + norms + "\")")), DataType.DOUBLE, 3);
    }

    /**
     * Inference, compacted: each sample's output equals, row for row, the fixed repeat of as many passes as the sample
     * took, whose pass k has the loop's pass-k batchnorms; every pass's statistics, gamma and beta differ.
     */
    @Test
    void eachSampleIsNormalisedWithItsPassesOwnStatistics() {
        Network loop = gated("per_pass", "hidden = 4");
        TestNetworks.randomize(loop, new SplittableRandom(9));
        for (Parameter p : loop.parameters()) {
            if (p.name().endsWith("gate.dense2.weight")) {
                p.value().muli(30);
            }
        }
        SplittableRandom rnd = new SplittableRandom(10);
        for (Buffer b : loop.buffers()) {
            for (long i = 0; i < b.value().length(); i++) {
                b.value().putScalar(i, b.name().endsWith("running_var") ? 0.5 + rnd.nextDouble() : 0.3 * rnd.nextGaussian());
            }
            if (b.name().contains(".gate.")) {
                // the gate head's hidden units centred, so that its decisions follow the images, not its statistics
                b.value().assign(b.name().endsWith("running_var") ? 0.01 : 0.0);
            }
        }
        Batch batch = TestNetworks.batch(24, new SplittableRandom(11), DataType.DOUBLE);
        // the first bias of the execute logit, from -40 up, at which the samples' passes differ
        Parameter bias = loop.parameters().stream().filter(q -> q.name().endsWith("gate.dense2.bias")).findFirst().orElseThrow();
        bias.value().putScalar(0, 0.0);
        Prediction p = null;
        for (double b = -40; b < 40 && (p == null || Arrays.stream(p.steps()).mapToInt(s -> s[0]).distinct().count() < 2); b += 0.5) {
            bias.value().putScalar(1, b);
            p = loop.predict(batch.inputs());
        }
        INDArray[] outputs = new INDArray[4];
        for (int k = 1; k <= 3; k++) {
            Network repeat = fixed(k, "per_pass");
            copyByPass(loop, repeat);
            outputs[k] = repeat.forward(batch.inputs()).get("y");
        }
        TreeSet<Integer> seen = new TreeSet<>();
        for (int i = 0; i < 24; i++) {
            int n = p.steps()[i][0];
            seen.add(n);
            INDArray row = p.outputs().get("y").getRow(i);
            assertThat(TestNetworks.maxDiff(row, outputs[n].getRow(i))).as("sample %d after %d passes", i, n).isLessThan(1e-12);
        }
        assertThat(seen).as("the samples stop after different numbers of passes").hasSizeGreaterThan(1);
    }

    /**
     * Training computes every pass on every sample, so a gated loop's pass-k running statistics after a step are the
     * fixed repeat's pass k: each pass updates its own, and they differ from pass to pass.
     */
    @Test
    void trainingUpdatesEachPassesOwnRunningStatistics() {
        TrainableNetwork loop = (TrainableNetwork) gated("statistics", "hidden = 4");
        TestNetworks.randomize(loop, new SplittableRandom(3));
        TrainableNetwork repeat = (TrainableNetwork) fixed(3, "statistics");
        copyByPass(loop, repeat);
        Batch batch = TestNetworks.batch(16, new SplittableRandom(4), DataType.DOUBLE);
        loop.trainStep(batch, new StepContext(0, 0, 0, 5));
        repeat.trainStep(batch, new StepContext(0, 0, 0, 5));
        Map<String, INDArray> trained = new HashMap<>();
        for (Buffer b : repeat.buffers()) {
            trained.put(b.name(), b.value());
        }
        int compared = 0;
        for (Buffer b : loop.buffers()) {
            String name = fixedName(b.name());
            if (trained.containsKey(name)) {
                assertThat(TestNetworks.maxDiff(b.value(), trained.get(name))).as("%s against %s", b.name(), name).isLessThan(1e-12);
                compared++;
            }
        }
        assertThat(compared).as("two batchnorms' mean and variance, three passes").isEqualTo(12);
        INDArray first = buffer(loop, "r.repeat1.step.residual1.Basic1.batchnorm2.running_mean");
        INDArray second = buffer(loop, "r.repeat1.step.residual1.Basic1.batchnorm2.pass2.running_mean");
        assertThat(TestNetworks.maxDiff(first, second)).as("passes 1 and 2 see different statistics").isGreaterThan(1e-3);
    }

    @Test
    void wholeNetworkGradientWithPerPassGammaAndBeta() {
        TrainableNetwork net = (TrainableNetwork) gated("per_pass", "hidden = 4, estimator = \"soft\"");
        TestNetworks.randomize(net, new SplittableRandom(7));
        Batch data = TestNetworks.batch(6, new SplittableRandom(8), DataType.DOUBLE);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        for (Parameter p : net.parameters()) {
            if (p.name().contains(".pass")) {
                assertThat(result.analytic().get(p.name()).norm2Number().doubleValue()).as("gradient of %s", p.name())
                        .isGreaterThan(0);
            }
        }
        System.out.printf("gated loop with per-pass batchnorm (soft): %d gradient entries checked, max relative error %.3g%n",
                result.checked(), result.worst());
        assertThat(result.worst()).isLessThan(1e-6);
    }

    private static final Pattern PASS = Pattern.compile("^r\\.repeat1\\.step\\.(.*)\\.pass(\\d+)(\\.[a-z_]+)$");

    /**
     * The fixed repeat's name of a loop tensor: {@code r.repeat1.step.B.passK.gamma} is pass k's,
     * {@code r.repeat1.passK.B.gamma}; the step's own ({@code r.repeat1.step.B.gamma}) are pass 1's.
     */
    private static String fixedName(String loopName) {
        Matcher m = PASS.matcher(loopName);
        if (m.matches()) {
            return "r.repeat1.pass" + m.group(2) + "." + m.group(1) + m.group(3);
        }
        return loopName.replace("r.repeat1.step.", "r.repeat1.pass1.");
    }

    /** The loop's parameters and buffers into the fixed repeat's of the same pass; every one of the repeat's gets one. */
    static void copyByPass(Network from, Network to) {
        Map<String, INDArray> source = new HashMap<>();
        from.parameters().forEach(q -> source.put(fixedName(q.name()), q.value()));
        from.buffers().forEach(q -> source.put(fixedName(q.name()), q.value()));
        for (Parameter p : to.parameters()) {
            assertThat(source).as("the loop's counterpart of %s", p.name()).containsKey(p.name());
            p.value().assign(source.get(p.name()));
        }
        for (Buffer b : to.buffers()) {
            assertThat(source).as("the loop's counterpart of %s", b.name()).containsKey(b.name());
            b.value().assign(source.get(b.name()));
        }
    }

    private static INDArray buffer(Network net, String name) {
        return net.buffers().stream().filter(b -> b.name().equals(name)).findFirst().orElseThrow().value();
    }
}
