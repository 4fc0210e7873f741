package dev.adnet.compiler.cost;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TreeCostTest {
    @Test
    void aTreesCostInTrainingAndAfter() {
        String source = """
                network T {
                  input x: [12]
                  task a: classes(4)
                  task b: classes(3)
                  f = x -> dense(8) -> relu -> branch tree(tau = 2.0) { dense(8) -> relu; dense(6) -> relu }
                  a = f -> dense(4)
                  b = f -> dense(3)
                }
                """;
        CompileResult r = new Compiler(p -> source.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("t.adnet")));
        assertThat(r.diagnostics()).as(r.render()).isEmpty();
        List<TreeCost> trees = TreeCost.of(r.networks().get(0).cost());
        assertThat(trees).hasSize(1);
        TreeCost t = trees.get(0);
        assertThat(t.branch()).isEqualTo("f.branch1");
        assertThat(t.tasks()).containsExactly("a", "b");
        // layer 1: dense 8 -> 8 (2 * 64 + 8) and relu (8); layer 2: dense 8 -> 6 (2 * 48 + 6) and relu (6)
        assertThat(t.nodeFlops()).isDeepEqualTo(new long[][] {{144, 144}, {108, 108}});
        assertThat(t.mixtureFlops()).isEqualTo(2 * (2 * 8 * 2));
        assertThat(t.pathFlops(1)).isEqualTo(252);
        assertThat(t.minFlops()).isEqualTo(144 + 2 * 108);
        assertThat(t.maxFlops()).isEqualTo(2 * 144 + 2 * 108);
        assertThat(t.trainingFlops()).isEqualTo(2 * 144 + 2 * 108 + 64);

        // each task: the trunk (dense 12 -> 8 and relu: 2 * 96 + 8 + 8), its argmax path, its head (dense 6 -> k)
        TaskCosts tasks = TaskCosts.of(r.networks().get(0).graph(), r.networks().get(0).cost());
        long trunk = 2 * 96 + 8 + 8;
        assertThat(tasks.tasks().get(0).maxFlops()).isEqualTo(trunk + 252 + (2 * 24 + 4));
        assertThat(tasks.tasks().get(1).maxFlops()).isEqualTo(trunk + 252 + (2 * 18 + 3));
        assertThat(tasks.learned()).isTrue();
        long heads = 2 * 24 + 4 + 2 * 18 + 3;
        assertThat(tasks.allTasksUnitsShared()).isEqualTo(trunk + t.minFlops() + heads);
        assertThat(tasks.allTasks()).isEqualTo(trunk + t.maxFlops() + heads);
    }
}
