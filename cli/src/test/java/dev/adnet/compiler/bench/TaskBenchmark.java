package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cost.TaskCosts;
import dev.adnet.runtime.Network;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One task of a multi-task network through its own entry point ({@code forward(inputs, task)}, which runs only the
 * ops that task's output depends on) against the whole network ({@code forward(inputs)}, every task), paired batch
 * by batch in one process on one instance ({@link BenchSupport#pairedCalls}). Meant for a learned tree, frozen
 * ({@code adnet freeze}) or not, whose tasks share a prefix and then part; the FLOPs ratio is all tasks, as
 * {@code predict} traces them (what the tasks share computed once), over the task's path, as {@code adnet describe}
 * prints it (for a share: with every unit run). Inputs are the first {@code limit}
 * Fashion-MNIST test images; before timing, each task's scores from its entry point are checked against the whole
 * network's. For a network of three or more tasks without a share or tree, the first two tasks as a chosen set
 * ({@code forward(inputs, Set<String>)}) against the whole network too.
 *
 * <pre>
 * ./mvnw -q -o -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes:compiler/target/classes:runtime/target/classes" \
 *     dev.adnet.compiler.bench.TaskBenchmark NET.adnet NET.ckpt [batch=256] [runs=5] [limit=10000]
 * </pre>
 */
public final class TaskBenchmark {
    private TaskBenchmark() {}

    public static void main(String[] args) {
        BenchSupport.Inference inf = BenchSupport.Inference.parse(args);
        CompiledNetwork compiled = inf.compiled();
        TaskCosts costs = TaskCosts.of(compiled.graph(), compiled.cost());
        if (costs == null) {
            System.err.println(args[0] + ": network '" + compiled.graph().name() + "' has no tasks");
            System.exit(1);
        }
        Network net = inf.load();
        List<INDArray> batches = BenchSupport.testBatches(net, inf.batch(), inf.limit());
        String in = net.inputs().get(0).name();
        // all tasks as inference runs them: a learned structure's shared units and nodes once (predict's cost trace)
        long all = net.predict(Map.of(in, batches.get(0))).flops()[0];
        System.out.printf(Locale.ROOT, "%s: %d batches of %d; FLOPs per sample, all tasks %,d%n", compiled.graph().name(),
                batches.size(), inf.batch(), all);
        for (TaskCosts.Task task : costs.tasks()) {
            INDArray whole = net.forward(Map.of(in, batches.get(0))).get(task.name());
            INDArray alone = net.forward(Map.of(in, batches.get(0)), task.name()).get(task.name());
            double diff = whole.sub(alone).amaxNumber().doubleValue();
            if (diff != 0) {
                throw new IllegalStateException(task.name() + ": its entry point differs from the whole network by " + diff);
            }
        }
        BenchSupport.run(net, batches); // warm-up of the whole network
        for (TaskCosts.Task task : costs.tasks()) {
            String name = task.name();
            for (INDArray x : batches) { // warm-up of the task's entry point
                net.forward(Map.of(in, x), name);
            }
            double ratio = (double) all / task.maxFlops();
            System.out.printf(Locale.ROOT, "task %s: FLOPs %,d, ratio all/one %.3f; speed-up / FLOPs ratio: %s%n", name,
                    task.maxFlops(), ratio, BenchSupport.pairedCalls(batches, x -> net.forward(Map.of(in, x), name),
                            x -> net.forward(Map.of(in, x)), inf.runs(), ratio));
        }
        List<String> names = costs.tasks().stream().map(TaskCosts.Task::name).toList();
        Long pairFlops = names.size() > 2 ? TaskCosts.chosenFlops(compiled.graph(), compiled.cost(), names.subList(0, 2)) : null;
        if (pairFlops != null) {
            // a chosen set (here the first two tasks): what they share computed once, nothing for the others
            Set<String> pair = new LinkedHashSet<>(names.subList(0, 2));
            for (String task : pair) {
                INDArray alone = net.forward(Map.of(in, batches.get(0)), task).get(task);
                double diff = net.forward(Map.of(in, batches.get(0)), pair).get(task).sub(alone).amaxNumber().doubleValue();
                if (diff != 0) {
                    throw new IllegalStateException(pair + ": task " + task + " differs from its entry point by " + diff);
                }
            }
            for (INDArray x : batches) {
                net.forward(Map.of(in, x), pair);
            }
            double ratio = (double) all / pairFlops;
            System.out.printf(Locale.ROOT, "tasks %s: FLOPs %,d, ratio all/these %.3f; speed-up / FLOPs ratio: %s%n", pair,
                    pairFlops, ratio, BenchSupport.pairedCalls(batches, x -> net.forward(Map.of(in, x), pair),
                            x -> net.forward(Map.of(in, x)), inf.runs(), ratio));
        }
    }
}
