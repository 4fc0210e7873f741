package dev.adnet.compiler.emit;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.PassNorm;
import dev.adnet.compiler.ir.PassParam;
import dev.adnet.compiler.ir.State;
import dev.adnet.compiler.ir.StateInit;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import javax.lang.model.element.Modifier;

/**
 * The code of states and loops, halting and gated (after {@link LoopUnrolling}): a state's constant rows, the halting
 * mean's or gated select's forward (keeping its steps for the backward, the ponder term and the measures), its
 * backward, the {@code ponder()} term, and the loop at inference.
 */
final class HaltingLoopEmitter {
    static final ClassName HALTING_MEAN = ClassName.get("dev.adnet.runtime.loop", "HaltingMean");
    static final ClassName STEPS = ClassName.get("dev.adnet.runtime.loop", "HaltingMean", "Steps");

    static final ClassName HALTING = ClassName.get("dev.adnet.runtime.loop", "Halting");
    static final ClassName WEIGHTED_ROWS = ClassName.get("dev.adnet.runtime.loop", "WeightedRows");
    static final ClassName LOOP_ROWS = ClassName.get("dev.adnet.runtime.loop", "LoopRows");
    static final ClassName CARRY_ROWS = ClassName.get("dev.adnet.runtime.loop", "CarryRows");
    static final ClassName GATING = ClassName.get("dev.adnet.runtime.loop", "Gating");
    static final ClassName GATED_SELECT = ClassName.get("dev.adnet.runtime.loop", "GatedSelect");
    static final ClassName PASSES = ClassName.get("dev.adnet.runtime.loop", "GatedSelect", "Passes");

    private HaltingLoopEmitter() {}

    /** What the inference loop needs of the emission it is part of. */
    interface Host {
        /** A value's Java name. */
        String v(Value value);

        /** Lets the ops read {@code value} under {@code name} from now on. */
        void rename(Value value, String name);

        /** A fresh local name. */
        String claim(String base);

        /** An array of the current batch for a value of this per-sample shape. */
        CodeBlock alloc(String key, long[] perSample);

        /** A new {@code CarryRows} over two arena arrays of the whole batch for a value of this per-sample shape. */
        CodeBlock carryRows(String key, long[] perSample);

        /** The Java expression of the current batch size. */
        String batch();

        /** Emits the inference of ops {@code [from, to)} on the first {@code rows} rows (a sub-batch). */
        void subBatch(MethodSpec.Builder m, int from, int to, String rows);

        /** The Java expression of the input samples that the current batch's {@code rows} hold. */
        CodeBlock original(CodeBlock rows);

        /** The Java expressions the ops read for each buffer, by name; the loop may change them while it emits. */
        java.util.Map<String, String> buffers();

        /** The same for each parameter. */
        java.util.Map<String, String> params();
    }

