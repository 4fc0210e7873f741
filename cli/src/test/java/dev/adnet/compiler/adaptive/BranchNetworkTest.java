package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.testing.NetworkGradientCheck;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.train.Batch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A learned tree compiled from source: the whole network's gradients with the soft parent mixture (into every
 * node's weights and the parent logits) against finite differences in double, and inference reading each node's
 * argmax parent.
 */
class BranchNetworkTest {
    static final String TREE = """
            network Tree {
              input x: [2, 6, 6]
              task a: classes(3)
              task b: classes(2)
              stem = x -> conv(2, 3) -> relu
              f = stem -> branch tree(tau = 0.7) {
                conv(2, 3) -> relu
                conv(3, 3, stride = 2) -> tanh
                conv(2, 3)
              }
              a = f -> global_avg_pool -> dense(3)
              b = f -> global_avg_pool -> dense(2)
              train {
                loss cross_entropy(a) + 0.5 * cross_entropy(b)
                temperature anneal(from = 2.0, to = 0.5)
              }
            }
            """;

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("tree.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    @Test
    void softMixtureWholeNetworkGradientCheck() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(TREE), DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(17);
        randomize(net, rnd);
        Batch data = batch(4, rnd);
        // part way through the anneal, with Gumbel noise drawn from the step's seed
        StepContext ctx = new StepContext(5, 1, 0.3, 99);
        net.trainStep(data, ctx);
        // the logits, and the weights of one node per layer: the gradient reaches them through every path
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> p.name().endsWith(".parents")
                || p.name().startsWith("f.branch1.l1.b.") || p.name().startsWith("f.branch1.l2.a.conv1.bias")
                || p.name().startsWith("stem.conv1.bias"));
        System.out.printf("branch tree: max relative error %.3g over %d entries%n", result.worst(), result.checked());
        assertThat(result.worst()).isLessThan(1e-6);
        assertThat(result.analytic().get("f.branch1.l2.a.parents").amaxNumber().doubleValue()).isGreaterThan(0);
        assertThat(result.analytic().get("f.branch1.l3.b.parents").amaxNumber().doubleValue()).isGreaterThan(0);
    }

    /**
     * At inference a node reads its argmax parent: a's leaf reading b's layer-2 node gives what it gives reading its own
     * once its own node computes the same (b's weights copied onto a's nodes), and something else before.
     */
    @Test
    void inferenceReadsTheArgmaxParent() {
        Network net = InMemoryCompiler.instantiate(compile(TREE), DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(5);
        randomize(net, rnd);
        Map<String, INDArray> in = Map.of("x", batch(3, rnd).inputs().get("x"));
        logits(net, "f.branch1.l2.a.parents", 1, 0);
        logits(net, "f.branch1.l2.b.parents", 0, 1);
        logits(net, "f.branch1.l3.a.parents", 0, 1);
        INDArray viaB = net.forward(in).get("a").dup();
        logits(net, "f.branch1.l3.a.parents", 1, 0);
        assertThat(net.forward(in).get("a")).isNotEqualTo(viaB);
        copy(net, "f.branch1.l1.a.", "f.branch1.l1.b.");
        copy(net, "f.branch1.l2.a.", "f.branch1.l2.b.");
        assertThat(net.forward(in).get("a")).isEqualTo(viaB);
    }

    /**
     * All tasks at once compute only the nodes on their argmax paths, a node two paths share once, and a task's own
     * entry point only its path: the outputs equal, the cost trace of {@code predict} counts the nodes.
     */
    @Test
    void inferenceComputesOnlyTheArgmaxPathsEachNodeOnce() {
        CompiledNetwork compiled = compile(TREE);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(8);
        randomize(net, rnd);
        Map<String, INDArray> in = Map.of("x", batch(3, rnd).inputs().get("x"));
        // a: l1.a -> l2.b -> l3.a; b: l1.a -> l2.b -> l3.b; nodes l1.b and l2.a on no path
        logits(net, "f.branch1.l2.a.parents", 0, 1);
        logits(net, "f.branch1.l2.b.parents", 1, 0);
        logits(net, "f.branch1.l3.a.parents", 0, 1);
        logits(net, "f.branch1.l3.b.parents", 0, 1);
        dev.adnet.compiler.cost.TreeCost tree = dev.adnet.compiler.cost.TreeCost.of(compiled.cost()).get(0);
        long[][] node = tree.nodeFlops();
        long fixed = net.flopsPerSample() - tree.trainingFlops();
        dev.adnet.runtime.Prediction all = net.predict(in);
        assertThat(all.flops()[0]).isEqualTo(fixed + node[0][0] + node[1][1] + node[2][0] + node[2][1]);
        for (String task : List.of("a", "b")) {
            INDArray alone = net.forward(in, task).get(task);
            assertThat(alone).as("task %s alone", task).isEqualTo(all.outputs().get(task));
            assertThat(alone).as("task %s alone", task).isEqualTo(net.forward(in).get(task));
        }
        // the same nodes with the unused ones' weights scrambled: they are not computed
        for (Parameter p : net.parameters()) {
            if (p.name().startsWith("f.branch1.l1.b.") || p.name().startsWith("f.branch1.l2.a.") && !p.name().endsWith(".parents")) {
                p.value().assign(Double.NaN);
            }
        }
        for (String task : List.of("a", "b")) {
            assertThat(net.forward(in).get(task)).as("task %s", task).isEqualTo(all.outputs().get(task));
            assertThat(net.forward(in, task).get(task)).as("task %s alone", task).isEqualTo(all.outputs().get(task));
        }
    }

    private static void logits(Network net, String name, double first, double second) {
        INDArray v = param(net, name);
        v.putScalar(0, first);
        v.putScalar(1, second);
    }

    /** Copies every parameter under {@code from} onto the same name under {@code to}. */
    private static void copy(Network net, String to, String from) {
        for (Parameter p : net.parameters()) {
            if (p.name().startsWith(from) && !p.name().endsWith(".parents")) {
                param(net, to + p.name().substring(from.length())).assign(p.value());
            }
        }
    }

    private static INDArray param(Network net, String name) {
        return net.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().value();
    }

    private static Batch batch(int n, SplittableRandom rnd) {
        INDArray x = Nd4j.create(DataType.DOUBLE, n, 2, 6, 6);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray a = Nd4j.zeros(DataType.DOUBLE, n, 3);
        INDArray b = Nd4j.zeros(DataType.DOUBLE, n, 2);
        for (int i = 0; i < n; i++) {
            a.putScalar(i, rnd.nextInt(3), 1.0);
            b.putScalar(i, rnd.nextInt(2), 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("a", a, "b", b), Map.of());
    }
}
