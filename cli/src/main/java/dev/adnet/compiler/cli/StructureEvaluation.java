package dev.adnet.compiler.cli;

import dev.adnet.compiler.cost.TaskCosts;
import dev.adnet.runtime.Parameter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The section of {@code adnet eval} for a multi-task network that learned its structure: the FLOPs inference spent
 * to run all tasks (the network's cost trace), and the learned shares' policies and trees as reports beside the
 * checkpoint ({@link PolicyReport}, {@link TreeReport}).
 */
record StructureEvaluation(PolicyReport policies, TreeReport tree) {

    /** The learned structure of {@code loaded}, read from its parameters; null for a network without share or tree. */
    static StructureEvaluation of(LoadedNetwork loaded) {
        Map<String, INDArray> params = new HashMap<>();
        for (Parameter p : loaded.network().parameters()) {
            params.put(p.name(), p.value());
        }
        PolicyReport policies = PolicyReport.of(loaded.compiled().graph(), params::get);
        TreeReport tree = TreeReport.of(loaded.compiled().cost(), params::get);
        return policies == null && tree == null ? null : new StructureEvaluation(policies, tree);
    }

    /** Prints the section and writes the reports into {@code dir}; {@code meanFlops} is the measured cost per sample. */
    void report(LoadedNetwork loaded, long meanFlops, Path dir, PrintWriter out) throws IOException {
        TaskCosts costs = TaskCosts.of(loaded.compiled().graph(), loaded.compiled().cost());
        out.printf(Locale.ROOT, "FLOPs per sample to run all tasks: %,d (the units and nodes the tasks' argmax structure "
                + "runs, each computed once for the tasks that share it), of %,d with every unit and node run for every task%n",
                meanFlops, costs.allTasks());
        List<Path> files = new ArrayList<>();
        if (policies != null) {
            out.print(policies.text());
            files.addAll(policies.write(dir));
        }
        if (tree != null) {
            out.print(tree.text());
            files.addAll(tree.write(dir));
        }
        for (Path written : files) {
            out.println("wrote " + written);
        }
        out.flush();
    }
}
