package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.Graph;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackwardPlannerTest {
    private static List<String> order(Plan plan) {
        return plan.steps().stream().map(s -> s.op().path()).toList();
    }

    private static Step step(Plan plan, String path) {
        return plan.steps().stream().filter(s -> s.op().path().equals(path)).findFirst().orElseThrow();
    }

    @Test
    void cnnResidualAccumulatesIntoTheBlockInput() {
        Graph g = TestGraphs.cnn();
        Plan plan = BackwardPlanner.plan(g);
        assertThat(order(plan)).containsExactly("head.fc", "head.pool", "trunk.block.add", "trunk.block.relu2",
                "trunk.block.conv2", "trunk.pool", "trunk.relu1", "trunk.bn1", "trunk.conv1");
        // the pool output feeds conv2 and the add: the add (later in forward order) writes first
        assertThat(step(plan, "trunk.block.add").inputs()).containsExactly(Write.OVERWRITE, Write.OVERWRITE);
        assertThat(step(plan, "trunk.block.conv2").inputs()).containsExactly(Write.ACCUMULATE);
        // the graph input gets no gradient
        assertThat(step(plan, "trunk.conv1").inputs()).containsExactly(Write.SKIP);
        assertThat(step(plan, "trunk.conv1").params()).containsExactly(Write.OVERWRITE, Write.OVERWRITE);
        assertThat(plan.consumers().get(g.ops().get(3).out().id())).containsExactly(4, 6);
        assertThat(plan.seeds()).singleElement().satisfies(s -> assertThat(s.write()).isEqualTo(Write.OVERWRITE));
        assertThat(plan.zeroed()).isEmpty();
        assertThat(plan.hasGradient(g.inputs().get(0).value())).isFalse();
    }

    @Test
    void sharedWeightsAccumulateAndTwoTermsOnOneOutputAccumulate() {
        Plan plan = BackwardPlanner.plan(TestGraphs.mlp(0.1));
        assertThat(step(plan, "shared2").params()).containsExactly(Write.OVERWRITE, Write.OVERWRITE);
        assertThat(step(plan, "shared1").params()).containsExactly(Write.ACCUMULATE, Write.ACCUMULATE);
        assertThat(plan.seeds()).extracting(BackwardPlanner.Seed::write)
                .containsExactly(Write.OVERWRITE, Write.ACCUMULATE);
        // the dropout output feeds shared1 and the gate
        assertThat(step(plan, "gate").inputs()).containsExactly(Write.OVERWRITE, Write.OVERWRITE);
        assertThat(step(plan, "shared1").inputs()).containsExactly(Write.ACCUMULATE);
        assertThat(step(plan, "fc1").inputs()).containsExactly(Write.SKIP);
    }

    @Test
    void opsTheLossDoesNotReachAreNotDifferentiated() {
        Plan plan = BackwardPlanner.plan(TestGraphs.fanOut());
        assertThat(order(plan)).doesNotContain("aux").startsWith("out", "twice", "f", "e", "d", "c", "b", "a", "t");
        assertThat(plan.zeroed()).containsExactly("aux.weight", "aux.bias");
        assertThat(step(plan, "twice").inputs()).containsExactly(Write.OVERWRITE, Write.ACCUMULATE);
        // t feeds a, b and aux; aux does not contribute, so b (visited first) overwrites and a accumulates
        assertThat(step(plan, "b").inputs()).containsExactly(Write.OVERWRITE);
        assertThat(step(plan, "a").inputs()).containsExactly(Write.ACCUMULATE);
    }
}
