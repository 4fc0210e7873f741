package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.*;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.TaskPolicy;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Inference: the public {@code forward} and {@code predict}, the forward pass over the inference program with
 * its gated bodies on the open rows and its exits, and the kernels that run inference only (gated residual + ReLU in
 * place, convolutions that add into their shortcut, poolings computed in a residual kernel).
 */
final class InferenceEmitter {
    private final JavaEmitter.Emission em;

    InferenceEmitter(JavaEmitter.Emission em) {
        this.em = em;
    }

    /**
     * Declares the array of {@code pool}, which a residual kernel computes (with a comment naming it), and returns its
     * name; null when {@code pool} is null.
     */
    String earlyPool(MethodSpec.Builder m, Op.GlobalAvgPool pool) {
        if (pool == null) {
            return null;
        }
        m.addComment("with $L at $L, computed in the same pass", commentText(pool.path()),
                pool.origin() == null ? "?" : commentText(pool.origin().toString()));
        m.addStatement("$T $L = $L", INDARRAY, em.v(pool.out()), em.alloc("v" + pool.out().id(), pool.out().shape()));
        return em.v(pool.out());
    }

    /** The public {@code forward}: the inference itself runs in a workspace of the call's own. */
    MethodSpec forwardInWorkspace() {
        return MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Inference: batchnorm uses the running statistics, dropout is the identity. The"
                        + " returned arrays are\nfresh copies, not views of the workspace. Safe from many threads"
                        + " at once.\n")
                .returns(ARRAY_MAP)
                .addParameter(ARRAY_MAP, "inputs")
                .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                .beginControlFlow("try")
                .addStatement("return forward(inputs, workspace)")
                .nextControlFlow("finally")
                .addStatement("workspaces.release(workspace)")
                .endControlFlow()
                .build();
    }

    MethodSpec forward() {
        boolean[] all = new boolean[em.graph.tasks().size()];
        java.util.Arrays.fill(all, true);
        return forward("forward", null, null, all);
    }

    /**
     * The per-task entry points of a network with tasks (and no gate, exit, loop or fixed point): the public
     * {@code forward(inputs, task)} and, for each task, a private walk that runs only the ops of that task's path (a
     * share's units with that task's policy).
     */
    void taskEntryPoints(com.palantir.javapoet.TypeSpec.Builder type) {
        List<String> tasks = em.graph.tasks();
        MethodSpec.Builder pub = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Inference of one task: only the ops its output depends on run. Safe from many threads at once.\n")
                .returns(ARRAY_MAP)
                .addParameter(ARRAY_MAP, "inputs")
                .addParameter(String.class, "task")
                .beginControlFlow("if (!tasks().contains(task))")
                .addStatement("throw new $T(NAME + $S + task + $S + tasks())", IllegalArgumentException.class, ": no task '",
                        "'; the tasks are ")
                .endControlFlow()
                .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                .beginControlFlow("try")
                .beginControlFlow("switch (task)");
        List<Op> ops = em.inferenceProgram.ops();
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t);
            Graph.Port port = em.graph.outputs().stream().filter(p -> p.name().equals(task)).findFirst().orElseThrow();
            String name = "forwardTask" + t;
            pub.addStatement("case $S: return $L(inputs, workspace)", task, name);
            boolean[] wanted = new boolean[tasks.size()];
            wanted[t] = true;
            type.addMethod(forward(name, ShareEmitter.path(ops, port.value()), List.of(port), wanted));
        }
        pub.addStatement("default: throw new $T(task)", IllegalStateException.class)
                .endControlFlow()
                .nextControlFlow("finally")
                .addStatement("workspaces.release(workspace)")
                .endControlFlow();
        type.addMethod(pub.build());
        if (tasks.size() > 1 && tasks.size() <= CHOSEN_SETS_UP_TO) {
            chosenSets(type);
        }
    }

    /** Up to how many tasks every set of them gets a walk of its own (as {@code Network.CHOSEN_SETS_UP_TO}). */
    static final int CHOSEN_SETS_UP_TO = 4;

    /**
     * The public {@code forward(inputs, Set<String> tasks)} of a network with 2 to {@link #CHOSEN_SETS_UP_TO} tasks,
     * and for each set of two or more of its tasks but all, a private walk that runs the ops of the union of their
     * paths (an op on several paths once; a share's units once for the chosen tasks whose policies agree up to them,
     * a tree's nodes once for the chosen tasks' paths through them); a single task is its own walk, all tasks the
     * whole network's.
     */
    private void chosenSets(com.palantir.javapoet.TypeSpec.Builder type) {
        List<String> tasks = em.graph.tasks();
        int all = (1 << tasks.size()) - 1;
        MethodSpec.Builder pub = MethodSpec.methodBuilder("forward")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Inference of a set of tasks: what two of them share is computed once, and nothing no chosen"
                        + " task needs.\nSafe from many threads at once.\n")
                .returns(ARRAY_MAP)
                .addParameter(ARRAY_MAP, "inputs")
                .addParameter(ParameterizedTypeName.get(SET, ClassName.get(String.class)), "tasks")
                .addStatement("$T<$T> chosen = chosenTasks(tasks)", LIST, String.class)
                .addStatement("int set = 0")
                .beginControlFlow("for ($T task : chosen)", String.class)
                .addStatement("set |= 1 << tasks().indexOf(task)")
                .endControlFlow()
                .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                .beginControlFlow("try")
                .beginControlFlow("switch (set)");
        List<Op> ops = em.inferenceProgram.ops();
        for (int set = 1; set <= all; set++) {
            List<Graph.Port> ports = new ArrayList<>();
            boolean[] wanted = new boolean[tasks.size()];
            java.util.BitSet path = new java.util.BitSet(ops.size());
            for (int t = 0; t < tasks.size(); t++) {
                if ((set & (1 << t)) != 0) {
                    String task = tasks.get(t);
                    Graph.Port port = em.graph.outputs().stream().filter(p -> p.name().equals(task)).findFirst().orElseThrow();
                    ports.add(port);
                    wanted[t] = true;
                    path.or(ShareEmitter.path(ops, port.value()));
                }
            }
            if (ports.size() == 1) {
                pub.addStatement("case $L: return forwardTask$L(inputs, workspace)", set, tasks.indexOf(ports.get(0).name()));
            } else if (set == all) {
                pub.addCode("case $L: {\n$>", set)
                        .addStatement("$T whole = forward(inputs, workspace)", ARRAY_MAP)
                        .addStatement("$T outputs = new $T<>()", ARRAY_MAP, LINKED_HASH_MAP)
                        .addStatement("chosen.forEach(task -> outputs.put(task, whole.get(task)))")
                        .addStatement("return outputs")
                        .addCode("$<}\n");
            } else {
                String name = "forwardTasks" + set;
                pub.addStatement("case $L: return $L(inputs, workspace)", set, name);
                type.addMethod(forward(name, path, ports, wanted));
            }
        }
        pub.addStatement("default: throw new $T(chosen.toString())", IllegalStateException.class)
                .endControlFlow()
                .nextControlFlow("finally")
                .addStatement("workspaces.release(workspace)")
                .endControlFlow();
        type.addMethod(pub.build());
    }

    /**
     * {@code forward}, or with {@code path} the walk of the ops of some tasks' paths returning those tasks' outputs
     * ({@code tasks}); {@code wanted} says which tasks the walk computes (by declaration index).
     */
    private MethodSpec forward(String methodName, java.util.BitSet path, List<Graph.Port> tasks, boolean[] wanted) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(methodName)
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("Inference in {@code workspace}, which no other call uses while this one runs.\n")
                .returns(ARRAY_MAP)
                .addParameter(ARRAY_MAP, "inputs")
                .addParameter(WORKSPACE, "workspace");
        m.addStatement("$T arena = workspace.arena()", ARENA);
        if (!em.graph.gates().isEmpty()) {
            m.addStatement("int[][] openRows = workspace.openRows()");
        }
        em.readInputs(m, "inputs", "input");
        em.nhwc = em.channelsLast;
        if (em.nhwc) {
            em.toChannelsLast(m);
        }
        boolean exits = !em.graph.exits().isEmpty();
        em.ordered = !exits && !em.graph.gates().isEmpty();
        if (em.ordered) {
            m.addComment("the batch's rows may be reordered by the gates: row r holds input sample order.original(r)");
            m.addStatement("$T order = new $T(batchSize)", BATCH_ORDER, BATCH_ORDER);
        }
        if (exits) {
            m.addComment("which samples are still in the batch: row r of the current batch is input routing.alive()[r]");
            m.addStatement("$T routing = new $T(batchSize, $L, $L)", EXIT_ROUTING, EXIT_ROUTING,
                    em.graph.exits().get(0).head().dim(0), em.graph.exits().size());
            m.addStatement("workspace.routing(routing)");
            m.addStatement("long remaining = batchSize");
            if (!em.graph.gates().isEmpty()) {
                m.addStatement("$T.fill(openRows, new int[0])", ARRAYS);
            }
        }
        em.taskPaths.begin(m, wanted);
        List<Op> ops = em.inferenceProgram.ops();
        for (int i = 0; i < ops.size(); i++) {
            Op.GatedResidual gate = em.gateAtBodyStart.get(i);
            if (gate != null) {
                gatedBody(m, gate);
                i = em.inferenceProgram.end(gate.bodyRegion()) - 1;
                continue;
            }
            Op.Exit exit = em.exitAtHeadStart.get(i);
            if (exit != null) {
                exitPoint(m, exit);
                i = em.inferenceProgram.end(exit.headRegion());
                continue;
            }
            Integer loop = em.loopAtStepStart.get(i);
            if (loop != null) {
                HaltingLoopEmitter.inference(m, (HaltingMean) ops.get(loop), loop, loopHost());
                i = loop;
                continue;
            }
            FixedPoint fixedPoint = em.fixedPoints.atBodyStart(em.inferenceProgram, i);
            if (fixedPoint != null) {
                em.fixedPoints.forward(m, fixedPoint, false);
                i = em.inferenceProgram.end(fixedPoint.bodyRegion());
                continue;
            }
            Ode ode = em.odes.atBodyStart(em.inferenceProgram, i);
            if (ode != null) {
                em.odes.forward(m, ode, false);
                i = em.inferenceProgram.end(ode.bodyRegion());
                continue;
            }
            if (ops.get(i) instanceof TaskPolicy) {
                int mix = ShareEmitter.mixOf(ops, i);
                i = path == null || path.get(mix) ? em.taskPaths.unit(m, ops, i) : mix;
                continue;
            }
            int node = em.taskPaths.node(m, ops, i, path);
            if (node >= 0) {
                i = node;
                continue;
            }
            if (path != null && !path.get(i)) {
                continue; // another task's
            }
            em.opEmitter.forwardOp(m, ops.get(i), false);
        }
        em.subBatch = false;
        em.batchVar = "batchSize";
        em.nhwc = false;
        if (tasks == null) {
            em.returnOutputs(m, exits);
        } else {
            m.addStatement("$T outputs = new $T<>()", ARRAY_MAP, LINKED_HASH_MAP);
            for (Graph.Port task : tasks) {
                m.addStatement("outputs.put($S, $L.dup('c'))", task.name(), em.v(task.value()));
            }
        }
        em.ordered = false;
        em.taskPaths.end();
        m.addStatement("return outputs");
        return m.build();
    }

    /** What the halting loops' inference needs of this emission: it walks the inference program's unrolled steps. */
    private HaltingLoopEmitter.Host loopHost() {
        return new HaltingLoopEmitter.Host() {
            @Override
            public String v(Value value) {
                return em.v(value);
            }

            @Override
            public void rename(Value value, String name) {
                em.valueName.put(value.id(), name);
            }

            @Override
            public String claim(String base) {
                return em.localScope.claim(base);
            }

            @Override
            public CodeBlock alloc(String key, long[] perSample) {
                return em.alloc(key, perSample);
            }

            @Override
            public CodeBlock carryRows(String key, long[] perSample) {
                String d = JavaEmitter.dims(em.layout(perSample));
                return CodeBlock.of("new $T(arena, $L, $L, dataType, batchSize$L)", HaltingLoopEmitter.CARRY_ROWS,
                        em.slot("carry:" + key + ":a"), em.slot("carry:" + key + ":b"), d.isEmpty() ? "" : ", " + d);
            }

            @Override
            public String batch() {
                return em.batchVar;
            }

            @Override
            public CodeBlock original(CodeBlock rows) {
                if (em.subBatch && em.batchVar.equals("remaining")) {
                    return CodeBlock.of("routing.original($L)", rows);
                }
                return em.ordered ? CodeBlock.of("order.original($L)", rows) : rows;
            }

            @Override
            public java.util.Map<String, String> buffers() {
                return em.bufferField;
            }

            @Override
            public java.util.Map<String, String> params() {
                return em.paramField;
            }

            @Override
            public void subBatch(MethodSpec.Builder m, int from, int to, String rows) {
                String outerBatch = em.batchVar;
                boolean outerSub = em.subBatch;
                em.batchVar = rows;
                em.subBatch = true;
                for (int i = from; i < to; i++) {
                    em.opEmitter.forwardOp(m, em.inferenceProgram.ops().get(i), false);
                }
                em.batchVar = outerBatch;
                em.subBatch = outerSub;
            }
        };
    }

    /**
     * Inference at an exit: the head runs on the samples still in the batch, those whose policy fires leave with
     * its prediction, and every activation the rest of the network reads is gathered to the samples that stay.
     * From here on the batch is {@code remaining} rows of sub-batch buffers.
     */
    private void exitPoint(MethodSpec.Builder m, Op.Exit x) {
        int k = x.exitIndex();
        m.addComment("exit $L '$L': the samples whose policy fires leave here, the others go on", k, commentText(x.name()));
        m.beginControlFlow("if (exitMode != $T.FULL)", EXIT_MODE);
        for (int i = em.inferenceProgram.start(x.headRegion()); i < em.inferenceProgram.end(x.headRegion()); i++) {
            em.opEmitter.forwardOp(m, em.inferenceProgram.ops().get(i), false);
        }
        m.beginControlFlow("if (exitMode == $T.ALL_HEADS)", EXIT_MODE);
        m.addStatement("routing.keep($L)", em.v(x.head()));
        m.nextControlFlow("else");
        String stay = em.localScope.claim("stay" + k);
        m.addStatement("int[] $L = routing.decide($L, $L, EXIT_POLICIES[$L], $L.getDouble(0))", stay, em.v(x.head()), k, k,
                em.bufferField.get(x.thresholdBuffer().name()));
        m.beginControlFlow("if ($L.length == 0)", stay);
        m.addStatement("return routing.exited(OUTPUTS, dataType)");
        m.endControlFlow();
        m.beginControlFlow("if ($L.length != remaining)", stay);
        for (Value live : liveAcross(x)) {
            String gathered = em.localScope.claim(em.v(live) + "_stay" + k);
            m.addStatement("$T $L = arena.rows($L, dataType, batchSize, $L.length$L)", INDARRAY, gathered,
                    em.slot("exit" + k + ":v" + live.id()), stay, live.rank() == 0 ? "" : ", " + dims(em.layout(live.shape())));
            m.addStatement("$T.gather($L, $L, $L)", COMPACTION, em.v(live), stay, gathered);
            m.addStatement("$L = $L", em.v(live), gathered);
        }
        m.addStatement("remaining = $L.length", stay);
        m.endControlFlow();
        m.endControlFlow();
        m.endControlFlow();
        em.subBatch = true;
        em.batchVar = "remaining";
    }

    /**
     * The arrays a gate's window must reorder: the values computed before its body that the rest of inference
     * reads (the block's input and decision among them), and the gate head's pooled means when the in-place
     * residual copies a closed row's means from them. Null when one is a network input (or its inference
     * dropout), whose rows belong to the caller: the gate then gathers.
     */
    private List<Value> liveAcross(Op.GatedResidual g) {
        int bodyStart = em.inferenceProgram.start(g.bodyRegion());
        List<Value> live = liveAcross(bodyStart, bodyStart);
        FusedOp.GatedResidualInPlace inPlace = em.inPlaceGates.get(g);
        if (inPlace != null && inPlace.closedPool() != null) {
            Value means = inPlace.closedPool().out();
            if (!live.contains(means)) {
                live.add(means);
            }
        }
        Set<Integer> inputs = new HashSet<>();
        for (Graph.Port p : em.graph.inputs()) {
            inputs.add(p.value().id());
        }
        for (Value v : live) {
            Value root = v;
            while (em.opIndex.containsKey(root.id()) && em.graph.ops().get(em.opIndex.get(root.id())) instanceof Op.Dropout d) {
                root = d.in();
            }
            if (inputs.contains(root.id())) {
                return null;
            }
        }
        return live;
    }

    /** Values computed before an exit's head that ops after the exit (or the outputs) read. */
    private List<Value> liveAcross(Op.Exit x) {
        return liveAcross(em.inferenceProgram.start(x.headRegion()), em.inferenceProgram.end(x.headRegion()) + 1);
    }

    /**
     * Values computed before op {@code before} of the inference program (or network inputs) that its ops from
     * {@code readFrom} on, or the outputs, read. A fused op reads what its parts read from outside.
     */
    private List<Value> liveAcross(int before, int readFrom) {
        List<Op> ops = em.inferenceProgram.ops();
        Set<Integer> readLater = new HashSet<>();
        for (int i = readFrom; i < ops.size(); i++) {
            for (Value in : ops.get(i).inputs()) {
                readLater.add(in.id());
            }
        }
        for (Graph.Port p : em.graph.outputs()) {
            readLater.add(p.value().id());
        }
        List<Value> live = new ArrayList<>();
        for (Graph.Port p : em.graph.inputs()) {
            if (readLater.contains(p.value().id())) {
                live.add(p.value());
            }
        }
        for (int i = 0; i < before; i++) {
            Value out = ops.get(i).out();
            if (readLater.contains(out.id())) {
                live.add(out);
            }
        }
        return live;
    }

    /**
     * Inference of a gated block's body on the open samples only: gather their rows (unless all are open), run
     * the body on that sub-batch, and leave its output for the scatter of {@link Op.GatedResidual}.
     */
    private void gatedBody(MethodSpec.Builder m, Op.GatedResidual g) {
        String rows = openRows(g);
        String sub = subOut(g);
        String k = em.localScope.claim("open" + g.gateIndex());
        m.addComment("gate $L: its block runs only on the samples whose gate is open", g.gateIndex());
        m.addStatement("int[] $L = $T.openRows($L)", rows, COMPACTION, em.v(g.gate()));
        if (em.subBatch && em.batchVar.equals("remaining")) {
            m.addStatement("openRows[$L] = routing.original($L)", g.gateIndex(), rows);
        } else if (em.ordered) {
            m.addStatement("openRows[$L] = order.original($L)", g.gateIndex(), rows);
        } else {
            m.addStatement("openRows[$L] = $L", g.gateIndex(), rows);
        }
        m.addStatement("$T $L = null", INDARRAY, sub);
        boolean convAdds = convAdds(g);
        String added = addedAt(g);
        if (convAdds) {
            m.addComment("the first open row when the open rows are one range of the batch, into which the block's"
                    + " last convolution adds; -1 when they are gathered");
            m.addStatement("int $L = -1", added);
        }
        m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
        m.addComment("reference mode: the block on every sample, multiplied by the decision");
        List<Op> ops = em.inferenceProgram.ops();
        int first = em.inferenceProgram.start(g.bodyRegion());
        for (int i = first; i < em.inferenceProgram.end(g.bodyRegion()); i++) {
            em.opEmitter.forwardOp(m, ops.get(i), false);
        }
        m.addStatement("$L = $L", sub, em.v(g.body()));
        m.nextControlFlow("else if ($L.length > 0)", rows);
        m.addStatement("long $L = $L.length", k, rows);
        String x = em.v(g.input());
        String gathered = em.localScope.claim(x + "_open");
        m.addStatement("$T $L = $L", INDARRAY, gathered, x);
        m.beginControlFlow("if ($L != $L)", k, em.batchVar);
        List<Value> live = em.ordered && !em.subBatch ? liveAcross(g) : null;
        if (live != null) {
            String start = em.localScope.claim("start" + g.gateIndex());
            m.addComment("the open rows moved into one range of the batch (and of every array read after the block),"
                    + " when that moves fewer rows than a gather");
            m.addStatement("int $L = order.window($L$L)", start, rows, live.stream().map(em::v)
                    .reduce("", (a, b) -> a + ", " + b));
            m.beginControlFlow("if ($L >= 0)", start);
            m.addStatement("$L = $T.range($L, $L.length)", rows, BATCH_ORDER, start, rows);
            m.addStatement("$L = $T.rows($L, $L, $L)", gathered, BATCH_ORDER, x, start, k);
            if (convAdds) {
                m.addStatement("$L = $L", added, start);
            }
            m.nextControlFlow("else");
        }
        m.addStatement("$L = arena.rows($L, dataType, batchSize, $L, $L)", gathered, em.slot("gather" + g.gateIndex()), k,
                dims(em.layout(g.input().shape())));
        m.addStatement("$T.gather($L, $L, $L)", COMPACTION, x, rows, gathered);
        if (live != null) {
            m.endControlFlow();
        }
        if (convAdds) {
            m.nextControlFlow("else");
            m.addStatement("$L = 0", added);
        }
        m.endControlFlow();
        String shortcut = em.v(g.shortcut());
        em.valueName.put(g.input().id(), gathered);
        String outerBatch = em.batchVar;
        boolean outerSub = em.subBatch;
        em.batchVar = k;
        em.subBatch = true;
        int last = convAdds ? em.inferenceProgram.end(g.bodyRegion()) - 1 : em.inferenceProgram.end(g.bodyRegion());
        for (int i = first; i < last; i++) {
            em.opEmitter.forwardOp(m, ops.get(i), false);
        }
        if (convAdds) {
            m.beginControlFlow("if ($L >= 0)", added);
            convBatchNormAdd(m, (FusedOp.ConvBatchNorm) ops.get(last), "and added into the open rows of " + shortcut
                    + " with the ReLU after the residual: no pass of their own", true,
                    CodeBlock.of("$T.rows($L, $L, $L)", BATCH_ORDER, shortcut, added, k));
            m.nextControlFlow("else");
            em.opEmitter.forwardOp(m, ops.get(last), false);
            m.addStatement("$L = $L", sub, em.v(g.body()));
            m.endControlFlow();
        } else {
            m.addStatement("$L = $L", sub, em.v(g.body()));
        }
        em.subBatch = outerSub;
        em.batchVar = outerBatch;
        em.valueName.put(g.input().id(), x);
        m.endControlFlow();
    }

    String openRows(Op.GatedResidual g) {
        return em.aux(g, "open_rows");
    }

    String subOut(Op.GatedResidual g) {
        return em.aux(g, "open_body");
    }

    /** Whether {@code g}'s last convolution adds into its rows here ({@code AddGatedConvIntoRows}). */
    private boolean convAdds(Op.GatedResidual g) {
        FusedOp.GatedResidualInPlace inPlace = em.inPlaceGates.get(g);
        return em.channelsLastInference() && inPlace != null && inPlace.lastConvAdds();
    }

    private String addedAt(Op.GatedResidual g) {
        return em.aux(g, "added_at");
    }

    /**
     * Inference with the trace: which gated blocks ran for each sample, where it left, and what it cost (the fixed
     * FLOPs up to its exit plus the gated blocks that ran for it).
     */
    MethodSpec predict() {
        boolean gates = !em.graph.gates().isEmpty();
        boolean exits = !em.graph.exits().isEmpty();
        long gated = 0;
        for (Op.GatedResidual g : em.graph.gates()) {
            gated += CostModel.regionFlops(g.bodyRegion());
        }
        MethodSpec.Builder m = MethodSpec.methodBuilder("predict")
                .addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC)
                .addJavadoc("Inference with the trace of which gated blocks ran for each sample, where it left and what"
                        + " it cost.\n")
                .returns(PREDICTION)
                .addParameter(ARRAY_MAP, "inputs")
                .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                .beginControlFlow("try")
                .addStatement("$T outputs = forward(inputs, workspace)", ARRAY_MAP)
                .addStatement("int batch = (int) outputs.values().iterator().next().size(0)")
                .addStatement("boolean[][] executed = new boolean[batch][$L]", gates ? "GATE_FLOPS.length" : "0")
                .addStatement("long[] flops = new long[batch]");
        if (exits) {
            m.addStatement("int[] exits = workspace.routing().exits()");
            m.beginControlFlow("for (int n = 0; n < batch; n++)");
            m.addStatement("flops[n] = exitMode == $T.FULL ? FULL_FIXED_FLOPS : EXIT_FIXED_FLOPS[exits[n]]", EXIT_MODE);
            m.endControlFlow();
        } else if (em.taskPaths.any()) {
            m.addComment("the fixed part of the network, and the share units and tree nodes this call computed");
            m.addStatement("$T.fill(flops, $LL + workspace.learnedFlops())", ARRAYS, em.options.flopsPerSample() - em.taskPaths.learnedFlops());
        } else {
            m.addStatement("$T.fill(flops, $LL)", ARRAYS, em.options.flopsPerSample() - gated);
        }
        if (gates) {
            m.beginControlFlow("for (int g = 0; g < GATE_FLOPS.length; g++)")
                    .beginControlFlow("for (int n : workspace.openRows()[g])")
                    .addStatement("executed[n][g] = true")
                    .addStatement("flops[n] += GATE_FLOPS[g]")
                    .endControlFlow()
                    .endControlFlow();
        }
        if (!HaltingLoopEmitter.loops(em.graph).isEmpty()) {
            HaltingLoopEmitter.trace(m, em.graph);
            m.addStatement("return new $T(outputs, executed, flops, $L, $L, steps, new int[batch][0])", PREDICTION,
                    exits ? "exits" : "new int[batch]", exits ? CodeBlock.of("workspace.routing().kept()")
                            : CodeBlock.of("$T.of()", LIST));
        } else if (em.fixedPoints.traced() || em.odes.traced()) {
            m.addStatement("int[][] iterations = new int[batch][$L]", em.fixedPoints.count() + em.odes.count());
            em.fixedPoints.trace(m);
            em.odes.trace(m);
            m.addStatement("return new $T(outputs, executed, flops, new int[batch], $T.of(), new int[batch][0], iterations)", PREDICTION,
                    LIST);
        } else if (exits) {
            m.addStatement("return new $T(outputs, executed, flops, exits, workspace.routing().kept())", PREDICTION);
        } else {
            m.addStatement("return new $T(outputs, executed, flops)", PREDICTION);
        }
        m.nextControlFlow("finally");
        m.addStatement("workspaces.release(workspace)");
        m.endControlFlow();
        return m.build();
    }

    /** The convolution of a {@link FusedOp.ConvBatchNormAddInto}: it adds into the shortcut, the add's ReLU after. */
    void convIntoShortcut(MethodSpec.Builder m, FusedOp.ConvBatchNormAddInto f) {
        Value shortcut = f.shortcut();
        Op addOp = f.sum();
        convBatchNormAdd(m, f.conv(), String.format("and added into %s (nothing reads it after this), for %s at %s",
                em.v(shortcut), commentText(addOp.path()),
                addOp.origin() == null ? "?" : commentText(addOp.origin().toString())),
                f.relu() != null, em.v(shortcut));
        m.addStatement("$T $L = $L", INDARRAY, em.v(f.conv().out()), em.v(shortcut));
    }

    /**
     * A folded convolution + batchnorm added into {@code target} ({@code ChannelsLast.convBatchNormAdd}), with
     * the ReLU if asked, under comments naming both ops and {@code into}: a static residual's shortcut
     * ({@link #convIntoShortcut}) or a gated block's open rows ({@code AddGatedConvIntoRows}).
     */
    private void convBatchNormAdd(MethodSpec.Builder m, FusedOp.ConvBatchNorm f, String into, boolean relu,
            Object target) {
        Op.BatchNorm b = f.batchNorm();
        Op.Conv2d c = f.conv();
        em.comment(m, b);
        m.addComment("folded with $L at $L", commentText(c.path()),
                c.origin() == null ? "?" : commentText(c.origin().toString()));
        m.addComment("$L", into);
        m.addStatement("$T.convBatchNormAdd($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), em.v(c.in()),
                em.param(c.weight()), em.param(c.bias()), em.geometry.get(em.index(c)), em.param(b.gamma()), em.param(b.beta()),
                em.bufferField.get(b.runningMean().name()), em.bufferField.get(b.runningVar().name()), lit(b.eps()),
                relu, target);
    }

    /**
     * Inference of a gated residual with its ReLU fused ({@code FuseGatedResidualRelu}); in place into its shortcut
     * when {@code inPlace} is not null ({@code AddGatedRowsInPlace}).
     */
    void gatedResidualRelu(MethodSpec.Builder m, Op.GatedResidual g, Op.Activation relu, FusedOp.GatedResidualInPlace inPlace) {
        em.fusedWith(m, relu);
        String out = em.v(relu.out());
        String pooled = inPlace == null ? null : earlyPool(m, inPlace.pool());
        m.addStatement("$T $L", INDARRAY, out);
        m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
        m.addStatement("$L = $L", out, em.alloc("v" + relu.out().id(), relu.out().shape()));
        m.addStatement("$T.trainForward($L, $L, $L, true, $L)", GATED_RESIDUAL, em.v(g.shortcut()), subOut(g),
                em.v(g.gate()), out);
        if (pooled != null) {
            m.addStatement("$T.globalAvgPool($L, $L)", op("ChannelsLast"), out, pooled);
        }
        m.nextControlFlow("else");
        if (inPlace != null) {
            m.addComment("in place: $L is a ReLU output that nothing reads after this block, so its closed rows"
                    + " are already the result", em.v(g.shortcut()));
            String previous = inPlace.closedPool() == null ? "null" : em.v(inPlace.closedPool().out());
            boolean convAdds = convAdds(g);
            if (convAdds && pooled != null) {
                m.beginControlFlow("if ($L >= 0)", addedAt(g));
                m.addComment("the block's last convolution added into the open rows: only their means changed");
                m.addStatement("$T.windowMeans($L, $L, $L.length, $L, $L)", COMPACTION, em.v(g.shortcut()), addedAt(g),
                        openRows(g), previous, pooled);
                m.nextControlFlow("else");
            } else if (convAdds) {
                m.beginControlFlow("if ($L < 0)", addedAt(g));
            }
            if (pooled != null) {
                m.addStatement("$T.addRowsInPlace($L, $L, $L, true, $L, $L)", COMPACTION, em.v(g.shortcut()), subOut(g),
                        openRows(g), previous, pooled);
            } else {
                m.addStatement("$T.addRowsInPlace($L, $L, $L, true)", COMPACTION, em.v(g.shortcut()), subOut(g),
                        openRows(g));
            }
            if (convAdds) {
                m.endControlFlow();
            }
            m.addStatement("$L = $L", out, em.v(g.shortcut()));
        } else {
            m.addStatement("$L = $L", out, em.alloc("v" + relu.out().id(), relu.out().shape()));
            m.addStatement("$T.scatterResidual($L, $L, $L, true, $L)", COMPACTION, em.v(g.shortcut()), subOut(g),
                    openRows(g), out);
        }
        m.endControlFlow();
    }
}
