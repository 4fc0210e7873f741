package dev.adnet.compiler.adaptive;

import static dev.adnet.compiler.testing.TestNetworks.randomize;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.TaskCosts;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Inference of a chosen set of tasks ({@code forward(inputs, Set<String>)}): each chosen task's scores exactly as its
 * own entry point gives them, for every set, on a frozen-tree-like network (a trunk, then a layer per task) and on an
 * AdaShare network whose walks decide at run time which units two chosen tasks share; the set's FLOPs are its paths'
 * union, and its walk emits no op of a task not chosen.
 */
class ChosenTasksTest {
    private static final String TREE = """
            network Frozen {
              input x: [2, 8, 8]
              task a: classes(3)
              task b: classes(2)
              task c: classes(4)
              trunk = x -> conv(4, 3, bias = false) -> batchnorm -> relu -> conv(8, 3, stride = 2) -> relu
              la = trunk -> conv(8, 3) -> relu -> global_avg_pool
              lb = trunk -> conv(8, 3) -> relu -> global_avg_pool
              lc = trunk -> conv(8, 3) -> relu -> global_avg_pool
              a = la -> dense(3)
              b = lb -> dense(2)
              c = lc -> dense(4)
            }
            """;

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

    private static CompiledNetwork compile(String source) {
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("tasks.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        return r.networks().get(0);
    }

    /** Every non-empty set of {@code tasks}, in declaration order. */
    private static List<Set<String>> sets(List<String> tasks) {
        List<Set<String>> sets = new ArrayList<>();
        for (int set = 1; set < 1 << tasks.size(); set++) {
            Set<String> s = new LinkedHashSet<>();
            for (int t = 0; t < tasks.size(); t++) {
                if ((set & (1 << t)) != 0) {
                    s.add(tasks.get(t));
                }
            }
            sets.add(s);
        }
        return sets;
    }

    private static void assertEachTaskAsAlone(Network net, Map<String, INDArray> in) {
        for (Set<String> set : sets(net.tasks())) {
            Map<String, INDArray> got = net.forward(in, set);
            assertThat(got.keySet()).as("set %s", set).containsExactlyElementsOf(set);
            for (String task : set) {
                assertThat(got.get(task)).as("task %s of set %s", task, set).isEqualTo(net.forward(in, task).get(task));
            }
        }
    }

    @Test
    void aTreeLikeNetworkGivesEachChosenTaskWhatItsOwnEntryPointGives() {
        CompiledNetwork compiled = compile(TREE);
        Network net = InMemoryCompiler.instantiate(compiled, DataType.DOUBLE, 2);
        SplittableRandom rnd = new SplittableRandom(4);
        randomize(net, rnd);
        Map<String, INDArray> in = Map.of("x", Nd4j.rand(DataType.DOUBLE, 3, 2, 8, 8).subi(0.5));
        assertEachTaskAsAlone(net, in);
        // the order of the set does not matter: the answers come in declaration order
        assertThat(net.forward(in, new LinkedHashSet<>(List.of("c", "a"))).keySet()).containsExactly("a", "c");
        // a task not chosen is not computed: its layer's weights made NaN change nothing of the others
        Map<String, INDArray> ab = net.forward(in, Set.of("a", "b"));
        for (Parameter p : net.parameters()) {
            if (p.name().startsWith("lc.")) {
                p.value().assign(Double.NaN);
            }
        }
        Map<String, INDArray> again = net.forward(in, Set.of("a", "b"));
        assertThat(again.get("a")).isEqualTo(ab.get("a"));
        assertThat(again.get("b")).isEqualTo(ab.get("b"));
    }

    @Test
    void aSetsFlopsAreItsPathsUnionAndItsWalkEmitsNoOtherTasksOps() {
        CompiledNetwork compiled = compile(TREE);
        CostModel.Report report = compiled.cost();
        long trunk = 0;
        Map<String, Long> own = new java.util.HashMap<>();
        for (int i = 0; i < compiled.graph().ops().size(); i++) {
            String path = compiled.graph().ops().get(i).path();
            long f = report.rows().get(i).flops();
            if (path.startsWith("trunk.")) {
                trunk += f;
            } else {
                own.merge(path.startsWith("l") ? path.substring(1, 2) : path.substring(0, 1), f, Long::sum); // la.* and a.*: task a
            }
        }
        assertThat(own.keySet()).containsExactlyInAnyOrder("a", "b", "c");
        assertThat(TaskCosts.chosenFlops(compiled.graph(), report, List.of("a", "c"))).isEqualTo(trunk + own.get("a") + own.get("c"));
        assertThat(TaskCosts.chosenFlops(compiled.graph(), report, List.of("b"))).isEqualTo(trunk + own.get("b"));
        assertThat(TaskCosts.chosenFlops(compiled.graph(), report, List.of("a", "b", "c")))
                .isEqualTo(TaskCosts.of(compiled.graph(), report).allTasks())
                .isEqualTo(trunk + own.get("a") + own.get("b") + own.get("c"));
        assertThatThrownBy(() -> TaskCosts.chosenFlops(compiled.graph(), report, List.of("d")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no task 'd'");
        String java = compiled.toJava("adnet.generated").toString();
        String walk = java.substring(java.indexOf("forwardTasks5(Map"), java.indexOf("forwardTasks6(Map"));
        assertThat(walk).contains("la_conv1").contains("lc_conv1").doesNotContain("lb_").contains("outputs.put(\"a\"")
                .contains("outputs.put(\"c\"");
    }

    @Test
    void chosenTasksAreChecked() {
        Network net = InMemoryCompiler.instantiate(compile(TREE), DataType.DOUBLE, 2);
        Map<String, INDArray> in = Map.of("x", Nd4j.zeros(DataType.DOUBLE, 1, 2, 8, 8));
        assertThatThrownBy(() -> net.forward(in, Set.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no task chosen");
        assertThatThrownBy(() -> net.forward(in, Set.of("a", "d"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no task 'd'").hasMessageContaining("[a, b, c]");
    }

    /** Each set's walk computes a unit once for its tasks whose policies agree, whichever tasks those are. */
    @Test
    void anAdaShareNetworksSetsShareTheirTasksUnitsAsTheirPoliciesAgree() {
        Network net = InMemoryCompiler.instantiate(compile(THREE), DataType.DOUBLE, 5);
        SplittableRandom rnd = new SplittableRandom(11);
        randomize(net, rnd);
        Map<String, INDArray> in = Map.of("x", Nd4j.rand(DataType.DOUBLE, 4, 2, 6, 6).subi(0.5));
        boolean[][][] cases = {
            {{true, true}, {true, false}, {false, true}},
            {{true, true}, {true, true}, {true, true}},
            {{false, true}, {true, true}, {true, true}},
            {{true, false}, {false, true}, {true, true}},
        };
        String[] tasks = {"a", "b", "c"};
        for (boolean[][] runs : cases) {
            for (int t = 0; t < tasks.length; t++) {
                for (int u = 0; u < 2; u++) {
                    String name = "f.share1.policy." + tasks[t] + ".unit" + (u + 1);
                    INDArray logits = net.parameters().stream().filter(p -> p.name().equals(name)).findFirst().orElseThrow().value();
                    logits.assign(Nd4j.createFromArray(runs[t][u] ? 1.0 : -1.0, 0.0));
                }
            }
            assertEachTaskAsAlone(net, in);
        }
    }
}
