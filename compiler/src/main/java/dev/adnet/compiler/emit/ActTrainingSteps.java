package dev.adnet.compiler.emit;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The training step's ACT loops, unrolled to their cap: the step watches each step's halting probabilities as it
 * computes them ({@code HaltingMean.start}, {@code Steps.observe}) and computes step n + 1, forward and backward, only
 * while a sample of the batch has not halted, and only on the rows of the samples still running, as inference does. A
 * sample's steps after its halt get weight 0 and a zero gradient, so leaving them out changes no number; a batch pays for
 * its samples' steps, not for 128 rows to the cap.
 *
 * <p>A loop is watched when its steps are plain ops that declare only their own value (no batchnorm, dropout or
 * fused op), a later step reads only its own values, the last step's state and the loop's captured values, and every
 * gradient a later step writes first belongs to a value of that step: a step not taken then leaves nothing unwritten
 * but parameter gradients, which it zeroes. Other loops run every step on every row, as before.
 */
final class ActTrainingSteps {
    private final JavaEmitter.Emission em;
    /** The training step's backward plan (the fixed points' emitter lends the emission others while it emits). */
    private final BackwardPlanner.Plan plan;
    /** Watched loops by the checked index of their first step's first op. */
    private final Map<Integer, HaltingMean> byStart = new HashMap<>();
    private final Set<HaltingMean> watched = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    /** A step after the first of a watched loop: {@code step} is 0-based. */
    private record Region(HaltingMean loop, int step) {}

    /**
     * Where a watched step runs: the name of its row count, of the last step's state kept to its rows, and of each
     * captured value kept to its rows.
     */
    private record Layout(String rows, String state, List<String> captured) {}

    private final Map<Region, Layout> layouts = new HashMap<>();
    /** The row count of each value of a watched step (the second or later), by value id. */
    private final Map<Integer, String> rowsOf = new HashMap<>();
    /** The names the current region's renames replaced, by value id. */
    private final Map<Integer, String> renamed = new HashMap<>();
    /** The step whose code is being emitted, or null; and the allocation mode it replaced. */
    private Region current;
    private boolean outerSubBatch;
    private String outerBatchVar;

