package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.GATED_RESIDUAL;
import static dev.adnet.compiler.emit.JavaEmitter.INDARRAY;
import static dev.adnet.compiler.emit.JavaEmitter.lit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PolicyMix;
import dev.adnet.compiler.ir.TaskPolicy;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.lang.model.element.Modifier;

/**
 * The code of shares after {@link ShareUnrolling}: each task's decision for a unit ({@link TaskPolicy}), the unit's
 * output ({@link PolicyMix}, on the gated residual's kernel: {@code input + z * delta}), their vector-Jacobian
 * products, and the {@code sparsity()} and {@code sharing()} terms, whose gradients go straight into the policy
 * logits' gradients after the backward pass.
 */
final class ShareEmitter {
    static final ClassName TASK_POLICY = ClassName.get("dev.adnet.runtime.share", "TaskPolicy");
    static final ClassName SHARE_LOSSES = ClassName.get("dev.adnet.runtime.share", "ShareLosses");
    static final ClassName POLICY_CONTROL = ClassName.get("dev.adnet.runtime.share", "PolicyControl");
    static final ClassName SCHEDULE = ClassName.get("dev.adnet.runtime.share", "AdaShareSchedule");
    static final ClassName SCHEDULED = ClassName.get("dev.adnet.runtime.share", "ScheduledShareNetwork");

    private final JavaEmitter.Emission em;

    ShareEmitter(JavaEmitter.Emission em) {
        this.em = em;
    }

    /** The decision: a Gumbel-softmax sample of the logits in training, their argmax at inference. */
    void policy(MethodSpec.Builder m, TaskPolicy p, int index, String out, boolean train) {
        if (train) {
            m.addStatement("$T $L = $L", INDARRAY, em.soft(p), em.alloc("soft" + index, new long[] {2}));
            if (scheduled()) {
                m.addStatement("$T.trainForward(policyControl, $L, $L, $L, $L, $L, seedFor(context.seed(), $L), $L, $L)", TASK_POLICY,
                        p.unit(), units(p), em.param(p.logits()), temperature(), p.soft(), index, out, em.soft(p));
            } else {
                m.addStatement("$T.trainForward($L, $L, $L, seedFor(context.seed(), $L), $L, $L)", TASK_POLICY,
                        em.param(p.logits()), temperature(), p.soft(), index, out, em.soft(p));
            }
        } else {
            m.addStatement("$T.inference($L, $L)", TASK_POLICY, em.param(p.logits()), out);
        }
    }

    /**
     * Inference of one unit for one task, from its decision at {@code ops[start]} to its mix: the output is the
     * unit's result when the task's argmax policy selects it, else its input, and a skipped unit's ops do not run.
     * When {@code same} holds at run time, an earlier task computed this unit on the same input: its output
     * ({@code sameValue}) is taken instead of computing the unit again. A computed unit adds {@code flops} to the
     * workspace's cost trace. Returns the index of the mix.
     */
    int inferenceUnit(MethodSpec.Builder m, List<Op> ops, int start, CodeBlock same, CodeBlock sameValue, long flops) {
        TaskPolicy p = (TaskPolicy) ops.get(start);
        int end = mixOf(ops, start);
        PolicyMix mix = (PolicyMix) ops.get(end);
        Op.Elementwise delta = (Op.Elementwise) ops.get(end - 1);
        em.comment(m, mix);
        m.addStatement("$T $L = $L", INDARRAY, em.v(mix.out()), em.v(mix.input()));
        m.beginControlFlow("if ($T.runs($L))", TASK_POLICY, em.param(p.logits()));
        if (same != null) {
            m.beginControlFlow("if ($L)", same);
            m.addStatement("$L = $L", em.v(mix.out()), sameValue);
            m.nextControlFlow("else");
        }
        for (int i = start + 1; i < end - 1; i++) {
            em.opEmitter.forwardOp(m, ops.get(i), false);
        }
        m.addStatement("workspace.addLearnedFlops($LL)", flops);
        m.addStatement("$L = $L", em.v(mix.out()), em.v(delta.a()));
        if (same != null) {
            m.endControlFlow();
        }
        m.endControlFlow();
        return end;
    }

