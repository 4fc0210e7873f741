package dev.adnet.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.LoopCost;
import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.pass.Pipeline;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.lang.model.element.Modifier;

/**
 * Emits one Java class per network: parameters and buffers with deterministic initialisation, {@code forward}
 * for inference and, for networks with a train section, {@code trainStep} with the training forward, the losses
 * and the backward pass planned by {@link BackwardPlanner}, one runtime VJP call per op.
 *
 * <p>An {@link Emission} holds what the parts of one class share (names, arena slots, the programs the passes
 * built, the state of the code being emitted); each part is emitted by a class of its own: {@link ClassSkeleton},
 * {@link InferenceEmitter}, {@link OpEmitter}, {@link TrainStepEmitter}, {@link LossTerms}, {@link BackwardEmitter}.
 *
 * <p>Generated code is readable: locals are named after the IR op paths ({@link Names}), every op is preceded by
 * a comment with its path and source position, and every intermediate lives in a slot of the network's
 * {@code Arena} so that a step with an unchanged batch size allocates nothing but the returned outputs.
 */
public final class JavaEmitter {
    private static final String OPS = "dev.adnet.runtime.ops";
    private static final String RT = "dev.adnet.runtime";
    static final ClassName INDARRAY = ClassName.get("org.nd4j.linalg.api.ndarray", "INDArray");
    static final ClassName DATA_TYPE = ClassName.get("org.nd4j.linalg.api.buffer", "DataType");
    static final ClassName ND4J = ClassName.get("org.nd4j.linalg.factory", "Nd4j");
    static final ClassName ARENA = ClassName.get(OPS, "Arena");
    static final ClassName WORKSPACE = ClassName.get(RT, "Workspace");
    static final ClassName WORKSPACE_POOL = ClassName.get(RT, "WorkspacePool");
    static final ClassName TRAINING_GUARD = ClassName.get(RT, "TrainingGuard");
    static final ClassName ATOMIC_LONG = ClassName.get("java.util.concurrent.atomic", "AtomicLong");
    static final ClassName INIT = ClassName.get(OPS, "Init");
    static final ClassName CONV_GEOMETRY = ClassName.get(OPS, "ConvGeometry");
    static final ClassName POOL_GEOMETRY = ClassName.get(OPS, "PoolGeometry");
    static final ClassName ELEMENTWISE = ClassName.get(OPS, "Elementwise");
    static final ClassName CL_TRAINING = ClassName.get(OPS, "ChannelsLastTraining");
    static final String ADAPTIVE = "dev.adnet.runtime.adaptive";
    static final ClassName GUMBEL = ClassName.get(ADAPTIVE, "GumbelSoftmax");
    static final ClassName GATED_RESIDUAL = ClassName.get(ADAPTIVE, "GatedResidual");
    static final ClassName COMPACTION = ClassName.get(ADAPTIVE, "Compaction");
    static final ClassName PREDICTION = ClassName.get("dev.adnet.runtime", "Prediction");
    static final ClassName GATE_MODE = ClassName.get("dev.adnet.runtime", "GateMode");
    static final ClassName EXIT_MODE = ClassName.get("dev.adnet.runtime", "ExitMode");
    static final ClassName EXIT_POLICY = ClassName.get(ADAPTIVE, "ExitPolicy");
    static final ClassName EXIT_ROUTING = ClassName.get(ADAPTIVE, "ExitRouting");
    static final ClassName BATCH_ORDER = ClassName.get(ADAPTIVE, "BatchOrder");
    static final ClassName NETWORK = ClassName.get(RT, "Network");
    static final ClassName TRAINABLE = ClassName.get(RT, "TrainableNetwork");
    static final ClassName PARAMETER = ClassName.get(RT, "Parameter");
    static final ClassName BUFFER = ClassName.get(RT, "Buffer");
    static final ClassName TENSOR_SPEC = ClassName.get(RT, "TensorSpec");
    static final ClassName STEP_CONTEXT = ClassName.get(RT, "StepContext");
    static final ClassName BATCH = ClassName.get(RT + ".train", "Batch");
    static final ClassName STEP_RESULT = ClassName.get(RT + ".train", "StepResult");
    static final ClassName TRAINING_CONFIG = ClassName.get(RT + ".train", "TrainingConfig");
    static final ClassName OPTIMIZER_CONFIG = ClassName.get(RT + ".train", "OptimizerConfig");
    static final ClassName SCHEDULE_CONFIG = ClassName.get(RT + ".train", "ScheduleConfig");
    static final ClassName MAP = ClassName.get(Map.class);
    static final ClassName LIST = ClassName.get(List.class);
    static final ClassName LINKED_HASH_MAP = ClassName.get(LinkedHashMap.class);
    static final ClassName ARRAYS = ClassName.get("java.util", "Arrays");
    static final ClassName SET = ClassName.get("java.util", "Set");
    static final ClassName LINKED_HASH_SET = ClassName.get("java.util", "LinkedHashSet");
    static final TypeName ARRAY_MAP = ParameterizedTypeName.get(MAP, ClassName.get(String.class), INDARRAY);

