package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.ast.Member;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code task name: classes(k)}: a task of a multi-task network, an output of shape {@code [k]} holding class scores,
 * assigned like an output and trained against one label array of its own. This class reads the declaration and checks
 * that the train section's loss names the tasks.
 */
final class TaskDecl {
    private TaskDecl() {}

    /** The task's shape {@code [k]}, or null after reporting a kind that is not {@code classes(k)} with k at least 2. */
    static long[] shape(Member.Task t, Diagnostics diag) {
        String name = t.name().name();
        if (!(t.kind() instanceof Expr.Apply a) || !(a.callee() instanceof Expr.Name n) || !n.name().equals("classes")) {
            diag.error(Code.INVALID_VALUE, t.kind().span(), "task '" + name + "' must be declared as classes(k), "
                    + "e.g. task " + name + ": classes(10)");
            return null;
        }
        if (a.args().size() != 1 || a.args().get(0).named()) {
            diag.error(Code.INVALID_VALUE, a.span(), "classes(k) takes one argument, the number of classes");
            return null;
        }
        Expr k = a.args().get(0).value();
        if (!(k instanceof Expr.IntLit lit) || lit.value() < 2 || lit.value() > Integer.MAX_VALUE) {
            diag.error(Code.INVALID_VALUE, k.span(), "the number of classes of task '" + name
                    + "' must be an integer of at least 2");
            return null;
        }
        return new long[] {lit.value()};
    }

    /**
     * In a network with tasks, the loss trains every task: a loss that names no task, or a task the loss leaves out, is
     * an error at the loss.
     */
    static void checkLoss(Member.Train train, TrainSpec spec, Map<String, Span> tasks, Diagnostics diag) {
        if (tasks.isEmpty() || spec == null) {
            return;
        }
        Span where = train.settings().stream().filter(s -> s.key().name().equals("loss")).map(s -> s.value().span())
                .findFirst().orElse(null);
        if (where == null) {
            return; // reported as a missing loss
        }
        Set<String> named = new LinkedHashSet<>();
        for (TrainSpec.LossTerm t : spec.terms()) {
            if (t instanceof TrainSpec.CrossEntropy c) {
                named.add(c.output());
            } else if (t instanceof TrainSpec.MeanSquaredError m) {
                named.add(m.output());
            }
        }
        List<String> missing = new ArrayList<>(tasks.keySet());
        missing.removeAll(named);
        if (missing.size() == tasks.size()) {
            diag.error(Code.LOSS_TARGET, where, "the loss names no task; a multi-task network trains each of its tasks "
                    + String.join(", ", tasks.keySet()) + ", e.g. cross_entropy(" + tasks.keySet().iterator().next() + ")");
        } else if (!missing.isEmpty()) {
            diag.error(Code.LOSS_TARGET, where, "the loss leaves out task" + (missing.size() > 1 ? "s " : " ")
                    + String.join(", ", missing) + "; each task needs a loss term, e.g. cross_entropy(" + missing.get(0) + ")");
        }
    }
}