    /** The index of the mix of the decision at {@code ops[start]}. */
    static int mixOf(List<Op> ops, int start) {
        Value z = ops.get(start).out();
        int end = start + 1;
        while (!(ops.get(end) instanceof PolicyMix x && x.policy().equals(z))) {
            end++;
        }
        return end;
    }

    /** The indices of the ops {@code out} depends on. */
    static BitSet path(List<Op> ops, Value out) {
        Map<Value, Integer> definer = new java.util.HashMap<>();
        for (int i = 0; i < ops.size(); i++) {
            definer.put(ops.get(i).out(), i);
        }
        BitSet path = new BitSet(ops.size());
        java.util.Deque<Value> todo = new java.util.ArrayDeque<>(List.of(out));
        while (!todo.isEmpty()) {
            Integer i = definer.get(todo.pop());
            if (i != null && !path.get(i)) {
                path.set(i);
                todo.addAll(ops.get(i).inputs());
            }
        }
        return path;
    }

    void mix(MethodSpec.Builder m, PolicyMix x, String out) {
        m.addStatement("$T.trainForward($L, $L, $L, false, $L)", GATED_RESIDUAL, em.v(x.input()), em.v(x.delta()), em.v(x.policy()),
                out);
    }

    /** The VJP of a decision or a mix; false for any other op. */
    boolean backward(MethodSpec.Builder m, Op op, String gOut, List<String> gIn, List<String> gP) {
        if (op instanceof TaskPolicy) {
            m.addStatement("$T.backward($L$L, $L, $L, $L)", TASK_POLICY, scheduled() ? "policyControl, " : "", em.soft(op), temperature(),
                    gOut, gP.get(0));
            return true;
        }
        if (op instanceof PolicyMix x) {
            m.addStatement("$T.backward($L, $L, null, $L, $L, $L, $L)", GATED_RESIDUAL, em.v(x.delta()), em.v(x.policy()), gOut,
                    gIn.get(0), gIn.get(1), gIn.get(2));
            return true;
        }
        return false;
    }

    /**
     * The policies' temperature: with AdaShare's schedule its starting temperature (the trainer's control overrides it
     * from the first step), else the train section's (fixed or annealed), else 1.
     */
    private String temperature() {
        if (scheduled()) {
            return lit(em.graph.training().policySchedule().temperature());
        }
        TrainSpec.Temperature t = em.graph.training() == null ? null : em.graph.training().temperature();
        if (t == null) {
            return "1.0";
        }
        return t.from() == t.to() ? lit(t.from()) : "temperature";
    }

    /** {@code term}'s value, before the backward pass: each share's term times its weight. */
    CodeBlock termValue(TrainSpec.ShareTerm term) {
        List<CodeBlock> parts = new ArrayList<>();
        for (Share s : shares().values()) {
            parts.add(CodeBlock.of("$L * $T.$L($L$L)", lit(weight(s, term)), SHARE_LOSSES, method(term), s.logits(em),
                    controlled(term) ? ", policyControl" : ""));
        }
        return CodeBlock.join(parts, " + ");
    }

    /** Adds {@code term}'s gradient (times its weight in the loss) into the logits' gradients, after the backward pass. */
    void termGradient(MethodSpec.Builder m, TrainSpec.ShareTerm term) {
        for (Share s : shares().values()) {
            m.addStatement("$T.$LGradient($L, $L$L, $L)", SHARE_LOSSES, method(term), s.logits(em),
                    controlled(term) ? "policyControl, " : "", lit(term.weight() * weight(s, term)), s.grads(em));
        }
    }

    /** Whether the schedule restricts {@code term} to the units whose policies it samples (the sparsity term). */
    private boolean controlled(TrainSpec.ShareTerm term) {
        return scheduled() && term.kind() == TrainSpec.ShareTermKind.SPARSITY;
    }

