package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.TaskCosts;
import java.util.Locale;

/** The tasks of {@code adnet describe}: each task's FLOPs alone, and all tasks run together. */
final class TaskCostSection {
    private TaskCostSection() {}

    static void append(StringBuilder sb, TaskCosts costs, int w) {
        if (costs == null) {
            return;
        }
        boolean units = costs.tasks().stream().anyMatch(t -> t.unitFlops() > 0);
        if (units) {
            sb.append(String.format(Locale.ROOT, "%ntasks (FLOPs per sample of each task alone; a share's units cost only "
                    + "when the task's policy runs them):%n"));
            String fmt = "%-" + w + "s  %15s  %15s%n";
            sb.append(String.format(Locale.ROOT, fmt, "task", "every unit run", "every unit skipped"));
            costs.tasks().forEach(t -> sb.append(String.format(Locale.ROOT, fmt, t.name(), group(t.maxFlops()), group(t.minFlops()))));
            sb.append(String.format(Locale.ROOT, "all tasks together, every unit run: %s when the tasks' policies agree (a unit "
                    + "is computed once for the tasks whose policies agree up to it) to %s when no two agree%n",
                    group(costs.allTasksUnitsShared()), group(costs.allTasks())));
        } else if (costs.learned()) {
            sb.append(String.format(Locale.ROOT, "%ntasks (FLOPs per sample of each task alone; a tree's part is the task's "
                    + "argmax path, one node per layer):%n"));
            String fmt = "%-" + w + "s  %15s%n";
            costs.tasks().forEach(t -> sb.append(String.format(Locale.ROOT, fmt, t.name(), group(t.maxFlops()))));
            sb.append(String.format(Locale.ROOT, "all tasks together: %s (the tree shares every layer but the last) to %s "
                    + "(nothing shared); a node on several paths is computed once%n", group(costs.allTasksUnitsShared()),
                    group(costs.allTasks())));
        } else {
            sb.append(String.format(Locale.ROOT, "%ntasks (FLOPs per sample of each task alone):%n"));
            String fmt = "%-" + w + "s  %15s%n";
            costs.tasks().forEach(t -> sb.append(String.format(Locale.ROOT, fmt, t.name(), group(t.maxFlops()))));
            sb.append(String.format(Locale.ROOT, "all tasks together: %s%n", group(costs.allTasks())));
        }
    }
}