    /** Simple names the generated code refers to; no local or field may shadow them. */
    private static final String[] TYPE_NAMES = {"INDArray", "DataType", "Nd4j", "Arena", "Init", "ConvGeometry",
        "PoolGeometry", "Elementwise", "Network", "TrainableNetwork", "Parameter", "Buffer", "TensorSpec",
        "StepContext", "Batch", "StepResult", "TrainingConfig", "OptimizerConfig", "ScheduleConfig", "Map", "List",
        "LinkedHashMap", "Arrays", "Set", "LinkedHashSet", "String", "Double", "Long", "Math", "Object", "Conv2d",
        "Dense", "BatchNorm", "LayerNorm", "Relu", "Gelu", "Sigmoid", "Tanh", "Softmax", "MaxPool2d", "AvgPool2d",
        "GlobalAvgPool", "Flatten", "Dropout", "Concat", "SoftmaxCrossEntropy", "MeanSquaredError",
        "FusedBatchNormRelu", "Distillation", "ExitMode", "ExitPolicy", "ExitRouting", "Compaction", "GumbelSoftmax", "GatedResidual",
        "Prediction", "GateMode", "ChannelsLast", "ChannelsLastTraining",
        "IllegalArgumentException", "Override", "System"};

    public JavaEmitter() {}

    public JavaFile emit(Graph graph, EmitOptions options) {
        Graph shared = ShareUnrolling.unroll(graph);
        return new Emission(LoopUnrolling.unroll(shared), CostModel.of(shared).units(LoopCost.class), options).file();
    }

    /**
     * The program {@code forward} and {@code predict} of {@code graph} run: the checked graph rewritten by the
     * inference passes, those of channels-last inference when it is allowed and the network runs so.
     */
    public static Graph inferenceProgram(Graph graph, boolean channelsLast) {
        return Pipeline.inference(channelsLast && ImageLayout.channelsLast(graph)).run(graph);
    }

    static ClassName op(String simple) {
        return ClassName.get(OPS, simple);
    }

    /** A double as Java source that reads back to the same value. */
    static String lit(double d) {
        if (Double.isNaN(d)) {
            return "Double.NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Double.POSITIVE_INFINITY" : "Double.NEGATIVE_INFINITY";
        }
        return Double.toString(d);
    }

    static String lit(long v) {
        return v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE ? Long.toString(v) : v + "L";
    }