    /** Whether the train section declares AdaShare's schedule, which steers the training step's policies. */
    boolean scheduled() {
        return em.graph.training() != null && em.graph.training().policySchedule() != null;
    }

    /** The number of units of {@code p}'s share. */
    private int units(TaskPolicy p) {
        return shares().get(p.shareIndex()).logits.get(p.taskIndex()).size();
    }

    /**
     * With AdaShare's schedule: the {@code ScheduledShareNetwork} members, the policy control the trainer sets between
     * phases, the schedule's settings and the names of the policy logits.
     */
    void scheduleMembers(TypeSpec.Builder type) {
        TrainSpec.PolicySchedule s = em.graph.training().policySchedule();
        type.addSuperinterface(SCHEDULED);
        type.addField(FieldSpec.builder(POLICY_CONTROL, "policyControl", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Which units' policies the training steps sample, and at what temperature: AdaShare's schedule.\n")
                .initializer("new $T()", POLICY_CONTROL).build());
        type.addMethod(MethodSpec.methodBuilder("policyControl").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(POLICY_CONTROL).addStatement("return policyControl").build());
        type.addMethod(MethodSpec.methodBuilder("adaShareSchedule").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(SCHEDULE).addStatement("return new $T($L, $L, $L, $L, $L, $L, $L, $L)", SCHEDULE, s.warmup(), lit(s.policyLr()),
                        lit(s.policyWeightDecay()), s.curriculum(), lit(s.temperature()), lit(s.decay()), lit(s.holdout()), s.samples())
                .build());
        List<String> names = new ArrayList<>();
        for (Share share : shares().values()) {
            share.logits.values().forEach(task -> task.values().forEach(p -> names.add(p.name())));
        }
        type.addMethod(MethodSpec.methodBuilder("policyLogits").addAnnotation(Override.class).addModifiers(Modifier.PUBLIC)
                .returns(com.palantir.javapoet.ParameterizedTypeName.get(ClassName.get(List.class), ClassName.get(String.class)))
                .addStatement("return $T.of($L)", List.class, String.join(", ", names.stream().map(n -> CodeBlock.of("$S", n)
                        .toString()).toList()))
                .build());
    }

    private static String method(TrainSpec.ShareTerm term) {
        return term.kind() == TrainSpec.ShareTermKind.SPARSITY ? "sparsity" : "sharing";
    }

    private static double weight(Share s, TrainSpec.ShareTerm term) {
        return term.kind() == TrainSpec.ShareTermKind.SPARSITY ? s.sparsity : s.sharing;
    }

    /** One share's logits, {@code [task][unit]}, and its weights. */
    private static final class Share {
        final Map<Integer, Map<Integer, ParamDecl>> logits = new TreeMap<>();
        double sparsity;
        double sharing;

        String logits(JavaEmitter.Emission em) {
            return table(p -> em.param(p));
        }

        String grads(JavaEmitter.Emission em) {
            return table(p -> em.paramGradField.get(p.name()));
        }

        private String table(java.util.function.Function<ParamDecl, String> field) {
            List<String> rows = new ArrayList<>();
            for (Map<Integer, ParamDecl> task : logits.values()) {
                rows.add("{" + String.join(", ", task.values().stream().map(field).toList()) + "}");
            }
            return "new " + INDARRAY.simpleName() + "[][] {" + String.join(", ", rows) + "}";
        }
    }

    /** The shares by index, from their policies. */
    private Map<Integer, Share> shares() {
        Map<Integer, Share> shares = new TreeMap<>();
        for (Op op : em.graph.ops()) {
            if (op instanceof TaskPolicy u) {
                Share s = shares.computeIfAbsent(u.shareIndex(), k -> new Share());
                s.logits.computeIfAbsent(u.taskIndex(), k -> new TreeMap<>()).put(u.unit(), u.logits());
                s.sparsity = u.sparsity();
                s.sharing = u.sharing();
            }
        }
        return shares;
    }
}