    ActTrainingSteps(JavaEmitter.Emission em) {
        this.em = em;
        this.plan = em.plan;
        if (!em.trainable || em.channelsLast) {
            return;
        }
        List<Op> ops = em.graph.ops();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof HaltingMean h && !h.gated() && h.policy() instanceof LoopPolicy.Act
                    && plainSteps(h, i) && localGradients(h, i)) {
                byStart.put(i - h.unrolledLength(), h);
                watched.add(h);
            }
        }
    }

    /** Whether the training step watches this loop's halts (its halting mean then reads the watched steps). */
    boolean watched(HaltingMean h) {
        return watched.contains(h);
    }

    /** The watched loop whose first step starts at this training-program op, or null. */
    HaltingMean startingAt(Op op) {
        return op instanceof Op.Fused ? null : byStart.get(em.index(op));
    }

    /**
     * Emits the loop's steps from {@code ops[at]} (its first op): step 1 on the whole batch, then each further step on
     * the rows of the samples still running: its values declared at that many rows, what it reads of the last step and
     * of the captured values kept to those rows, and its ops run only while a sample runs. Returns the index of the last
     * step's last op.
     */
    int forward(MethodSpec.Builder m, HaltingMean h, List<Op> ops, int at) {
        int cap = h.states().size();
        String steps = em.aux(h, "steps");
        m.addComment("$L: a sample that halts leaves the loop's batch; its later steps would have weight 0 and no gradient",
                JavaEmitter.commentText(h.path()));
        m.addStatement("$T $L = $T.start(batchSize, $L, $L)", HaltingLoopEmitter.STEPS, steps, HaltingLoopEmitter.HALTING_MEAN,
                JavaEmitter.lit(((LoopPolicy.Act) h.policy()).eps()), cap);
        List<String> kept = new ArrayList<>();
        for (Value c : h.captured()) {
            kept.add(em.v(c));
        }
        int i = at;
        for (int n = 0; n < cap; n++) {
            MethodSpec.Builder body = n == 0 ? m : MethodSpec.methodBuilder("step");
            CodeBlock.Builder declarations = CodeBlock.builder();
            Region region = null;
            if (n > 0) {
                region = new Region(h, n);
                String rows = em.aux(h, "step" + (n + 1) + "_rows");
                m.addComment("step $L: on the samples still running", n + 1);
                m.addStatement("int $L = $L.width()", rows, steps);
                String state = em.aux(h, "step" + (n + 1) + "_in");
                m.addStatement("$T $L = $L.keep($L)", JavaEmitter.INDARRAY, state, steps, em.v(h.states().get(n - 1)));
                List<String> captured = new ArrayList<>();
                for (int c = 0; c < kept.size(); c++) {
                    String name = em.aux(h, "step" + (n + 1) + "_" + em.v(h.captured().get(c)));
                    m.addStatement("$T $L = $L.keep($L)", JavaEmitter.INDARRAY, name, steps, kept.get(c));
                    captured.add(name);
                }
                kept = captured;
                layouts.put(region, new Layout(rows, state, captured));
                em.hoisted = declarations;
            }
            enter(region);
            for (int k = 0; k < h.stepLength(); k++, i++) {
                Op op = ops.get(i);
                em.opEmitter.forwardOp(body, op, !em.graph.frozen(em.index(op)));
                if (region != null) {
                    rowsOf.put(op.out().id(), layouts.get(region).rows());
                }
            }
            leave(region);
            em.hoisted = null;
            body.addStatement("$L.observe($L)", steps, em.v(h.halts().get(n)));
            if (n > 0) {
                m.addCode(declarations.build());
                m.beginControlFlow("if ($L.running())", steps);
                m.addCode(body.build().code());
                m.endControlFlow();
            }
        }
        return i - 1;
    }

    /**
     * The backward steps from {@code plan[from]} on that belong to one step (the second or later) of a watched loop:
     * how many, emitted on that step's rows inside {@code if (step taken)}, with the parameter gradients they would have
     * written first zeroed when it was not; 0 when {@code plan[from]} is in no such step.
     */
    int backward(MethodSpec.Builder m, Names.Scope scope, List<Step> steps, int from) {
        Region r = region(steps.get(from).opIndex());
        if (r == null) {
            return 0;
        }
        int to = from;
        while (to < steps.size() && r.equals(region(steps.get(to).opIndex()))) {
            to++;
        }
        Set<String> zeroed = new LinkedHashSet<>();
        m.beginControlFlow("if ($L.taken() > $L)", em.aux(r.loop(), "steps"), r.step());
        enter(r);
        for (int s = from; s < to; s++) {
            em.stepIndex = s;
            em.backward.backwardStep(m, scope, steps.get(s));
            List<ParamDecl> ps = steps.get(s).op().params();
            for (int k = 0; k < ps.size(); k++) {
                if (steps.get(s).params().get(k) == Write.OVERWRITE) {
                    zeroed.add(ps.get(k).name());
                }
            }
        }
        leave(r);
        if (!zeroed.isEmpty()) {
            m.nextControlFlow("else");
            for (String p : zeroed) {
                m.addStatement("$L.assign(0.0)", em.paramGradField.get(p));
            }
        }
        m.endControlFlow();
        return to - from;
    }

    /**
     * The rows expression of a watched step's value (the second step's or later), for its gradient declared outside
     * the step's code (by the halting mean's backward); null for any other value.
     */
    String rowsOf(Value v) {
        return rowsOf.get(v.id());
    }

    /**
     * Adds {@code part}, the gradient of what the current step read of the last step's state ({@code x}), into that
     * state's gradient, row by row; false (nothing emitted) when {@code x} is no such state.
     */
    boolean accumulateKept(MethodSpec.Builder m, Value x, String into, String part) {
        if (current == null || x.id() != current.loop().states().get(current.step() - 1).id()) {
            return false;
        }
        m.addStatement("$L.addKept($L, $L, $L)", em.aux(current.loop(), "steps"), current.step(), into, part);
        return true;
    }

    /** Makes the ops of {@code region} (none: null) read its kept values and allocate at its rows. */
    private void enter(Region region) {
        if (region == null) {
            return;
        }
        Layout l = layouts.get(region);
        HaltingMean h = region.loop();
        renamed.clear();
        rename(h.states().get(region.step() - 1), l.state());
        for (int c = 0; c < h.captured().size(); c++) {
            rename(h.captured().get(c), l.captured().get(c));
        }
        outerSubBatch = em.subBatch;
        outerBatchVar = em.batchVar;
        em.subBatch = true;
        em.batchVar = l.rows();
        current = region;
    }

    private void leave(Region region) {
        if (region == null) {
            return;
        }
        em.valueName.putAll(renamed);
        renamed.clear();
        em.subBatch = outerSubBatch;
        em.batchVar = outerBatchVar;
        current = null;
    }

    private void rename(Value v, String name) {
        renamed.put(v.id(), em.valueName.get(v.id()));
        em.valueName.put(v.id(), name);
    }

    /**
     * Whether backward steps {@code planIndex} and the next lie in different guarded blocks (or one in none): a
     * gradient's last part may then not be left for the next step's ReLU to add.
     */
    boolean boundary(int planIndex) {
        if (em.plan != plan || byStart.isEmpty() || planIndex < 0 || planIndex + 1 >= plan.steps().size()) {
            return false;
        }
        Region a = region(plan.steps().get(planIndex).opIndex());
        Region b = region(plan.steps().get(planIndex + 1).opIndex());
        return a == null ? b != null : !a.equals(b);
    }

    /** The region of the op at checked index {@code index}, or null. */
    private Region region(int index) {
        for (Map.Entry<Integer, HaltingMean> e : byStart.entrySet()) {
            int offset = index - e.getKey();
            HaltingMean h = e.getValue();
            if (offset >= h.stepLength() && offset < h.states().size() * h.stepLength()) {
                return new Region(h, offset / h.stepLength());
            }
        }
        return null;
    }

    /**
     * Whether the loop ending at checked index {@code end} has the layout the watch relies on, in the checked ops and in
     * the training program alike: its steps right before it, each ending in its state or halting probability, made of
     * ops whose forward declares nothing but their value.
     */
    private boolean plainSteps(HaltingMean h, int end) {
        int from = end - h.unrolledLength();
        int cap = h.states().size();
        if (from < 0 || h.unrolledLength() != cap * h.stepLength() || h.halts().size() != cap) {
            return false;
        }
        List<Op> ops = em.graph.ops();
        for (int n = 0; n < cap; n++) {
            int last = from + (n + 1) * h.stepLength() - 1;
            int haltAt = em.opIndex.getOrDefault(h.halts().get(n).id(), -1);
            if (haltAt < from + n * h.stepLength() || haltAt > last
                    || ops.get(last).out().id() != h.states().get(n).id() && ops.get(last).out().id() != h.halts().get(n).id()) {
                return false;
            }
        }
        for (int i = from; i < end; i++) {
            if (!plain(ops.get(i))) {
                return false;
            }
            int n = (i - from) / h.stepLength();
            for (Value in : ops.get(i).inputs()) {
                int producer = em.opIndex.getOrDefault(in.id(), -1);
                boolean local = producer >= from + n * h.stepLength() && producer < i;
                // a later step reads its own values, the last step's state and the loop's captured values only
                if (n > 0 && !local && in.id() != h.states().get(n - 1).id() && !h.captured().contains(in)) {
                    return false;
                }
            }
        }
        // the training program must hold the same ops in the same order (no pass fused or moved them)
        List<Op> program = em.trainingProgram.ops();
        int at = -1;
        for (int k = 0; k < program.size(); k++) {
            if (!(program.get(k) instanceof Op.Fused) && em.index(program.get(k)) == from) {
                at = k;
            }
        }
        if (at < 0 || at + (end - from) > program.size()) {
            return false;
        }
        for (int k = 0; k < end - from; k++) {
            Op op = program.get(at + k);
            if (op instanceof Op.Fused || em.index(op) != from + k) {
                return false;
            }
        }
        return true;
    }

    private static boolean plain(Op op) {
        return op instanceof Op.Dense || op instanceof Op.Activation || op instanceof Op.Elementwise
                || op instanceof Op.Scale || op instanceof Op.Concat || op instanceof Op.Flatten;
    }

    /**
     * Whether every gradient that a backward step of the loop's second or later step writes first belongs to a value
     * of that same step: such a step's gradients then live and die inside its guarded block.
     */
    private boolean localGradients(HaltingMean h, int end) {
        int from = end - h.unrolledLength();
        for (Step s : plan.steps()) {
            int offset = s.opIndex() - from;
            if (offset < h.stepLength() || offset >= end - from) {
                continue;
            }
            int stepStart = from + offset / h.stepLength() * h.stepLength();
            List<Write> writes = s.inputs();
            for (int k = 0; k < writes.size(); k++) {
                if (writes.get(k) == Write.OVERWRITE) {
                    int producer = em.opIndex.getOrDefault(s.op().inputs().get(k).id(), -1);
                    if (producer < stepStart || producer >= stepStart + h.stepLength()) {
                        return false;
                    }
                }
            }
        }
        return true;
    }
}