    static String dims(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (long d : shape) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(lit(d));
        }
        return sb.toString();
    }

    /** Text safe inside a comment or Javadoc: no comment terminator, no unicode escape, one line. */
    static String commentText(String s) {
        return s.replace("\\", "\\\\").replace("*/", "*&#47;").replace('\n', ' ').replace('\r', ' ');
    }

    /** One network's emission: the names and state its parts share, and the emitters of the parts. */
    static final class Emission implements FixedPointEmitter.Host {
        /** The emitters of the class's parts, by concern; they share this emission's names and state. */
        final ClassSkeleton skeleton = new ClassSkeleton(this);
        final InferenceEmitter inference = new InferenceEmitter(this);
        final OpEmitter opEmitter = new OpEmitter(this);
        final TrainStepEmitter training = new TrainStepEmitter(this);
        final LossTerms losses = new LossTerms(this);
        final BackwardEmitter backward = new BackwardEmitter(this);
        final ShareEmitter shares = new ShareEmitter(this);
        final TaskPaths taskPaths = new TaskPaths(this);
        final Graph graph;
        final EmitOptions options;
        final boolean trainable;
        final String className;
        final Names.Scope classScope = new Names.Scope();
        final Map<String, String> paramField = new HashMap<>();
        final Map<String, String> paramGradField = new HashMap<>();
        final Map<String, String> bufferField = new HashMap<>();
        final Map<Integer, String> geometry = new HashMap<>();
        final Map<Integer, String> valueName = new HashMap<>();
        final Map<Integer, String> gradName = new HashMap<>();
        final Map<String, Integer> slots = new LinkedHashMap<>();
        final Names.Scope localScope;
        /** The backward plan; the fixed points' emitter lends it the plan of a body's reverse pass while it emits one. */
        Plan plan;
        /** Emits the fixed points: their solves and their implicit backward passes. */
        final FixedPointEmitter fixedPoints;
        /** Emits the ODEs: their solves and their backward passes through the accepted steps. */
        final OdeEmitter odes;
        /** Gated residuals by the index of their body's first op: where inference switches to the sub-batch. */
        final Map<Integer, Op.GatedResidual> gateAtBodyStart = new HashMap<>();
        /** The Java expression for the current batch size: {@code batchSize}, or a gate's open-row count. */
        String batchVar = "batchSize";
        /** Whether activations are allocated as sub-batch views ({@code arena.rows}). */
        boolean subBatch;
        /**
         * Whether inference keeps a {@code BatchOrder}: gates may then reorder the batch's rows instead of gathering
         * (networks with gates and no exits, whose routing keeps an order of its own).
         */
        boolean ordered;
        /** Exits by the index of their head's first op: where inference may let samples leave. */
        final Map<Integer, Op.Exit> exitAtHeadStart = new HashMap<>();
        /**
         * Unrolled halting loops in the inference program: the index of each one's halting mean, by the index of its
         * first step's first op.
         */
        final Map<Integer, Integer> loopAtStepStart = new HashMap<>();
        /**
         * The programs the passes made of the graph ({@link Pipeline}): forward and predict walk the inference
         * program, the training step's forward the training program; the backward walks the checked ops.
         */
        final Graph inferenceProgram;
        final Graph trainingProgram;
        /** The inference program's in-place gated residuals, by the gated residual each stands for. */
        final Map<Op.GatedResidual, FusedOp.GatedResidualInPlace> inPlaceGates = new java.util.IdentityHashMap<>();
        /**
         * The training program's batchnorm + ReLU pairs by the checked schedule's indices, batchnorm to ReLU and back:
         * the backward walks the checked ops and differentiates each pair as one ({@code FusedBatchNormRelu}).
         */
        final Map<Integer, Integer> fusedRelu = new HashMap<>();
        final Map<Integer, Integer> fusedBatchNorm = new HashMap<>();
        /** Every op's index in the checked schedule, by the id of the value it defines (a fused op's: its last part's). */
        final Map<Integer, Integer> opIndex = new HashMap<>();
        /** Whether this network runs channels-last ({@link ImageLayout}). */
        final boolean channelsLast;
        /** Whether the code being emitted runs channels-last: image activations are {@code [B, H, W, C]}. */
        boolean nhwc;
        /**
         * Whether the code being emitted is the training step, where a frozen op runs as at inference but no
         * batchnorm folds into its convolution (the backward may read the convolution's output).
         */
        boolean inTrainStep;
        /** The index in the plan of the backward step being emitted (-1 outside the backward pass). */
        int stepIndex = -1;
        /**
         * Gradients (by value id) whose last contribution is left for the ReLU producing the value to add in its VJP
         * ({@code Relu.backward} with two gradients): one pass instead of an accumulation and then the ReLU's pass.
         */
        final Map<Integer, String> pendingPart = new HashMap<>();
        /** The training step's watched ACT loops (null until the plan is made). */
        final ActTrainingSteps acts;
        /** Where the ops' forward declares its values while a watched step's ops are emitted under a condition. */
        CodeBlock.Builder hoisted;

        /** Each loop's cost, from the graph before its loops were unrolled: what its runtime unit says. */
        private final List<LoopCost> loopCosts;

        Emission(Graph graph, List<LoopCost> loopCosts, EmitOptions options) {
            this.loopCosts = List.copyOf(loopCosts);
            if (graph.inputs().isEmpty()) {
                throw new IllegalArgumentException("network " + graph.name() + " has no inputs: the batch size is"
                        + " read from the first input");
            }
            this.graph = graph;
            this.options = options;
            this.trainable = graph.training() != null;
            this.channelsLast = options.channelsLast() && ImageLayout.channelsLast(graph);
            this.className = Names.identifier(graph.name());
            classScope.reserve(TYPE_NAMES).reserve(UnitsEmitter.TYPE_NAMES).reserve(className, "NAME", "SOURCE_HASH", "FLOPS_PER_SAMPLE", "INPUTS",
                    "OUTPUTS", "dataType", "arena", "workspaces", "trainingGuard", "parameters", "buffers", "GATE_FLOPS", "openRows", "inferenceSeed", "gateMode",
                    "EXIT_FLOPS", "EXIT_FIXED_FLOPS", "LOOP_CAPS", "LOOP_STEP_FLOPS", "trainableParameters", "FULL_FIXED_FLOPS", "EXIT_POLICIES", "EXIT_THRESHOLDS", "exitMode");
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op instanceof Op.Conv2d || op instanceof Op.Pool2d) {
                    geometry.put(i, classScope.claim(Names.constant(op.path())));
                }
            }
            for (ParamDecl p : graph.params()) {
                String f = classScope.claim(Names.path(p.name()));
                paramField.put(p.name(), f);
                paramGradField.put(p.name(), classScope.claim(f + "_grad"));
            }
            for (BufferDecl b : graph.buffers()) {
                bufferField.put(b.name(), classScope.claim(Names.path(b.name())));
            }
            localScope = new Names.Scope(classScope).reserve("inputs", "batch", "context", "workspace", "batchSize", "outputs",
                    "loss", "terms", "seed", "temperature", "exitRamp", "routing", "remaining")
                    .reserve(FixedPointEmitter.METHOD_LOCALS).reserve(OdeEmitter.METHOD_LOCALS);
            for (Graph.Port p : graph.inputs()) {
                valueName.put(p.value().id(), localScope.claim(Names.identifier(p.name())));
            }
            for (Op op : ops) {
                valueName.putIfAbsent(op.out().id(), localScope.claim(Names.path(op.path())));
            }
            for (int i = 0; i < ops.size(); i++) {
                opIndex.put(ops.get(i).out().id(), i);
            }
            inferenceProgram = inferenceProgram(graph, options.channelsLast());
            trainingProgram = trainable ? Pipeline.training().run(graph) : null;
            if (trainable) {
                for (Op op : trainingProgram.ops()) {
                    if (op instanceof FusedOp.BatchNormRelu f) {
                        fusedRelu.put(index(f.batchNorm()), index(f.relu()));
                        fusedBatchNorm.put(index(f.relu()), index(f.batchNorm()));
                    }
                }
            }
            for (Op op : inferenceProgram.ops()) {
                if (op instanceof FusedOp.GatedResidualInPlace g) {
                    inPlaceGates.put(g.gate(), g);
                }
            }
            for (Op.GatedResidual g : inferenceProgram.gates()) {
                gateAtBodyStart.put(inferenceProgram.start(g.bodyRegion()), g);
            }
            for (Op.Exit x : inferenceProgram.exits()) {
                exitAtHeadStart.put(inferenceProgram.start(x.headRegion()), x);
            }
            HaltingLoopEmitter.stepStarts(inferenceProgram, loopAtStepStart);
            this.plan = trainable ? BackwardPlanner.plan(graph) : null;
            fixedPoints = new FixedPointEmitter(this);
            odes = new OdeEmitter(this);
            acts = new ActTrainingSteps(this);
            if (trainable) {
                for (Graph.Port p : graph.inputs()) {
                    gradNameFor(p.value());
                }
                for (Op op : ops) {
                    gradNameFor(op.out());
                }
            }
        }

        /** An op's index in the checked schedule; a fused op's is its last part's. */
        int index(Op op) {
            return opIndex.get(op.out().id());
        }

        /** Whether the code being emitted is channels-last inference, where the pooling and shortcut fusions apply. */
        boolean channelsLastInference() {
            return nhwc && !inTrainStep;
        }

        void gradNameFor(Value v) {
            if (plan.hasGradient(v) && !gradName.containsKey(v.id())) {
                gradName.put(v.id(), localScope.claim("grad_" + valueName.get(v.id())));
            }
        }

        JavaFile file() {
            TypeSpec.Builder type = TypeSpec.classBuilder(className)
                    .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                    .addSuperinterface(trainable ? TRAINABLE : NETWORK)
                    .addJavadoc(skeleton.javadoc());
            skeleton.fields(type);
            skeleton.constructors(type);
            skeleton.accessors(type);
            type.addMethod(inference.forwardInWorkspace());
            type.addMethod(inference.forward());
            if (!graph.tasks().isEmpty() && graph.gates().isEmpty() && graph.exits().isEmpty()
                    && HaltingLoopEmitter.loops(graph).isEmpty() && !fixedPoints.any()) {
                inference.taskEntryPoints(type);
            }
            MethodSpec units = UnitsEmitter.units(graph, loopCosts, bufferField::get);
            if (units != null) {
                type.addMethod(units);
            }
            boolean loops = !HaltingLoopEmitter.loops(graph).isEmpty();
            if (loops) {
                HaltingLoopEmitter.fields(type, graph);
            }
            if (!graph.gates().isEmpty() || !graph.exits().isEmpty() || loops || fixedPoints.any() || odes.any()
                    || taskPaths.any()) {
                type.addMethod(inference.predict());
            }
            if (trainable) {
                type.addMethod(training.trainStepGuarded());
                type.addMethod(training.trainStep());
                type.addMethod(skeleton.trainingConfig());
                if (shares.scheduled()) {
                    shares.scheduleMembers(type);
                }
            }
            fixedPoints.members(type, trainable);
            odes.members(type, trainable);
            return JavaFile.builder(options.javaPackage(), type.build())
                    .addStaticImport(INIT, "seedFor")
                    .skipJavaLangImports(true)
                    .indent("    ")
                    .build();
        }

        boolean frozenBackbone() {
            return trainable && graph.training().freezeBackbone();
        }

        int indexOf(Op op) {
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i) == op) {
                    return i;
                }
            }
            throw new IllegalStateException(op.path() + " is not in the graph");
        }

        @Override
        public int slot(String key) {
            return slots.computeIfAbsent(key, k -> slots.size());
        }

        CodeBlock alloc(String key, long[] perSample) {
            String d = dims(layout(perSample));
            if (subBatch) {
                return CodeBlock.of("arena.rows($L, dataType, batchSize, $L$L)", slot("sub:" + key), batchVar,
                        d.isEmpty() ? "" : ", " + d);
            }
            return CodeBlock.of("arena.get($L, dataType, batchSize$L)", slot(key), d.isEmpty() ? "" : ", " + d);
        }

        /** A per-sample shape as allocated: {@code [H, W, C]} for an image in channels-last inference. */
        long[] layout(long[] perSample) {
            return nhwc && perSample.length == 3 ? new long[] {perSample[1], perSample[2], perSample[0]} : perSample;
        }

        CodeBlock allocUnbatched(String key, long[] shape) {
            return CodeBlock.of("arena.get($L, dataType, $L)", slot(key), dims(shape));
        }

        @Override
        public String v(Value value) {
            return valueName.get(value.id());
        }

        void readInputs(MethodSpec.Builder m, String map, String what) {
            m.addStatement("$T.checkNames(NAME, $S, $L.keySet(), INPUTS)", TENSOR_SPEC, what, map);
            List<Graph.Port> ins = graph.inputs();
            for (int i = 0; i < ins.size(); i++) {
                m.addStatement("$T $L = INPUTS.get($L).checked(NAME, $L, $S, $L, dataType)", INDARRAY, v(ins.get(i).value()),
                        i, map, what, i == 0 ? "-1" : "batchSize");
                if (i == 0) {
                    m.addStatement("long batchSize = $L.size(0)", v(ins.get(0).value()));
                }
            }
        }

        void comment(MethodSpec.Builder m, Op op) {
            Span s = op.origin();
            m.addComment("$L at $L", commentText(op.path()), s == null ? "?" : commentText(s.toString()));
        }

        /** Image inputs to {@code [B, H, W, C]}: a view for one channel (the same memory), a copy otherwise. */
        void toChannelsLast(MethodSpec.Builder m) {
            m.addComment("channels-last: images are [batch, height, width, channels]");
            for (Graph.Port p : graph.inputs()) {
                Value in = p.value();
                if (in.rank() != 3) {
                    continue;
                }
                long[] s = layout(in.shape());
                if (in.dim(0) == 1) {
                    m.addStatement("$L = $L.reshape('c', batchSize, $L)", v(in), v(in), dims(s));
                } else {
                    String last = localScope.claim(v(in) + "_nhwc");
                    m.addStatement("$T $L = $L", INDARRAY, last, alloc("nhwc" + in.id(), in.shape()));
                    m.addStatement("$T.fromChannelsFirst($L, $L)", op("ChannelsLast"), v(in), last);
                    m.addStatement("$L = $L", v(in), last);
                }
            }
        }

        /** The outputs map; with exits at inference, every sample's output from where it left, in input order. */
        void returnOutputs(MethodSpec.Builder m, boolean routed) {
            m.addStatement("$T outputs = new $T<>()", ARRAY_MAP, LINKED_HASH_MAP);
            for (Graph.Port p : graph.outputs()) {
                if (routed) {
                    m.addStatement("outputs.put($S, routing.finish($L, dataType))", p.name(), v(p.value()));
                } else if (ordered) {
                    m.addStatement("outputs.put($S, order.restore($L))", p.name(), v(p.value()));
                } else {
                    m.addStatement("outputs.put($S, $L.dup('c'))", p.name(), v(p.value()));
                }
            }
        }

        @Override
        public String param(ParamDecl p) {
            return p == null ? "null" : paramField.get(p.name());
        }

        /** The comment naming an op that runs inside the kernel of the op commented before. */
        void fusedWith(MethodSpec.Builder m, Op part) {
            m.addComment("fused with $L at $L", commentText(part.path()),
                    part.origin() == null ? "?" : commentText(part.origin().toString()));
        }

        final Map<String, String> auxNames = new HashMap<>();

        String aux(Op op, String suffix) {
            return auxNames.computeIfAbsent(op.path() + "#" + suffix + "#" + op.out().id(),
                    k -> localScope.claim(v(op.out()) + "_" + suffix));
        }

        String saveMean(Op op) {
            return aux(op, "mean");
        }

        String saveInvStd(Op op) {
            return aux(op, "inv_std");
        }

        String mask(Op op) {
            return aux(op, "mask");
        }

        String soft(Op op) {
            return aux(op, "soft");
        }


        // ---------------------------------------------------------------------------------------- fixed points

        @Override
        public Graph graph() {
            return graph;
        }

        @Override
        public Names.Scope classScope() {
            return classScope;
        }

        @Override
        public Names.Scope localScope() {
            return localScope;
        }

        @Override
        public void name(Value value, String javaName) {
            valueName.put(value.id(), javaName);
        }

        @Override
        public String gradName(Value value) {
            return gradName.computeIfAbsent(value.id(), id -> localScope.claim("grad_" + valueName.get(id)));
        }

        @Override
        public boolean hasGradient(Value value) {
            return plan != null && plan.hasGradient(value);
        }

        @Override
        public String paramGrad(ParamDecl p) {
            return paramGradField.get(p.name());
        }

        /**
         * A fixed point's body as the checked ops (the passes leave it unfused): the solver runs it on the rows still
         * iterating, and its VJPs walk the same ops, so both see one schedule and its indices.
         */
        @Override
        public void forwardRegion(MethodSpec.Builder m, Region region, boolean train, String rows) {
            boolean outerSub = subBatch;
            String outerBatch = batchVar;
            if (rows != null) {
                subBatch = true;
                batchVar = rows;
            }
            for (int i = graph.start(region); i < graph.end(region); i++) {
                opEmitter.forwardOp(m, graph.ops().get(i), train);
            }
            subBatch = outerSub;
            batchVar = outerBatch;
        }

        @Override
        public void backwardSteps(MethodSpec.Builder m, Names.Scope scope, Plan bodyPlan, String rows) {
            Plan outer = plan;
            int outerStep = stepIndex;
            boolean outerSub = subBatch;
            String outerBatch = batchVar;
            if (rows != null) {
                subBatch = true;
                batchVar = rows;
            }
            plan = bodyPlan;
            for (int i = 0; i < bodyPlan.steps().size(); i++) {
                stepIndex = i;
                backward.backwardStep(m, scope, bodyPlan.steps().get(i));
            }
            plan = outer;
            stepIndex = outerStep;
            subBatch = outerSub;
            batchVar = outerBatch;
        }
    }
}
