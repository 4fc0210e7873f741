package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.maxDiff;
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
 * AdaShare networks compiled from source: the whole network's gradients (units, heads and the tasks' policy logits,
 * with the sparsity and sharing terms) against finite differences with the soft estimator, and inference with the
 * argmax policy against networks written without the share.
 */
class ShareNetworkTest {
    private static final String SHARED = """
            block U(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Shared {
              input x: [2, 6, 6]
              task a: classes(3)
              task b: classes(2)
              h = x -> conv(4, 3) -> relu
              f = h -> share adashare(sparsity = 0.3, sharing = 0.2, estimator = "%s") { residual U(4); residual U(4) -> relu }
              a = f -> global_avg_pool -> dense(3)
              b = f -> global_avg_pool -> dense(2)
              train {
                loss cross_entropy(a) + cross_entropy(b) + 2.0 * sparsity() + 0.5 * sharing()
                temperature 0.7
              }
            }
            """;

    /** What task a of SHARED computes when it runs the first unit and skips the second, and task b when it skips both. */
    private static final String FIXED = """
            block U(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Fixed {
              input x: [2, 6, 6]
              output a: [3]
              output b: [2]
              h = x -> conv(4, 3) -> relu
              a = h -> residual U(4) -> global_avg_pool -> dense(3)
              b = h -> global_avg_pool -> dense(2)
            }
            """;

    static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("share.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    @Test
    void softPoliciesWholeNetworkGradientCheck() {
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compile(String.format(SHARED, "soft")),
                DataType.DOUBLE, 3);
        SplittableRandom rnd = new SplittableRandom(17);
        randomize(net, rnd);
        Batch data = batch(4, rnd);
        StepContext ctx = new StepContext(0, 0, 0, 99);
        net.trainStep(data, ctx);
        NetworkGradientCheck.Result result = NetworkGradientCheck.check(net, data, ctx, p -> true);
        assertThat(result.checked()).isGreaterThan(100);
        for (String task : List.of("a", "b")) {
            for (int u = 1; u <= 2; u++) {
                assertThat(result.analytic().get("f.share1.policy." + task + ".unit" + u).norm2Number().doubleValue())
                        .as("the gradient of task %s's policy for unit %d", task, u).isGreaterThan(1e-6);
            }
        }
        System.out.printf("share, soft policies: max relative error %.3g over %d entries%n", result.worst(), result.checked());
    }

