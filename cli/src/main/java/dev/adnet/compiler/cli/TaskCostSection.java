package dev.adnet.compiler.cli;

import static dev.adnet.compiler.cli.CostSection.group;

import dev.adnet.compiler.cost.TaskCosts;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** The tasks of {@code adnet describe}: each task's FLOPs alone, and all tasks run together. */
final class TaskCostSection {
    private TaskCostSection() {}

    /** Up to how many tasks every set of two or more (but all) is listed: a network has a walk of its own for each. */
    private static final int SETS_UP_TO = 4;

    /** {@code chosen}: the FLOPs of running a set of tasks together ({@link TaskCosts#chosenFlops}). */
    static void append(StringBuilder sb, TaskCosts costs, int w, Function<List<String>, Long> chosen) {
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
            int n = costs.tasks().size();
            if (n > 2 && n <= SETS_UP_TO) {
                sb.append(String.format(Locale.ROOT, "sets of tasks (predict --tasks; what they share computed once):%n"));
                for (int set = 1; set < (1 << n) - 1; set++) {
                    if (Integer.bitCount(set) < 2) {
                        continue;
                    }
                    List<String> names = new ArrayList<>();
                    for (int t = 0; t < n; t++) {
                        if ((set & (1 << t)) != 0) {
                            names.add(costs.tasks().get(t).name());
                        }
                    }
                    sb.append(String.format(Locale.ROOT, fmt, String.join(",", names), group(chosen.apply(names))));
                }
            }
        }
    }
}