    /**
     * Inference of the halting loop that {@code h} (at {@code index}) ends: one step's ops in a Java loop that runs
     * while a sample is still running, each step on those samples only; a halting sample's state and the values the
     * step reads leave the loop's batch. The steps' other unrolled copies are not emitted.
     */
    static void inference(MethodSpec.Builder m, HaltingMean h, int index, Host host) {
        if (h.gated()) {
            gatedInference(m, h, index, host);
            return;
        }
        int cap = h.states().size();
        int from = index - cap * h.stepLength();
        String out = host.v(h.out());
        String halting = host.claim(out + "_halting");
        String running = host.claim(out + "_running");
        String state = host.claim(out + "_state");
        zeroedOutput(m, h, host, out, "a halting loop; a sample that halts leaves the loop's batch");
        m.addStatement("$T $L = new $T((int) $L, $L, $L)", HALTING, halting, HALTING, host.batch(), JavaEmitter.lit(((LoopPolicy.Act) h.policy()).eps()), cap);
        String init = host.v(h.init());
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, state, init);
        String stateRows = carryRows(m, host, state, "v" + h.out().id() + ":state", h.init().shape());
        List<String> outer = h.captured().stream().map(host::v).toList();
        List<String> captured = runningCopies(m, h, host);
        Runnable shared = perPass(m, h, host, out);
        m.beginControlFlow("while (!$L.done())", halting);
        m.addStatement("int[] $L = $L.active()", running, halting);
        renameStep(h, host, state, captured);
        host.subBatch(m, from, from + h.stepLength(), running + ".length");
        renameStep(h, host, init, outer);
        String next = host.v(h.states().get(0));
        m.addStatement("$T.accumulate($L, $L, $L, $L.step($T.column($L)))", WEIGHTED_ROWS, out, next, running, halting, LOOP_ROWS,
                host.v(h.halts().get(0)));
        m.addStatement("$L = $L.carry($L, $L, $L.active())", state, stateRows, next, running, halting);
        keepRunning(m, captured, running, halting);
        nextPass(m, h, out);
        m.endControlFlow();
        shared.run();
        traceSteps(m, h, host, halting);
    }

    /**
     * Inference of a gated loop: the body's ops in a Java loop over the samples still running, then (but after the
     * cap's pass) the gate's ops; a sample whose gate closes keeps the pass's value and leaves the loop's batch.
     */
    private static void gatedInference(MethodSpec.Builder m, HaltingMean h, int index, Host host) {
        int from = index - h.unrolledLength();
        String out = host.v(h.out());
        String gating = host.claim(out + "_gating");
        String running = host.claim(out + "_running");
        String state = host.claim(out + "_state");
        String stops = host.claim(out + "_stops");
        zeroedOutput(m, h, host, out, "a gated loop; a sample whose gate closes leaves the loop's batch");
        m.addStatement("$T $L = new $T((int) $L, $L)", GATING, gating, GATING, host.batch(), h.states().size());
        String init = host.v(h.init());
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, state, init);
        String stateRows = carryRows(m, host, state, "v" + h.out().id() + ":state", h.init().shape());
        List<String> outer = h.captured().stream().map(host::v).toList();
        List<String> captured = runningCopies(m, h, host);
        Runnable shared = perPass(m, h, host, out);
        m.beginControlFlow("while (!$L.done())", gating);
        m.addStatement("int[] $L = $L.active()", running, gating);
        renameStep(h, host, state, captured);
        host.subBatch(m, from, from + h.bodyLength(), running + ".length");
        m.addStatement("double[] $L", stops);
        m.beginControlFlow("if ($L.last())", gating);
        m.addStatement("$L = $L.step(null)", stops, gating);
        m.nextControlFlow("else");
        host.subBatch(m, from + h.bodyLength(), from + h.stepLength(), running + ".length");
        m.addStatement("$L = $L.step($T.column($L))", stops, gating, LOOP_ROWS, host.v(h.halts().get(0)));
        m.endControlFlow();
        renameStep(h, host, init, outer);
        String next = host.v(h.states().get(0));
        m.addStatement("$T.accumulate($L, $L, $L, $L)", WEIGHTED_ROWS, out, next, running, stops);
        m.addStatement("$L = $L.carry($L, $L, $L.active())", state, stateRows, next, running, gating);
        keepRunning(m, captured, running, gating);
        nextPass(m, h, out);
        m.endControlFlow();
        shared.run();
        traceSteps(m, h, host, gating);
    }

    /** The loop's output, allocated and zeroed (the steps accumulate into it), after a comment saying what runs. */
    private static void zeroedOutput(MethodSpec.Builder m, HaltingMean h, Host host, String out, String what) {
        m.addComment("$L at $L: $L", JavaEmitter.commentText(h.path()),
                h.origin() == null ? "?" : JavaEmitter.commentText(h.origin().toString()), what);
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, out, host.alloc("v" + h.out().id(), h.out().shape()));
        m.addStatement("$L.assign(0.0)", out);
    }

    /** Each sample's steps (passes), in the caller's input order, for the prediction's trace. */
    private static void traceSteps(MethodSpec.Builder m, HaltingMean h, Host host, String tracker) {
        m.addStatement("workspace.loopSteps(LOOP_CAPS.length)[$L] = $T.inputOrder($L.steps(), $L, batchSize)", h.loopIndex(),
                LOOP_ROWS, tracker, host.original(CodeBlock.of("$T.all($L)", LOOP_ROWS, host.batch())));
    }

    /**
     * Loopy batchnorm and per-pass weights at inference: before the loop, an array per per-pass tensor
     * ({@code <out>_norm<i>_mean}, ..., {@code <out>_param<i>}, from pass 1's field to the cap's) and a pass counter
     * ({@code <out>_pass}); the step's ops then read the current pass's entries. The step runs on the samples still in
     * the loop, which are all at the same pass, so a sample in pass k runs pass k's weights and statistics however the
     * batch has shrunk. Returns what makes the ops after the loop read the fields again. Emits nothing for a loop
     * whose passes share every tensor.
     */
    private static Runnable perPass(MethodSpec.Builder m, HaltingMean h, Host host, String out) {
        if (!perPass(h)) {
            return () -> { };
        }
        java.util.Map<String, String> buffers = new java.util.HashMap<>(host.buffers());
        java.util.Map<String, String> params = new java.util.HashMap<>(host.params());
        String pass = out + "_pass";
        m.addStatement("int $L = 0", pass);
        for (int i = 0; i < h.passNorms().size(); i++) {
            PassNorm n = h.passNorms().get(i);
            String base = out + "_norm" + i;
            perPass(m, host.claim(base + "_mean"), pass, n.means().stream().map(BufferDecl::name).toList(), host.buffers());
            perPass(m, host.claim(base + "_var"), pass, n.vars().stream().map(BufferDecl::name).toList(), host.buffers());
            if (n.affinePerPass()) {
                perPass(m, host.claim(base + "_gamma"), pass, n.gammas().stream().map(ParamDecl::name).toList(), host.params());
                perPass(m, host.claim(base + "_beta"), pass, n.betas().stream().map(ParamDecl::name).toList(), host.params());
            }
        }
        for (int i = 0; i < h.passParams().size(); i++) {
            PassParam p = h.passParams().get(i);
            perPass(m, host.claim(out + "_param" + i), pass, p.perPass().stream().map(ParamDecl::name).toList(), host.params());
        }
        return () -> {
            host.buffers().putAll(buffers);
            host.params().putAll(params);
        };
    }

    /** {@code INDArray[] array = {pass 1's field, ...}}; from now on the ops read the first name as {@code array[pass]}. */
    private static void perPass(MethodSpec.Builder m, String array, String pass, List<String> names, java.util.Map<String, String> fields) {
        m.addStatement("$T[] $L = {$L}", JavaEmitter.INDARRAY, array, String.join(", ", names.stream().map(fields::get).toList()));
        fields.put(names.get(0), array + "[" + pass + "]");
    }

    /** Whether the passes of {@code h} differ in some tensor: per-pass batchnorms or weights. */
    private static boolean perPass(HaltingMean h) {
        return !h.passNorms().isEmpty() || !h.passParams().isEmpty();
    }

    /** Counts the passes of a loop with per-pass batchnorms or weights. */
    private static void nextPass(MethodSpec.Builder m, HaltingMean h, String out) {
        if (perPass(h)) {
            m.addStatement("$L++", out + "_pass");
        }
    }

    /** Per captured network value, a copy that shrinks with the loop's batch ({@code <value>_running}); their names. */
    private static List<String> runningCopies(MethodSpec.Builder m, HaltingMean h, Host host) {
        List<String> captured = new ArrayList<>();
        for (Value c : h.captured()) {
            String name = host.claim(host.v(c) + "_running");
            captured.add(name);
            m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, name, host.v(c));
            carryRows(m, host, name, "v" + c.id() + ":running", c.shape());
        }
        return captured;
    }

    /** Makes the step's ops read {@code state} for the loop's value and {@code captured} for the values it captures. */
    private static void renameStep(HaltingMean h, Host host, String state, List<String> captured) {
        host.rename(h.init(), state);
        for (int i = 0; i < captured.size(); i++) {
            host.rename(h.captured().get(i), captured.get(i));
        }
    }

    /** Keeps the rows of the samples still running ({@code loop.active()}) in each captured copy. */
    private static void keepRunning(MethodSpec.Builder m, List<String> captured, String running, String loop) {
        for (String c : captured) {
            m.addStatement("$L = $L_rows.keep($L, $L, $L.active())", c, c, c, running, loop);
        }
    }

    /** {@code CarryRows <name>_rows = ...}: the two arrays that {@code name}'s rows alternate between; the local's name. */
    private static String carryRows(MethodSpec.Builder m, Host host, String name, String key, long[] perSample) {
        String rows = name + "_rows";
        m.addStatement("$T $L = $L", CARRY_ROWS, rows, host.carryRows(key, perSample));
        return rows;
    }

    /**
     * Each unrolled loop of {@code program} (an inference program, after the passes): the index of its halting mean by
     * the index of its first step's first op. The inference runs only the first step's ops, so the passes must leave
     * the steps as long as the checked step region ({@link HaltingMean#stepLength()}); fails loudly if they did not.
     */
    static void stepStarts(Graph program, java.util.Map<Integer, Integer> into) {
        List<Op> ops = program.ops();
        for (int i = 0; i < ops.size(); i++) {
            if (ops.get(i) instanceof HaltingMean h) {
                int from = i - h.unrolledLength();
                if (from < 0 || ops.get(from + h.stepLength() - 1).out().id() != h.states().get(0).id()
                        && !h.halts().contains(ops.get(from + h.stepLength() - 1).out())) {
                    throw new IllegalStateException("a pass changed the steps of halting loop " + h.path());
                }
                into.put(from, i);
            }
        }
    }

    /**
     * The training step's measures: each halting loop's batch mean of N + R, as {@code ponder PATH}, and each gated
     * loop's mean passes, as {@code passes PATH}.
     */
    static CodeBlock measures(Graph graph, Function<HaltingMean, String> steps) {
        List<CodeBlock> entries = new ArrayList<>();
        for (HaltingMean h : loops(graph)) {
            entries.add(h.gated() ? CodeBlock.of("$S, $L.meanSteps()", "passes " + h.path(), steps.apply(h))
                    : CodeBlock.of("$S, $L.meanPonder()", "ponder " + h.path(), steps.apply(h)));
        }
        return CodeBlock.of("$T.of($L)", JavaEmitter.MAP, CodeBlock.join(entries, ", "));
    }

    /** The halting loops of the (unrolled) graph, in loop order. */
    static List<HaltingMean> loops(Graph graph) {
        return graph.ops().stream().filter(o -> o instanceof HaltingMean).map(o -> (HaltingMean) o).toList();
    }

    /**
     * {@code LOOP_CAPS} and {@code LOOP_STEP_FLOPS}: each loop's cap and FLOPs per sample of one step; with gated loops
     * also {@code LOOP_DECISION_FLOPS}, the FLOPs of a step's gate, which the cap's pass does not compute.
     */
    static void fields(TypeSpec.Builder type, Graph graph) {
        List<String> caps = new ArrayList<>();
        List<String> flops = new ArrayList<>();
        List<String> decisions = new ArrayList<>();
        for (HaltingMean h : loops(graph)) {
            int end = graph.ops().indexOf(h);
            int start = end - h.unrolledLength();
            long f = Math.multiplyExact(2, h.out().size());
            long decision = 0;
            for (int i = start; i < start + h.stepLength(); i++) {
                f = Math.addExact(f, CostModel.flops(graph.ops().get(i)));
                if (i >= start + h.bodyLength()) {
                    decision = Math.addExact(decision, CostModel.flops(graph.ops().get(i)));
                }
            }
            caps.add(Integer.toString(h.states().size()));
            flops.add(f + "L");
            decisions.add((h.gated() ? decision : 0) + "L");
        }
        if (anyGated(graph)) {
            type.addField(FieldSpec.builder(long[].class, "LOOP_DECISION_FLOPS", Modifier.PRIVATE, Modifier.STATIC,
                    Modifier.FINAL).initializer("{$L}", String.join(", ", decisions)).build());
        }
        type.addField(FieldSpec.builder(int[].class, "LOOP_CAPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", String.join(", ", caps)).build());
        type.addField(FieldSpec.builder(long[].class, "LOOP_STEP_FLOPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                .initializer("{$L}", String.join(", ", flops)).build());
    }

    /**
     * In {@code predict}: each sample's steps per loop into {@code steps}, and the steps it did not take off its
     * {@code flops} (which count every loop to its cap).
     */
    static void trace(MethodSpec.Builder m, Graph graph) {
        m.addStatement("int[][] loopSteps = workspace.loopSteps(LOOP_CAPS.length)");
        m.addStatement("int[][] steps = new int[batch][LOOP_CAPS.length]");
        m.beginControlFlow("for (int l = 0; l < LOOP_CAPS.length; l++)");
        m.beginControlFlow("for (int n = 0; n < batch; n++)");
        m.addStatement("steps[n][l] = loopSteps[l][n]");
        m.beginControlFlow("if (steps[n][l] > 0)");
        m.addStatement("flops[n] -= (LOOP_CAPS[l] - steps[n][l]) * LOOP_STEP_FLOPS[l]");
        if (anyGated(graph)) {
            m.addComment("a gated loop's cap is its only pass without a gate after it");
            m.beginControlFlow("if (steps[n][l] < LOOP_CAPS[l])");
            m.addStatement("flops[n] += LOOP_DECISION_FLOPS[l]");
            m.endControlFlow();
        }
        m.endControlFlow();
        m.endControlFlow();
        m.endControlFlow();
    }

    private static boolean anyGated(Graph graph) {
        return loops(graph).stream().anyMatch(HaltingMean::gated);
    }

    /** Whether this emitter writes {@code op}'s forward. */
    static boolean owns(Op op) {
        return op instanceof State || op instanceof HaltingMean;
    }

    /**
     * The forward of {@code op} into {@code out} (already allocated).
     *
     * @param names each value's Java name
     * @param steps the name of the halting mean's {@code Steps}
     * @param watched whether the training step watched the loop's halts into {@code steps} ({@link ActTrainingSteps})
     */
    static void forward(MethodSpec.Builder m, Op op, String out, Function<Value, String> names, String steps, boolean watched) {
        if (op instanceof State s) {
            m.addStatement("$L.assign($L)", out, s.init() == StateInit.ZEROS ? "0.0" : "1.0");
            return;
        }
        HaltingMean h = (HaltingMean) op;
        if (h.gated()) {
            m.addStatement("$T $L = $T.forward($L, $L, $L)", PASSES, steps, GATED_SELECT, array(h.states(), names),
                    array(h.halts(), names), out);
            return;
        }
        if (watched) {
            m.addStatement("$T.forward($L, $L, $L)", HALTING_MEAN, steps, array(h.states(), names), out);
            return;
        }
        m.addStatement("$T $L = $T.forward($L, $L, $L, $L)", STEPS, steps, HALTING_MEAN, array(h.states(), names),
                array(h.halts(), names), JavaEmitter.lit(((LoopPolicy.Act) h.policy()).eps()), out);
    }

    /** The VJP of a halting mean: {@code gIn} holds the states' gradients, then the halting probabilities'. */
    static void backward(MethodSpec.Builder m, HaltingMean h, String steps, String gOut, List<String> gIn,
            Function<Value, String> names, TrainSpec training) {
        int cap = h.states().size();
        if (h.gated()) {
            m.addStatement("$T.backward($L, $L, $L, $L, new $T[] {$L}, new $T[] {$L})", GATED_SELECT, steps,
                    array(h.states(), names), array(h.halts(), names), gOut, JavaEmitter.INDARRAY,
                    String.join(", ", gIn.subList(0, cap)), JavaEmitter.INDARRAY, String.join(", ", gIn.subList(cap, 2 * cap - 1)));
            return;
        }
        m.addStatement("$T.backward($L, $L, $L, $L, new $T[] {$L}, new $T[] {$L})", HALTING_MEAN, steps, array(h.states(), names),
                gOut, ponderWeight(h, training), JavaEmitter.INDARRAY, String.join(", ", gIn.subList(0, cap)),
                JavaEmitter.INDARRAY, String.join(", ", gIn.subList(cap, 2 * cap)));
    }

    /** The weight of this loop's mean ponder cost in the loss: each ponder term's weight times the loop's tau. */
    private static String ponderWeight(HaltingMean h, TrainSpec training) {
        double w = 0;
        for (TrainSpec.LossTerm t : training.terms()) {
            if (t instanceof TrainSpec.Ponder) {
                w += t.weight() * ((LoopPolicy.Act) h.policy()).ponder();
            }
        }
        return JavaEmitter.lit(w);
    }

    /** The ponder term's value: each loop's tau times its batch mean of N + R. */
    static CodeBlock ponderTerm(Graph graph, Function<HaltingMean, String> steps) {
        List<CodeBlock> parts = new ArrayList<>();
        for (Op op : graph.ops()) {
            if (op instanceof HaltingMean h && h.policy() instanceof LoopPolicy.Act act) {
                parts.add(CodeBlock.of("$L * $L.meanPonder()", JavaEmitter.lit(act.ponder()), steps.apply(h)));
            }
        }
        return CodeBlock.join(parts, " + ");
    }

    private static CodeBlock array(List<Value> values, Function<Value, String> names) {
        return CodeBlock.of("new $T[] {$L}", JavaEmitter.INDARRAY, String.join(", ", values.stream().map(names).toList()));
    }
}