    @Test
    void inferenceRunsEachTasksArgmaxPolicy() {
        Network shared = InMemoryCompiler.instantiate(compile(String.format(SHARED, "straight_through")), DataType.DOUBLE, 5);
        Network fixed = InMemoryCompiler.instantiate(compile(FIXED), DataType.DOUBLE, 5);
        SplittableRandom rnd = new SplittableRandom(3);
        randomize(shared, rnd);
        Map<String, Parameter> byName = new java.util.HashMap<>();
        shared.parameters().forEach(p -> byName.put(p.name(), p));
        logits(byName, "a", 1, 2.0, -1.0);
        logits(byName, "a", 2, -0.5, 0.5);
        logits(byName, "b", 1, 0.0, 0.0); // a tie skips
        logits(byName, "b", 2, -3.0, 1.0);
        for (Parameter p : fixed.parameters()) {
            String name = p.name().replace("a.residual1.", "f.share1.unit1.residual1.");
            p.value().assign(byName.get(name).value());
        }
        INDArray x = batch(5, rnd).inputs().get("x");
        Map<String, INDArray> got = shared.forward(Map.of("x", x));
        Map<String, INDArray> want = fixed.forward(Map.of("x", x));
        assertThat(maxDiff(got.get("a"), want.get("a"))).isLessThan(1e-12);
        assertThat(maxDiff(got.get("b"), want.get("b"))).isLessThan(1e-12);
        assertThat(shared.tasks()).containsExactly("a", "b");
        for (String task : List.of("a", "b")) {
            Map<String, INDArray> one = shared.forward(Map.of("x", x), task);
            assertThat(one.keySet()).containsExactly(task);
            assertThat(maxDiff(one.get(task), got.get(task))).as("task %s alone", task).isEqualTo(0.0);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> shared.forward(Map.of("x", x), "c"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no task 'c'; the tasks are [a, b]");
    }

    /** Three tasks on two units of equal cost, for counting the units inference computes. */
    private static final String THREE = """
            block U(c: int) { conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3) }
            network Three {
              input x: [2, 6, 6]
              task a: classes(3)
              task b: classes(2)
              task c: classes(2)
              h = x -> conv(4, 3) -> relu
              f = h -> share adashare() { residual U(4); residual U(4) }
              a = f -> global_avg_pool -> dense(3)
              b = f -> global_avg_pool -> dense(2)
              c = f -> global_avg_pool -> dense(2)
            }
            """;

    /**
     * All tasks at once compute a unit once for the tasks whose policies decide alike up to it (the same input, the
     * same unit), and give each task exactly what its own entry point gives. The count comes from {@code predict}'s
     * cost trace: the network's fixed FLOPs plus those of each unit computed.
     */
    @Test
    void severalTasksComputeAUnitTheirPoliciesShareOnce() {
        Network net = InMemoryCompiler.instantiate(compile(THREE), DataType.DOUBLE, 5);
        SplittableRandom rnd = new SplittableRandom(11);
        randomize(net, rnd);
        Map<String, Parameter> byName = new java.util.HashMap<>();
        net.parameters().forEach(p -> byName.put(p.name(), p));
        INDArray x = batch(4, rnd).inputs().get("x");
        String[] tasks = {"a", "b", "c"};
        policies(byName, tasks, new boolean[][] {{false, false}, {false, false}, {false, false}});
        long fixed = net.predict(Map.of("x", x)).flops()[0];
        policies(byName, tasks, new boolean[][] {{true, false}, {false, false}, {false, false}});
        long unit = net.predict(Map.of("x", x)).flops()[0] - fixed;
        assertThat(unit).isPositive();
        // {decisions of a, b, c}, and the units computed: a and b share unit 1; c runs unit 2 on another input
        Object[][] cases = {
            {new boolean[][] {{true, true}, {true, false}, {false, true}}, 3},
            {new boolean[][] {{true, true}, {true, true}, {true, true}}, 2},
            {new boolean[][] {{false, true}, {true, true}, {false, true}}, 3},
            {new boolean[][] {{true, false}, {false, true}, {true, true}}, 3},
        };
        for (Object[] c : cases) {
            policies(byName, tasks, (boolean[][]) c[0]);
            dev.adnet.runtime.Prediction all = net.predict(Map.of("x", x));
            assertThat(all.flops()[0]).as("units computed for %s", java.util.Arrays.deepToString((boolean[][]) c[0]))
                    .isEqualTo(fixed + (int) c[1] * unit);
            Map<String, INDArray> forward = net.forward(Map.of("x", x));
            for (String task : tasks) {
                INDArray alone = net.forward(Map.of("x", x), task).get(task);
                assertThat(maxDiff(all.outputs().get(task), alone)).as("task %s", task).isEqualTo(0.0);
                assertThat(maxDiff(forward.get(task), alone)).as("task %s", task).isEqualTo(0.0);
            }
        }
    }

    private static void policies(Map<String, Parameter> params, String[] tasks, boolean[][] runs) {
        for (int t = 0; t < tasks.length; t++) {
            for (int u = 0; u < runs[t].length; u++) {
                logits(params, tasks[t], u + 1, runs[t][u] ? 1.0 : -1.0, 0.0);
            }
        }
    }

    private static void logits(Map<String, Parameter> params, String task, int unit, double select, double skip) {
        params.get("f.share1.policy." + task + ".unit" + unit).value().assign(Nd4j.createFromArray(select, skip));
    }

    private static Batch batch(int n, SplittableRandom rnd) {
        INDArray x = Nd4j.create(DataType.DOUBLE, n, 2, 6, 6);
        for (long i = 0; i < x.length(); i++) {
            x.putScalar(i, 2 * rnd.nextDouble() - 1);
        }
        INDArray a = Nd4j.zeros(DataType.DOUBLE, n, 3);
        INDArray b = Nd4j.zeros(DataType.DOUBLE, n, 2);
        int[] la = new int[n];
        int[] lb = new int[n];
        for (int i = 0; i < n; i++) {
            la[i] = rnd.nextInt(3);
            lb[i] = rnd.nextInt(2);
            a.putScalar(i, la[i], 1.0);
            b.putScalar(i, lb[i], 1.0);
        }
        return new Batch(Map.of("x", x), Map.of("a", a, "b", b), Map.of("a", la, "b", lb));
    }
}
