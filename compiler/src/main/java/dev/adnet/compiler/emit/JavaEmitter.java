package dev.adnet.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.emit.BackwardPlanner.Seed;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.TrainingSetup;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emits one Java class per network: parameters and buffers with deterministic initialisation, {@code forward}
 * for inference and, for networks with a train section, {@code trainStep} with the training forward, the losses
 * and the backward pass planned by {@link BackwardPlanner}, one runtime VJP call per op.
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
    private static final String ADAPTIVE = "dev.adnet.runtime.adaptive";
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
        return new Emission(graph, options).file();
    }

    private static ClassName op(String simple) {
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

    /** Text safe inside a comment or Javadoc: no comment terminator, no unicode escape, one line. */
    static String commentText(String s) {
        return s.replace("\\", "\\\\").replace("*/", "*&#47;").replace('\n', ' ').replace('\r', ' ');
    }

    private static final class Emission implements FixedPointEmitter.Host {
        private final Graph graph;
        private final EmitOptions options;
        private final boolean trainable;
        private final String className;
        private final Names.Scope classScope = new Names.Scope();
        private final Map<String, String> paramField = new HashMap<>();
        private final Map<String, String> paramGradField = new HashMap<>();
        private final Map<String, String> bufferField = new HashMap<>();
        private final Map<Integer, String> geometry = new HashMap<>();
        private final Map<Integer, String> valueName = new HashMap<>();
        private final Map<Integer, String> gradName = new HashMap<>();
        private final Map<String, Integer> slots = new LinkedHashMap<>();
        private final Names.Scope localScope;
        /** The backward plan; the fixed points' emitter lends it the plan of a body's reverse pass while it emits one. */
        private Plan plan;
        /** Emits the fixed points: their solves and their implicit backward passes. */
        private final FixedPointEmitter fixedPoints;
        /** Gated residuals by the index of their body's first op: where inference switches to the sub-batch. */
        private final Map<Integer, Op.GatedResidual> gateAtBodyStart = new HashMap<>();
        /** The Java expression for the current batch size: {@code batchSize}, or a gate's open-row count. */
        private String batchVar = "batchSize";
        /** Whether activations are allocated as sub-batch views ({@code arena.rows}). */
        private boolean subBatch;
        /**
         * Whether inference keeps a {@code BatchOrder}: gates may then reorder the batch's rows instead of gathering
         * (networks with gates and no exits, whose routing keeps an order of its own).
         */
        private boolean ordered;
        /** Exits by the index of their head's first op: where inference may let samples leave. */
        private final Map<Integer, Op.Exit> exitAtHeadStart = new HashMap<>();
        /** Where the emitter fuses ops and changes their layout. */
        private final FusionPlan fusion;
        /** Whether this network runs channels-last ({@link ImageLayout}). */
        private final boolean channelsLast;
        /** Whether the code being emitted runs channels-last: image activations are {@code [B, H, W, C]}. */
        private boolean nhwc;
        /**
         * Whether the code being emitted is the training step, where a frozen op runs as at inference but no
         * batchnorm folds into its convolution (the backward may read the convolution's output).
         */
        private boolean inTrainStep;
        /** The index in the plan of the backward step being emitted (-1 outside the backward pass). */
        private int stepIndex = -1;
        /**
         * Gradients (by value id) whose last contribution is left for the ReLU producing the value to add in its VJP
         * ({@code Relu.backward} with two gradients): one pass instead of an accumulation and then the ReLU's pass.
         */
        private final Map<Integer, String> pendingPart = new HashMap<>();

        Emission(Graph graph, EmitOptions options) {
            if (graph.inputs().isEmpty()) {
                throw new IllegalArgumentException("network " + graph.name() + " has no inputs: the batch size is"
                        + " read from the first input");
            }
            this.graph = graph;
            this.options = options;
            this.trainable = graph.training() != null;
            this.channelsLast = options.channelsLast() && ImageLayout.channelsLast(graph);
            this.className = Names.identifier(graph.name());
            classScope.reserve(TYPE_NAMES).reserve(className, "NAME", "SOURCE_HASH", "FLOPS_PER_SAMPLE", "INPUTS",
                    "OUTPUTS", "dataType", "arena", "workspaces", "trainingGuard", "parameters", "buffers", "GATE_FLOPS", "openRows", "inferenceSeed", "gateMode",
                    "EXIT_FLOPS", "EXIT_FIXED_FLOPS", "trainableParameters", "FULL_FIXED_FLOPS", "EXIT_POLICIES", "EXIT_THRESHOLDS", "exitMode");
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
                    .reserve(FixedPointEmitter.METHOD_LOCALS);
            for (Graph.Port p : graph.inputs()) {
                valueName.put(p.value().id(), localScope.claim(Names.identifier(p.name())));
            }
            for (Op op : ops) {
                valueName.putIfAbsent(op.out().id(), localScope.claim(Names.path(op.path())));
            }
            for (Op.GatedResidual g : graph.gates()) {
                gateAtBodyStart.put(graph.start(g.bodyRegion()), g);
            }
            for (Op.Exit x : graph.exits()) {
                exitAtHeadStart.put(graph.start(x.headRegion()), x);
            }
            fusion = new FusionPlan(graph);
            this.plan = trainable ? BackwardPlanner.plan(graph) : null;
            fixedPoints = new FixedPointEmitter(this);
            if (trainable) {
                for (Graph.Port p : graph.inputs()) {
                    gradNameFor(p.value());
                }
                for (Op op : ops) {
                    gradNameFor(op.out());
                }
            }
        }

        /** Whether the code being emitted is channels-last inference, where the pooling and shortcut fusions apply. */
        private boolean channelsLastInference() {
            return nhwc && !inTrainStep;
        }

        /**
         * Declares the array of the pooling that op {@code index} computes in its kernel (with a comment naming it),
         * and returns its name; null when the op computes none.
         */
        private String earlyPool(MethodSpec.Builder m, int index) {
            Integer p = fusion.poolsOutput.get(index);
            if (p == null || !channelsLastInference()) {
                return null;
            }
            Op pool = graph.ops().get(p);
            m.addComment("with $L at $L, computed in the same pass", commentText(pool.path()),
                    pool.origin() == null ? "?" : commentText(pool.origin().toString()));
            m.addStatement("$T $L = $L", INDARRAY, v(pool.out()), alloc("v" + pool.out().id(), pool.out().shape()));
            return v(pool.out());
        }

        private void gradNameFor(Value v) {
            if (plan.hasGradient(v) && !gradName.containsKey(v.id())) {
                gradName.put(v.id(), localScope.claim("grad_" + valueName.get(v.id())));
            }
        }

        JavaFile file() {
            TypeSpec.Builder type = TypeSpec.classBuilder(className)
                    .addModifiers(Modifier.PUBLIC, Modifier.FINAL)
                    .addSuperinterface(trainable ? TRAINABLE : NETWORK)
                    .addJavadoc(javadoc());
            fields(type);
            constructors(type);
            accessors(type);
            type.addMethod(forwardInWorkspace());
            type.addMethod(forward());
            if (!graph.gates().isEmpty()) {
                gateAccessors(type);
            }
            if (!graph.exits().isEmpty()) {
                exitAccessors(type);
            }
            if (!graph.gates().isEmpty() || !graph.exits().isEmpty() || fixedPoints.any()) {
                type.addMethod(predict());
            }
            if (trainable) {
                type.addMethod(trainStepGuarded());
                type.addMethod(trainStep());
                type.addMethod(trainingConfig());
            }
            helpers(type);
            fixedPoints.members(type, trainable);
            return JavaFile.builder(options.javaPackage(), type.build())
                    .addStaticImport(INIT, "seedFor")
                    .skipJavaLangImports(true)
                    .indent("    ")
                    .build();
        }

        private CodeBlock javadoc() {
            return CodeBlock.builder()
                    .add("Network {@code $L} from {@code $L}.\n", commentText(graph.name()),
                            commentText(options.sourceFile()))
                    .add("\n<p>Generated by adnet $L. Do not edit.\n", commentText(options.compilerVersion()))
                    .add("\n<p>{@link #forward} returns fresh arrays that later calls do not touch. Inference is"
                            + " safe from many\nthreads at once: each call runs in a workspace of its own (its"
                            + " intermediates and its trace),\ntaken from a pool and given back when it returns."
                            + " Training steps run one at a time: a step\nentered while another runs on the same"
                            + " instance throws {@link IllegalStateException}.\n")
                    .build();
        }

        // ---------------------------------------------------------------------------------------- fields

        private void fields(TypeSpec.Builder type) {
            type.addField(FieldSpec.builder(String.class, "NAME", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer("$S", graph.name()).build());
            type.addField(FieldSpec.builder(String.class, "SOURCE_HASH", Modifier.PRIVATE, Modifier.STATIC,
                    Modifier.FINAL).initializer("$S", options.sourceHash()).build());
            type.addField(FieldSpec.builder(long.class, "FLOPS_PER_SAMPLE", Modifier.PRIVATE, Modifier.STATIC,
                    Modifier.FINAL).initializer("$LL", options.flopsPerSample()).build());
            TypeName specs = ParameterizedTypeName.get(LIST, TENSOR_SPEC);
            type.addField(FieldSpec.builder(specs, "INPUTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(specList(graph.inputs())).build());
            type.addField(FieldSpec.builder(specs, "OUTPUTS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .initializer(specList(graph.outputs())).build());
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                Op op = ops.get(i);
                if (op instanceof Op.Conv2d c) {
                    type.addField(FieldSpec.builder(CONV_GEOMETRY, geometry.get(i), Modifier.PRIVATE,
                            Modifier.STATIC, Modifier.FINAL).initializer("new $T($L, $L, $L, $L, $L, $L, $L, $L, false, $L)",
                                    CONV_GEOMETRY, c.kernelH(), c.kernelW(), c.strideH(), c.strideW(), c.padH(),
                                    c.padW(), c.dilationH(), c.dilationW(), c.groups()).build());
                } else if (op instanceof Op.Pool2d p) {
                    type.addField(FieldSpec.builder(POOL_GEOMETRY, geometry.get(i), Modifier.PRIVATE,
                            Modifier.STATIC, Modifier.FINAL).initializer("new $T($L, $L, $L, $L, $L, $L, false)",
                                    POOL_GEOMETRY, p.kernelH(), p.kernelW(), p.strideH(), p.strideW(), p.padH(),
                                    p.padW()).build());
                }
            }
            type.addField(FieldSpec.builder(DATA_TYPE, "dataType", Modifier.PRIVATE, Modifier.FINAL).build());
            type.addField(FieldSpec.builder(WORKSPACE_POOL, "workspaces", Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc("The workspaces of the calls in flight, one each, and of those that ran before.\n")
                    .initializer("new $T($L)", WORKSPACE_POOL, graph.gates().size()).build());
            if (trainable) {
                type.addField(FieldSpec.builder(TRAINING_GUARD, "trainingGuard", Modifier.PRIVATE, Modifier.FINAL)
                        .initializer("new $T(NAME)", TRAINING_GUARD).build());
            }
            for (ParamDecl p : graph.params()) {
                type.addField(FieldSpec.builder(INDARRAY, paramField.get(p.name()), Modifier.PRIVATE, Modifier.FINAL)
                        .build());
                type.addField(FieldSpec.builder(INDARRAY, paramGradField.get(p.name()), Modifier.PRIVATE,
                        Modifier.FINAL).build());
            }
            for (BufferDecl b : graph.buffers()) {
                type.addField(FieldSpec.builder(INDARRAY, bufferField.get(b.name()), Modifier.PRIVATE, Modifier.FINAL)
                        .build());
            }
            type.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, PARAMETER), "parameters",
                    Modifier.PRIVATE, Modifier.FINAL).build());
            type.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, BUFFER), "buffers", Modifier.PRIVATE,
                    Modifier.FINAL).build());
            if (frozenBackbone()) {
                type.addField(FieldSpec.builder(ParameterizedTypeName.get(LIST, PARAMETER), "trainableParameters",
                        Modifier.PRIVATE, Modifier.FINAL).addJavadoc("The exit heads' parameters: the backbone is frozen.\n")
                        .build());
            }
            List<Op.GatedResidual> gates = graph.gates();
            if (!gates.isEmpty()) {
                List<String> flops = new ArrayList<>();
                for (Op.GatedResidual g : gates) {
                    flops.add(CostModel.bodyFlops(g) + "L");
                }
                type.addField(FieldSpec.builder(long[].class, "GATE_FLOPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("FLOPs per sample of each gated block, spent only when its gate is open.\n")
                        .initializer("{$L}", String.join(", ", flops)).build());
                type.addField(FieldSpec.builder(ATOMIC_LONG, "inferenceSeed", Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc("Counts the inference calls' gate decisions, for the seeds of those that sample.\n")
                        .initializer("new $T()", ATOMIC_LONG).build());
                type.addField(FieldSpec.builder(GATE_MODE, "gateMode", Modifier.PRIVATE, Modifier.VOLATILE)
                        .initializer("$T.ADAPTIVE", GATE_MODE).build());
            }
            List<Op.Exit> exits = graph.exits();
            if (!exits.isEmpty()) {
                CostModel.Report cost = CostModel.of(graph);
                List<String> flops = new ArrayList<>();
                List<String> fixed = new ArrayList<>();
                List<CodeBlock> policies = new ArrayList<>();
                for (long f : cost.exitFlops()) {
                    flops.add(f + "L");
                }
                for (int k = 0; k <= exits.size(); k++) {
                    int at = k < exits.size() ? indexOf(exits.get(k)) : ops.size();
                    long gated = 0;
                    for (Op.GatedResidual g : gates) {
                        if (indexOf(g) < at) {
                            gated = Math.addExact(gated, CostModel.bodyFlops(g));
                        }
                    }
                    fixed.add(Math.subtractExact(cost.exitFlops()[k], gated) + "L");
                }
                for (Op.Exit x : exits) {
                    policies.add(CodeBlock.of("$T.$L", EXIT_POLICY, runtimePolicy(x)));
                }
                long allGated = gates.stream().mapToLong(CostModel::bodyFlops).reduce(0, Math::addExact);
                type.addField(FieldSpec.builder(long[].class, "EXIT_FLOPS", Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc("FLOPs per sample leaving at each exit, then at the final output, every gated block run.\n")
                        .initializer("{$L}", String.join(", ", flops)).build());
                type.addField(FieldSpec.builder(long[].class, "EXIT_FIXED_FLOPS", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL).addJavadoc("The same without the gated blocks, which the trace adds when they ran.\n")
                        .initializer("{$L}", String.join(", ", fixed)).build());
                type.addField(FieldSpec.builder(long.class, "FULL_FIXED_FLOPS", Modifier.PRIVATE, Modifier.STATIC,
                        Modifier.FINAL).addJavadoc("FLOPs per sample without exit heads and gated blocks ($T.FULL).\n", EXIT_MODE)
                        .initializer("$LL", Math.subtractExact(cost.fullFlops(), allGated)).build());
                type.addField(FieldSpec.builder(ArrayTypeName.of(EXIT_POLICY), "EXIT_POLICIES", Modifier.PRIVATE,
                        Modifier.STATIC, Modifier.FINAL).initializer("{$L}", CodeBlock.join(policies, ", ")).build());
                type.addField(FieldSpec.builder(EXIT_MODE, "exitMode", Modifier.PRIVATE, Modifier.VOLATILE)
                        .initializer("$T.ADAPTIVE", EXIT_MODE).build());
            }
        }

        private boolean frozenBackbone() {
            return trainable && graph.training().freezeBackbone();
        }

        private int indexOf(Op op) {
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                if (ops.get(i) == op) {
                    return i;
                }
            }
            throw new IllegalStateException(op.path() + " is not in the graph");
        }

        /** A budget is a confidence threshold chosen by calibration. */
        private static String runtimePolicy(Op.Exit x) {
            return x.policy() == Op.ExitPolicyKind.BUDGET ? "CONFIDENCE" : x.policy().name();
        }

        private CodeBlock specList(List<Graph.Port> ports) {
            List<CodeBlock> items = new ArrayList<>();
            for (Graph.Port p : ports) {
                items.add(CodeBlock.of("new $T($S, new long[] {$L})", TENSOR_SPEC, p.name(), dims(p.value().shape())));
            }
            return CodeBlock.of("$T.of($L)", LIST, CodeBlock.join(items, ", "));
        }

        private static String dims(long[] shape) {
            StringBuilder sb = new StringBuilder();
            for (long d : shape) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append(lit(d));
            }
            return sb.toString();
        }

        // ---------------------------------------------------------------------------------------- constructors

        private void constructors(TypeSpec.Builder type) {
            long defaultSeed = trainable ? graph.training().config().seed() : 0;
            type.addMethod(MethodSpec.constructorBuilder()
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("FLOAT parameters initialised with the seed the source declares ($L).\n",
                            lit(defaultSeed))
                    .addStatement("this($T.FLOAT, $LL)", DATA_TYPE, defaultSeed)
                    .build());
            MethodSpec.Builder c = MethodSpec.constructorBuilder()
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("@param dataType FLOAT or DOUBLE, for parameters, buffers and activations\n"
                            + "@param seed parameter {@code i} is initialised from {@code seedFor(seed, i)}\n")
                    .addParameter(DATA_TYPE, "dataType")
                    .addParameter(long.class, "seed");
            c.beginControlFlow("if (dataType != $T.FLOAT && dataType != $T.DOUBLE)", DATA_TYPE, DATA_TYPE)
                    .addStatement("throw new $T(NAME + $S + dataType)", IllegalArgumentException.class,
                            ": the data type must be FLOAT or DOUBLE, got ")
                    .endControlFlow();
            c.addStatement("this.dataType = dataType");
            List<ParamDecl> params = graph.params();
            List<CodeBlock> records = new ArrayList<>();
            for (int i = 0; i < params.size(); i++) {
                ParamDecl p = params.get(i);
                String f = paramField.get(p.name());
                String g = paramGradField.get(p.name());
                c.addStatement("$L = $T.create(dataType, $L)", f, ND4J, dims(p.shape()));
                switch (p.init()) {
                    case HE_NORMAL -> c.addStatement("$T.heNormal($L, $L, seedFor(seed, $L))", INIT, f, lit(p.fanIn()), i);
                    case XAVIER_UNIFORM -> c.addStatement("$T.xavierUniform($L, $L, $L, seedFor(seed, $L))", INIT, f,
                            lit(p.fanIn()), lit(p.fanOut()), i);
                    case ZEROS -> c.addStatement("$T.constant($L, 0.0)", INIT, f);
                    case ONES -> c.addStatement("$T.constant($L, 1.0)", INIT, f);
                    case NORMAL -> c.addStatement("$T.normal($L, 0.0, $L, seedFor(seed, $L))", INIT, f, lit(p.values()[0]), i);
                    case VALUES -> {
                        double[] values = p.values();
                        for (int j = 0; j < values.length; j++) {
                            c.addStatement("$L.putScalar($L, $L)", f, j, lit(values[j]));
                        }
                    }
                }
                c.addStatement("$L = $T.create(dataType, $L)", g, ND4J, dims(p.shape()));
                records.add(CodeBlock.of("new $T($S, $L, $L, $L)", PARAMETER, p.name(), f, g, p.decay()));
            }
            List<CodeBlock> bufferRecords = new ArrayList<>();
            for (BufferDecl b : graph.buffers()) {
                String f = bufferField.get(b.name());
                c.addStatement("$L = $T.create(dataType, $L)", f, ND4J, lit(b.size()));
                c.addStatement("$T.constant($L, $L)", INIT, f, lit(b.initialValue()));
                bufferRecords.add(CodeBlock.of("new $T($S, $L)", BUFFER, b.name(), f));
            }
            c.addStatement("parameters = $T.of($L)", LIST, CodeBlock.join(records, ",\n"));
            if (frozenBackbone()) {
                List<CodeBlock> trainableList = new ArrayList<>();
                java.util.Set<String> names = new HashSet<>();
                graph.trainableParams().forEach(p -> names.add(p.name()));
                for (int i = 0; i < params.size(); i++) {
                    if (names.contains(params.get(i).name())) {
                        trainableList.add(CodeBlock.of("parameters.get($L)", i));
                    }
                }
                c.addStatement("trainableParameters = $T.of($L)", LIST, CodeBlock.join(trainableList, ", "));
            }
            c.addStatement("buffers = $T.of($L)", LIST, CodeBlock.join(bufferRecords, ",\n"));
            type.addMethod(c.build());
        }

        // ---------------------------------------------------------------------------------------- accessors

        private void accessors(TypeSpec.Builder type) {
            type.addMethod(getter("name", ClassName.get(String.class), "NAME"));
            type.addMethod(getter("sourceHash", ClassName.get(String.class), "SOURCE_HASH"));
            type.addMethod(getter("dataType", DATA_TYPE, "dataType"));
            type.addMethod(getter("inputs", ParameterizedTypeName.get(LIST, TENSOR_SPEC), "INPUTS"));
            type.addMethod(getter("outputs", ParameterizedTypeName.get(LIST, TENSOR_SPEC), "OUTPUTS"));
            type.addMethod(getter("parameters", ParameterizedTypeName.get(LIST, PARAMETER), "parameters"));
            type.addMethod(getter("buffers", ParameterizedTypeName.get(LIST, BUFFER), "buffers"));
            type.addMethod(getter("flopsPerSample", TypeName.LONG, "FLOPS_PER_SAMPLE"));
            if (frozenBackbone()) {
                type.addMethod(getter("trainableParameters", ParameterizedTypeName.get(LIST, PARAMETER), "trainableParameters"));
            }
        }

        private static MethodSpec getter(String name, TypeName type, String field) {
            return MethodSpec.methodBuilder(name)
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(type)
                    .addStatement("return $L", field)
                    .build();
        }

        private MethodSpec trainingConfig() {
            TrainingSetup t = graph.training().config();
            TrainingSetup.Optimizer o = t.optimizer();
            TrainingSetup.Schedule s = t.schedule();
            StringBuilder ms = new StringBuilder();
            for (double m : s.milestones()) {
                if (ms.length() > 0) {
                    ms.append(", ");
                }
                ms.append(lit(m));
            }
            CodeBlock optimizer = CodeBlock.of("new $T($T.Kind.$L, $L, $L, $L, $L, $L, $L, $L)", OPTIMIZER_CONFIG,
                    OPTIMIZER_CONFIG, o.kind().name(), lit(o.learningRate()), lit(o.momentum()), o.nesterov(),
                    lit(o.weightDecay()), lit(o.beta1()), lit(o.beta2()), lit(o.epsilon()));
            CodeBlock schedule = CodeBlock.of("new $T($T.Kind.$L, new double[] {$L}, $L, $L, $L)", SCHEDULE_CONFIG,
                    SCHEDULE_CONFIG, s.kind().name(), ms, lit(s.factor()), lit(s.minLearningRate()),
                    lit(s.warmupEpochs()));
            return MethodSpec.methodBuilder("trainingConfig")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(TRAINING_CONFIG)
                    .addStatement("return new $T(\n$>$L,\n$L,\n$L, $L, $LL)$<", TRAINING_CONFIG, optimizer, schedule,
                            t.epochs(), t.batchSize(), t.seed())
                    .build();
        }

        // ---------------------------------------------------------------------------------------- forward

        @Override
        public int slot(String key) {
            return slots.computeIfAbsent(key, k -> slots.size());
        }

        private CodeBlock alloc(String key, long[] perSample) {
            String d = dims(layout(perSample));
            if (subBatch) {
                return CodeBlock.of("arena.rows($L, dataType, batchSize, $L$L)", slot("sub:" + key), batchVar,
                        d.isEmpty() ? "" : ", " + d);
            }
            return CodeBlock.of("arena.get($L, dataType, batchSize$L)", slot(key), d.isEmpty() ? "" : ", " + d);
        }

        /** A per-sample shape as allocated: {@code [H, W, C]} for an image in channels-last inference. */
        private long[] layout(long[] perSample) {
            return nhwc && perSample.length == 3 ? new long[] {perSample[1], perSample[2], perSample[0]} : perSample;
        }

        private CodeBlock allocUnbatched(String key, long[] shape) {
            return CodeBlock.of("arena.get($L, dataType, $L)", slot(key), dims(shape));
        }

        @Override
        public String v(Value value) {
            return valueName.get(value.id());
        }

        private void readInputs(MethodSpec.Builder m, String map, String what) {
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

        private void comment(MethodSpec.Builder m, Op op) {
            Span s = op.origin();
            m.addComment("$L at $L", commentText(op.path()), s == null ? "?" : commentText(s.toString()));
        }

        /** The public {@code forward}: the inference itself runs in a workspace of the call's own. */
        private MethodSpec forwardInWorkspace() {
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

        private MethodSpec forward() {
            MethodSpec.Builder m = MethodSpec.methodBuilder("forward")
                    .addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Inference in {@code workspace}, which no other call uses while this one runs.\n")
                    .returns(ARRAY_MAP)
                    .addParameter(ARRAY_MAP, "inputs")
                    .addParameter(WORKSPACE, "workspace");
            m.addStatement("$T arena = workspace.arena()", ARENA);
            if (!graph.gates().isEmpty()) {
                m.addStatement("int[][] openRows = workspace.openRows()");
            }
            readInputs(m, "inputs", "input");
            nhwc = channelsLast;
            if (nhwc) {
                toChannelsLast(m);
            }
            boolean exits = !graph.exits().isEmpty();
            ordered = !exits && !graph.gates().isEmpty();
            if (ordered) {
                m.addComment("the batch's rows may be reordered by the gates: row r holds input sample order.original(r)");
                m.addStatement("$T order = new $T(batchSize)", BATCH_ORDER, BATCH_ORDER);
            }
            if (exits) {
                m.addComment("which samples are still in the batch: row r of the current batch is input routing.alive()[r]");
                m.addStatement("$T routing = new $T(batchSize, $L, $L)", EXIT_ROUTING, EXIT_ROUTING,
                        graph.exits().get(0).head().dim(0), graph.exits().size());
                m.addStatement("workspace.routing(routing)");
                m.addStatement("long remaining = batchSize");
                if (!graph.gates().isEmpty()) {
                    m.addStatement("$T.fill(openRows, new int[0])", ARRAYS);
                }
            }
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                Op.GatedResidual gate = gateAtBodyStart.get(i);
                if (gate != null) {
                    gatedBody(m, gate);
                    i = graph.end(gate.bodyRegion()) - 1;
                    continue;
                }
                Op.Exit exit = exitAtHeadStart.get(i);
                if (exit != null) {
                    exitPoint(m, exit);
                    i = graph.end(exit.headRegion());
                    continue;
                }
                Op.FixedPoint fixedPoint = fixedPoints.atBodyStart(i);
                if (fixedPoint != null) {
                    fixedPoints.forward(m, fixedPoint, false);
                    i = graph.end(fixedPoint.bodyRegion());
                    continue;
                }
                forwardOp(m, i, ops.get(i), false);
            }
            subBatch = false;
            batchVar = "batchSize";
            nhwc = false;
            returnOutputs(m, exits);
            ordered = false;
            m.addStatement("return outputs");
            return m.build();
        }

        /** Image inputs to {@code [B, H, W, C]}: a view for one channel (the same memory), a copy otherwise. */
        private void toChannelsLast(MethodSpec.Builder m) {
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

        /**
         * Inference at an exit: the head runs on the samples still in the batch, those whose policy fires leave with
         * its prediction, and every activation the rest of the network reads is gathered to the samples that stay.
         * From here on the batch is {@code remaining} rows of sub-batch buffers.
         */
        private void exitPoint(MethodSpec.Builder m, Op.Exit x) {
            int k = x.exitIndex();
            m.addComment("exit $L '$L': the samples whose policy fires leave here, the others go on", k, commentText(x.name()));
            m.beginControlFlow("if (exitMode != $T.FULL)", EXIT_MODE);
            for (int i = graph.start(x.headRegion()); i < graph.end(x.headRegion()); i++) {
                forwardOp(m, i, graph.ops().get(i), false);
            }
            m.beginControlFlow("if (exitMode == $T.ALL_HEADS)", EXIT_MODE);
            m.addStatement("routing.keep($L)", v(x.head()));
            m.nextControlFlow("else");
            String stay = localScope.claim("stay" + k);
            m.addStatement("int[] $L = routing.decide($L, $L, EXIT_POLICIES[$L], $L.getDouble(0))", stay, v(x.head()), k, k,
                    bufferField.get(x.thresholdBuffer().name()));
            m.beginControlFlow("if ($L.length == 0)", stay);
            m.addStatement("return exited(routing)");
            m.endControlFlow();
            m.beginControlFlow("if ($L.length != remaining)", stay);
            for (Value live : liveAcross(x)) {
                String gathered = localScope.claim(v(live) + "_stay" + k);
                m.addStatement("$T $L = arena.rows($L, dataType, batchSize, $L.length$L)", INDARRAY, gathered,
                        slot("exit" + k + ":v" + live.id()), stay, live.rank() == 0 ? "" : ", " + dims(layout(live.shape())));
                m.addStatement("$T.gather($L, $L, $L)", COMPACTION, v(live), stay, gathered);
                m.addStatement("$L = $L", v(live), gathered);
            }
            m.addStatement("remaining = $L.length", stay);
            m.endControlFlow();
            m.endControlFlow();
            m.endControlFlow();
            subBatch = true;
            batchVar = "remaining";
        }

        /**
         * The arrays a gate's window must reorder: the values computed before its body that the rest of inference
         * reads (the block's input and decision among them), and the gate head's pooled means when the in-place
         * residual copies a closed row's means from them. Null when one is a network input (or its inference
         * dropout), whose rows belong to the caller: the gate then gathers.
         */
        private List<Value> liveAcross(Op.GatedResidual g) {
            List<Value> live = liveAcross(graph.start(g.bodyRegion()), graph.start(g.bodyRegion()));
            int residual = graph.ops().indexOf(g);
            Integer q = fusion.shortcutPool.get(residual);
            if (q != null && fusion.gateInPlace.contains(residual)) {
                Value means = graph.ops().get(q).out();
                if (!live.contains(means)) {
                    live.add(means);
                }
            }
            Set<Integer> inputs = new HashSet<>();
            for (Graph.Port p : graph.inputs()) {
                inputs.add(p.value().id());
            }
            for (Value v : live) {
                Value root = v;
                while (fusion.producer.containsKey(root.id()) && graph.ops().get(fusion.producer.get(root.id())) instanceof Op.Dropout d) {
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
            return liveAcross(graph.start(x.headRegion()), graph.end(x.headRegion()) + 1);
        }

        /** Values computed before op {@code before} (or network inputs) that ops from {@code readFrom} on, or the outputs, read. */
        private List<Value> liveAcross(int before, int readFrom) {
            List<Op> ops = graph.ops();
            Set<Integer> readLater = new HashSet<>();
            for (int i = readFrom; i < ops.size(); i++) {
                for (Value in : ops.get(i).inputs()) {
                    readLater.add(in.id());
                }
                Integer bn = fusion.fusedBatchNorm.get(i);
                if (bn != null) {
                    // a ReLU fused with a batchnorm before the exit runs both here, from the batchnorm's input
                    readLater.add(((Op.BatchNorm) ops.get(bn)).in().id());
                }
            }
            for (Graph.Port p : graph.outputs()) {
                readLater.add(p.value().id());
            }
            List<Value> live = new ArrayList<>();
            for (Graph.Port p : graph.inputs()) {
                if (readLater.contains(p.value().id())) {
                    live.add(p.value());
                }
            }
            for (int i = 0; i < before; i++) {
                Value out = ops.get(i).out();
                if (readLater.contains(out.id()) && !fusion.fusedRelu.containsKey(i)) {
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
            String k = localScope.claim("open" + g.gateIndex());
            m.addComment("gate $L: its block runs only on the samples whose gate is open", g.gateIndex());
            m.addStatement("int[] $L = $T.openRows($L)", rows, COMPACTION, v(g.gate()));
            if (subBatch && batchVar.equals("remaining")) {
                m.addStatement("openRows[$L] = routing.original($L)", g.gateIndex(), rows);
            } else if (ordered) {
                m.addStatement("openRows[$L] = order.original($L)", g.gateIndex(), rows);
            } else {
                m.addStatement("openRows[$L] = $L", g.gateIndex(), rows);
            }
            m.addStatement("$T $L = null", INDARRAY, sub);
            boolean convAdds = convAdds(graph.ops().indexOf(g));
            String added = addedAt(g);
            if (convAdds) {
                m.addComment("the first open row when the open rows are one range of the batch, into which the block's"
                        + " last convolution adds; -1 when they are gathered");
                m.addStatement("int $L = -1", added);
            }
            m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
            m.addComment("reference mode: the block on every sample, multiplied by the decision");
            for (int i = graph.start(g.bodyRegion()); i < graph.end(g.bodyRegion()); i++) {
                forwardOp(m, i, graph.ops().get(i), false);
            }
            m.addStatement("$L = $L", sub, v(g.body()));
            m.nextControlFlow("else if ($L.length > 0)", rows);
            m.addStatement("long $L = $L.length", k, rows);
            String x = v(g.input());
            String gathered = localScope.claim(x + "_open");
            m.addStatement("$T $L = $L", INDARRAY, gathered, x);
            m.beginControlFlow("if ($L != $L)", k, batchVar);
            List<Value> live = ordered && !subBatch ? liveAcross(g) : null;
            if (live != null) {
                String start = localScope.claim("start" + g.gateIndex());
                m.addComment("the open rows moved into one range of the batch (and of every array read after the block),"
                        + " when that moves fewer rows than a gather");
                m.addStatement("int $L = order.window($L$L)", start, rows, live.stream().map(this::v)
                        .reduce("", (a, b) -> a + ", " + b));
                m.beginControlFlow("if ($L >= 0)", start);
                m.addStatement("$L = $T.range($L, $L.length)", rows, BATCH_ORDER, start, rows);
                m.addStatement("$L = $T.rows($L, $L, $L)", gathered, BATCH_ORDER, x, start, k);
                if (convAdds) {
                    m.addStatement("$L = $L", added, start);
                }
                m.nextControlFlow("else");
            }
            m.addStatement("$L = arena.rows($L, dataType, batchSize, $L, $L)", gathered, slot("gather" + g.gateIndex()), k,
                    dims(layout(g.input().shape())));
            m.addStatement("$T.gather($L, $L, $L)", COMPACTION, x, rows, gathered);
            if (live != null) {
                m.endControlFlow();
            }
            if (convAdds) {
                m.nextControlFlow("else");
                m.addStatement("$L = 0", added);
            }
            m.endControlFlow();
            String shortcut = v(g.shortcut());
            valueName.put(g.input().id(), gathered);
            String outerBatch = batchVar;
            boolean outerSub = subBatch;
            batchVar = k;
            subBatch = true;
            int last = convAdds ? graph.end(g.bodyRegion()) - 1 : graph.end(g.bodyRegion());
            for (int i = graph.start(g.bodyRegion()); i < last; i++) {
                forwardOp(m, i, graph.ops().get(i), false);
            }
            if (convAdds) {
                m.beginControlFlow("if ($L >= 0)", added);
                convBatchNormAdd(m, last, "and added into the open rows of " + shortcut
                        + " with the ReLU after the residual: no pass of their own", true,
                        CodeBlock.of("$T.rows($L, $L, $L)", BATCH_ORDER, shortcut, added, k));
                m.nextControlFlow("else");
                forwardOp(m, last, graph.ops().get(last), false);
                m.addStatement("$L = $L", sub, v(g.body()));
                m.endControlFlow();
            } else {
                m.addStatement("$L = $L", sub, v(g.body()));
            }
            subBatch = outerSub;
            batchVar = outerBatch;
            valueName.put(g.input().id(), x);
            m.endControlFlow();
        }

        private String openRows(Op.GatedResidual g) {
            return aux(g, "open_rows");
        }

        private String subOut(Op.GatedResidual g) {
            return aux(g, "open_body");
        }

        /** Whether gated residual {@code residual}'s last convolution adds into its rows here (channels-last inference). */
        private boolean convAdds(int residual) {
            return channelsLastInference() && fusion.gateConvAdd.contains(residual);
        }

        private String addedAt(Op.GatedResidual g) {
            return aux(g, "added_at");
        }

        private void gateAccessors(TypeSpec.Builder type) {
            type.addMethod(MethodSpec.methodBuilder("gateMode")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .addParameter(GATE_MODE, "mode")
                    .addStatement("this.gateMode = $T.requireNonNull(mode)", java.util.Objects.class)
                    .build());
            type.addMethod(MethodSpec.methodBuilder("gateCount")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(int.class)
                    .addStatement("return GATE_FLOPS.length")
                    .build());
        }

        /**
         * Inference with the trace: which gated blocks ran for each sample, where it left, and what it cost (the fixed
         * FLOPs up to its exit plus the gated blocks that ran for it).
         */
        private MethodSpec predict() {
            boolean gates = !graph.gates().isEmpty();
            boolean exits = !graph.exits().isEmpty();
            long gated = 0;
            for (Op.GatedResidual g : graph.gates()) {
                gated += CostModel.bodyFlops(g);
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
            } else {
                m.addStatement("$T.fill(flops, $LL)", ARRAYS, options.flopsPerSample() - gated);
            }
            if (gates) {
                m.beginControlFlow("for (int g = 0; g < GATE_FLOPS.length; g++)")
                        .beginControlFlow("for (int n : workspace.openRows()[g])")
                        .addStatement("executed[n][g] = true")
                        .addStatement("flops[n] += GATE_FLOPS[g]")
                        .endControlFlow()
                        .endControlFlow();
            }
            if (fixedPoints.traced()) {
                fixedPoints.trace(m);
                m.addStatement("return new $T(outputs, executed, flops, new int[batch], $T.of(), iterations)", PREDICTION,
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

        private void exitAccessors(TypeSpec.Builder type) {
            List<Op.Exit> exits = graph.exits();
            type.addMethod(MethodSpec.methodBuilder("exitMode")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .addParameter(EXIT_MODE, "mode")
                    .addStatement("this.exitMode = $T.requireNonNull(mode)", java.util.Objects.class)
                    .build());
            type.addMethod(MethodSpec.methodBuilder("exitCount")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(int.class)
                    .addStatement("return $L", exits.size())
                    .build());
            type.addMethod(MethodSpec.methodBuilder("exitFlops")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(long[].class)
                    .addStatement("return EXIT_FLOPS.clone()")
                    .build());
            type.addMethod(MethodSpec.methodBuilder("exitPolicies")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(ArrayTypeName.of(EXIT_POLICY))
                    .addStatement("return EXIT_POLICIES.clone()")
                    .build());
            List<CodeBlock> reads = new ArrayList<>();
            MethodSpec.Builder set = MethodSpec.methodBuilder("exitThresholds")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .addParameter(double[].class, "thresholds")
                    .beginControlFlow("if (thresholds.length != $L)", exits.size())
                    .addStatement("throw new $T(NAME + $S + thresholds.length)", IllegalArgumentException.class,
                            ": " + exits.size() + " exit thresholds expected, got ")
                    .endControlFlow();
            for (int k = 0; k < exits.size(); k++) {
                String b = bufferField.get(exits.get(k).thresholdBuffer().name());
                reads.add(CodeBlock.of("$L.getDouble(0)", b));
                set.addStatement("$L.putScalar(0, thresholds[$L])", b, k);
            }
            type.addMethod(MethodSpec.methodBuilder("exitThresholds")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .returns(double[].class)
                    .addStatement("return new double[] {$L}", CodeBlock.join(reads, ", "))
                    .build());
            type.addMethod(set.build());
        }

        /** The outputs map; with exits at inference, every sample's output from where it left, in input order. */
        private void returnOutputs(MethodSpec.Builder m, boolean routed) {
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

        private void forwardOp(MethodSpec.Builder m, int index, Op op, boolean train) {
            boolean inference = !train && !inTrainStep;
            if (inference && fusion.inGateHead.contains(index)) {
                return; // runs in its gate head's kernel
            }
            if (inference && fusion.pooledEarly.contains(index) && channelsLastInference()) {
                return; // computed by the residual kernel that wrote its input
            }
            if (inference && channelsLastInference() && fusion.convIntoShortcut.containsKey(index)) {
                convIntoShortcut(m, index);
                return;
            }
            if (inference && channelsLastInference() && fusion.addIntoShortcut.containsKey(index)) {
                Value shortcut = fusion.shortcutOf(index);
                Integer relu = fusion.addRelu.get(index);
                m.addComment("$L at $L: added into $L by the convolution before", commentText(op.path()),
                        op.origin() == null ? "?" : commentText(op.origin().toString()), v(shortcut));
                if (relu != null) {
                    m.addStatement("$T $L = $L", INDARRAY, v(graph.ops().get(relu).out()), v(shortcut));
                }
                m.addStatement("$T $L = $L", INDARRAY, v(op.out()), v(shortcut));
                return;
            }
            if (inference && fusion.gateHead.containsKey(index)) {
                gateHead(m, (Op.Dense) op, fusion.gateHead.get(index));
                return;
            }
            if (inference && channelsLastInference() && fusion.flattenIntoDense.contains(index)) {
                return; // the dense layer after it reads the image
            }
            if (inference && channelsLastInference() && fusion.denseOfFlatten.containsKey(index)) {
                Op.Dense d = (Op.Dense) op;
                Op.Flatten flat = (Op.Flatten) graph.ops().get(fusion.denseOfFlatten.get(index));
                comment(m, op);
                m.addComment("on the image before $L at $L, which is not copied", commentText(flat.path()),
                        flat.origin() == null ? "?" : commentText(flat.origin().toString()));
                m.addStatement("$T $L = $L", INDARRAY, v(op.out()), alloc("v" + op.out().id(), op.out().shape()));
                m.addStatement("$T.flattenDense($L, $L, $L, $L)", op("ChannelsLast"), v(flat.in()), param(d.weight()),
                        param(d.bias()), v(op.out()));
                return;
            }
            if (fusion.fusedRelu.containsKey(index)) {
                return; // runs with its ReLU
            }
            if (!train && fusion.reluGate.containsKey(index)) {
                return; // runs inside its gated residual's kernel
            }
            if (fusion.reluAdd.containsKey(index)) {
                return; // runs with its add
            }
            if (fusion.addRelu.containsKey(index)) {
                Op.Elementwise e = (Op.Elementwise) op;
                Op relu = graph.ops().get(fusion.addRelu.get(index));
                comment(m, relu);
                m.addComment("fused with $L at $L", commentText(op.path()),
                        op.origin() == null ? "?" : commentText(op.origin().toString()));
                m.addStatement("$T $L = $L", INDARRAY, v(relu.out()), alloc("v" + relu.out().id(), relu.out().shape()));
                String pooled = train ? null : earlyPool(m, index);
                if (pooled != null) {
                    m.addStatement("$T.addRelu($L, $L, $L, $L)", ELEMENTWISE, v(e.a()), v(e.b()), v(relu.out()), pooled);
                } else {
                    m.addStatement("$T.addRelu($L, $L, $L)", ELEMENTWISE, v(e.a()), v(e.b()), v(relu.out()));
                }
                m.addComment("the sum is not stored: the ReLU's backward reads its output, of the same sign");
                m.addStatement("$T $L = $L", INDARRAY, v(op.out()), v(relu.out()));
                return;
            }
            if (!train && nhwc && !inTrainStep && fusion.foldedBatchNorm.contains(index + 1)) {
                return; // runs with its batchnorm, folded into it
            }
            comment(m, op);
            String out = v(op.out());
            if (!train && op instanceof Op.GatedResidual g && fusion.gateRelu.containsKey(index)) {
                gatedResidualRelu(m, index, g);
                return;
            }
            Integer bnIndex = fusion.fusedBatchNorm.get(index);
            if (bnIndex != null) {
                Op.BatchNorm b = (Op.BatchNorm) graph.ops().get(bnIndex);
                m.addComment("fused with $L at $L", commentText(b.path()),
                        b.origin() == null ? "?" : commentText(b.origin().toString()));
                m.addStatement("$T $L = $L", INDARRAY, out, alloc("v" + op.out().id(), op.out().shape()));
                batchNorm(m, b, bnIndex, op("FusedBatchNormRelu"), out, train);
                return;
            }
            if (op instanceof Op.Exit) {
                m.addComment("while training every sample continues: the head's loss is a term of its own");
                return;
            }
            if (op instanceof Op.Dropout d && !train) {
                m.addStatement("$T $L = $L", INDARRAY, out, v(d.in()));
                return;
            }
            m.addStatement("$T $L = $L", INDARRAY, out, alloc("v" + op.out().id(), op.out().shape()));
            if (!train && channelsLastInference() && op instanceof Op.GlobalAvgPool g) {
                // a pooling no fused kernel has to match to the bit: oneDNN's
                m.addStatement("$T.pooledMeans($L, $L)", op("ChannelsLast"), v(g.in()), out);
                return;
            }
            if (nhwc && op.inputs().get(0).rank() == 3 && channelsLastOp(m, index, op, out)) {
                return;
            }
            if (op instanceof Op.Conv2d c) {
                m.addStatement("$T.forward($L, $L, $L, $L, $L)", op("Conv2d"), v(c.in()), param(c.weight()),
                        param(c.bias()), geometry.get(index), out);
            } else if (op instanceof Op.Dense d) {
                m.addStatement("$T.forward($L, $L, $L, $L)", op("Dense"), v(d.in()), param(d.weight()),
                        param(d.bias()), out);
            } else if (op instanceof Op.BatchNorm b) {
                batchNorm(m, b, index, op("BatchNorm"), out, train);
            } else if (op instanceof Op.LayerNorm l) {
                if (train) {
                    long[] s = l.in().shape();
                    long[] rows = java.util.Arrays.copyOf(s, s.length - 1);
                    m.addStatement("$T $L = $L", INDARRAY, saveMean(op), alloc("mean" + index, rows));
                    m.addStatement("$T $L = $L", INDARRAY, saveInvStd(op), alloc("invstd" + index, rows));
                    m.addStatement("$T.forward($L, $L, $L, $L, $L, $L, $L)", op("LayerNorm"), v(l.in()),
                            param(l.gamma()), param(l.beta()), lit(l.eps()), out, saveMean(op), saveInvStd(op));
                } else {
                    m.addStatement("$T.forward($L, $L, $L, $L, $L, null, null)", op("LayerNorm"), v(l.in()),
                            param(l.gamma()), param(l.beta()), lit(l.eps()), out);
                }
            } else if (op instanceof Op.Activation a) {
                m.addStatement("$T.forward($L, $L)", activation(a.activation()), v(a.in()), out);
            } else if (op instanceof Op.Pool2d p) {
                if (p.pool() == Op.PoolKind.MAX) {
                    m.addStatement("$T.forward($L, $L, $L)", op("MaxPool2d"), v(p.in()), geometry.get(index), out);
                } else {
                    m.addStatement("$T.forward($L, $L, false, $L)", op("AvgPool2d"), v(p.in()), geometry.get(index),
                            out);
                }
            } else if (op instanceof Op.GlobalAvgPool g) {
                m.addStatement("$T.forward($L, $L)", op("GlobalAvgPool"), v(g.in()), out);
            } else if (op instanceof Op.Flatten f) {
                m.addStatement("$T.forward($L, $L)", op("Flatten"), v(f.in()), out);
            } else if (op instanceof Op.Dropout d) {
                m.addStatement("$T $L = $L", INDARRAY, mask(op), alloc("mask" + index, d.in().shape()));
                m.addStatement("$T.forward($L, $L, seedFor(context.seed(), $L), $L, $L)", op("Dropout"), v(d.in()),
                        lit(d.rate()), index, out, mask(op));
            } else if (op instanceof Op.Concat c) {
                List<String> names = new ArrayList<>();
                for (Value x : c.ins()) {
                    names.add(v(x));
                }
                // channels-last images are concatenated along their last axis
                int axis = nhwc && c.out().rank() == 3 ? 3 : 1;
                m.addStatement("$T.forward(new $T[] {$L}, $L, $L)", op("Concat"), INDARRAY, String.join(", ", names),
                        axis, out);
            } else if (op instanceof Op.Elementwise e) {
                m.addStatement("$T.$L($L, $L, $L)", ELEMENTWISE, e.op().name().toLowerCase(java.util.Locale.ROOT),
                        v(e.a()), v(e.b()), out);
            } else if (op instanceof Op.Scale s) {
                m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, v(s.in()), lit(s.factor()), out);
            } else if (op instanceof Op.GumbelGate g) {
                if (train) {
                    m.addStatement("$T $L = $L", INDARRAY, soft(op), alloc("soft" + index, new long[] {2}));
                    m.addStatement("$T.forward($L, $L, $T.Estimator.$L, seedFor(context.seed(), $L), true, $L, $L)", GUMBEL,
                            v(g.logits()), temperature(g), GUMBEL, g.estimator().name(), index, out, soft(op));
                } else {
                    m.addStatement("$T.inference($L, $L, seedFor(inferenceSeed.getAndIncrement(), $L), $L)", GUMBEL, v(g.logits()),
                            g.sampleAtInference(), index, out);
                    m.beginControlFlow("if (gateMode == $T.ALL_OPEN)", GATE_MODE);
                    m.addStatement("$T.allOpen($L)", GUMBEL, out);
                    m.endControlFlow();
                }
            } else if (op instanceof Op.GatedResidual g) {
                if (train) {
                    m.addStatement("$T.trainForward($L, $L, $L, false, $L)", GATED_RESIDUAL, v(g.shortcut()), v(g.body()),
                            v(g.gate()), out);
                } else {
                    m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
                    m.addStatement("$T.trainForward($L, $L, $L, false, $L)", GATED_RESIDUAL, v(g.shortcut()), subOut(g),
                            v(g.gate()), out);
                    m.nextControlFlow("else");
                    m.addStatement("$T.scatterResidual($L, $L, $L, false, $L)", COMPACTION, v(g.shortcut()), subOut(g),
                            openRows(g), out);
                    m.endControlFlow();
                }
            } else {
                throw new IllegalStateException("no emitter for " + op.kind());
            }
        }

        /**
         * The channels-last form of an op on images, if it differs from the channels-first one (element-wise ops,
         * dropout and the gated residual's row kernels do not; concat only changes its axis); false otherwise.
         */
        private boolean channelsLastOp(MethodSpec.Builder m, int index, Op op, String out) {
            ClassName cl = op("ChannelsLast");
            if (op instanceof Op.Conv2d c) {
                m.addStatement("$T.conv2d($L, $L, $L, $L, $L)", cl, v(c.in()), param(c.weight()), param(c.bias()),
                        geometry.get(index), out);
            } else if (op instanceof Op.Pool2d p) {
                m.addStatement("$T.pool2d($L, $L, $L, $L)", cl, v(p.in()), geometry.get(index),
                        p.pool() == Op.PoolKind.MAX, out);
            } else if (op instanceof Op.GlobalAvgPool g) {
                m.addStatement("$T.globalAvgPool($L, $L)", cl, v(g.in()), out);
            } else if (op instanceof Op.Flatten f) {
                m.addStatement("$T.flatten($L, $L)", cl, v(f.in()), out);
            } else {
                return false;
            }
            return true;
        }

        /**
         * A folded convolution + batchnorm added into its residual's shortcut, with the add's ReLU (see
         * {@code FusionPlan.findShortcutAccumulation}).
         */
        private void convIntoShortcut(MethodSpec.Builder m, int index) {
            int add = fusion.convIntoShortcut.get(index);
            Value shortcut = fusion.shortcutOf(add);
            Op addOp = graph.ops().get(add);
            convBatchNormAdd(m, index, String.format("and added into %s (nothing reads it after this), for %s at %s",
                    v(shortcut), commentText(addOp.path()),
                    addOp.origin() == null ? "?" : commentText(addOp.origin().toString())),
                    fusion.addRelu.containsKey(add), v(shortcut));
            m.addStatement("$T $L = $L", INDARRAY, v(graph.ops().get(index).out()), v(shortcut));
        }

        /**
         * A folded convolution + batchnorm (op {@code index}) added into {@code target} ({@code ChannelsLast
         * .convBatchNormAdd}), with the ReLU if asked, under comments naming both ops and {@code into}: a static
         * residual's shortcut ({@link #convIntoShortcut}) or a gated block's open rows ({@code FusionPlan.findGateConvAdds}).
         */
        private void convBatchNormAdd(MethodSpec.Builder m, int index, String into, boolean relu, Object target) {
            Op.BatchNorm b = (Op.BatchNorm) graph.ops().get(index);
            Op.Conv2d c = (Op.Conv2d) graph.ops().get(index - 1);
            comment(m, b);
            m.addComment("folded with $L at $L", commentText(c.path()),
                    c.origin() == null ? "?" : commentText(c.origin().toString()));
            m.addComment("$L", into);
            m.addStatement("$T.convBatchNormAdd($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), v(c.in()),
                    param(c.weight()), param(c.bias()), geometry.get(index - 1), param(b.gamma()), param(b.beta()),
                    bufferField.get(b.runningMean().name()), bufferField.get(b.runningVar().name()), lit(b.eps()),
                    relu, target);
        }

        /** A gate head's four ops as one kernel (see {@code FusionPlan.findGateHeads}). */
        private void gateHead(MethodSpec.Builder m, Op.Dense last, int[] chain) {
            Op.Dense first = (Op.Dense) graph.ops().get(chain[0]);
            Op.BatchNorm b = (Op.BatchNorm) graph.ops().get(chain[1]);
            comment(m, last);
            for (int i : chain) {
                Op fused = graph.ops().get(i);
                m.addComment("fused with $L at $L", commentText(fused.path()),
                        fused.origin() == null ? "?" : commentText(fused.origin().toString()));
            }
            String out = v(last.out());
            m.addStatement("$T $L = $L", INDARRAY, out, alloc("v" + last.out().id(), last.out().shape()));
            m.addStatement("$T.inference($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ClassName.get(ADAPTIVE, "GateHead"),
                    v(first.in()), param(first.weight()), param(first.bias()), param(b.gamma()), param(b.beta()),
                    bufferField.get(b.runningMean().name()), bufferField.get(b.runningVar().name()), lit(b.eps()),
                    param(last.weight()), param(last.bias()), out);
        }

        /** Inference of a gated residual with its ReLU fused (see {@code FusionPlan.findGateFusions}). */
        private void gatedResidualRelu(MethodSpec.Builder m, int index, Op.GatedResidual g) {
            Op relu = graph.ops().get(fusion.gateRelu.get(index));
            m.addComment("fused with $L at $L", commentText(relu.path()),
                    relu.origin() == null ? "?" : commentText(relu.origin().toString()));
            String out = v(relu.out());
            String pooled = earlyPool(m, index);
            m.addStatement("$T $L", INDARRAY, out);
            m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
            m.addStatement("$L = $L", out, alloc("v" + relu.out().id(), relu.out().shape()));
            m.addStatement("$T.trainForward($L, $L, $L, true, $L)", GATED_RESIDUAL, v(g.shortcut()), subOut(g),
                    v(g.gate()), out);
            if (pooled != null) {
                m.addStatement("$T.globalAvgPool($L, $L)", op("ChannelsLast"), out, pooled);
            }
            m.nextControlFlow("else");
            if (fusion.gateInPlace.contains(index)) {
                m.addComment("in place: $L is a ReLU output that nothing reads after this block, so its closed rows"
                        + " are already the result", v(g.shortcut()));
                Integer q = fusion.shortcutPool.get(index);
                String previous = q == null ? "null" : v(graph.ops().get(q).out());
                boolean convAdds = convAdds(index);
                if (convAdds && pooled != null) {
                    m.beginControlFlow("if ($L >= 0)", addedAt(g));
                    m.addComment("the block's last convolution added into the open rows: only their means changed");
                    m.addStatement("$T.windowMeans($L, $L, $L.length, $L, $L)", COMPACTION, v(g.shortcut()), addedAt(g),
                            openRows(g), previous, pooled);
                    m.nextControlFlow("else");
                } else if (convAdds) {
                    m.beginControlFlow("if ($L < 0)", addedAt(g));
                }
                if (pooled != null) {
                    m.addStatement("$T.addRowsInPlace($L, $L, $L, true, $L, $L)", COMPACTION, v(g.shortcut()), subOut(g),
                            openRows(g), previous, pooled);
                } else {
                    m.addStatement("$T.addRowsInPlace($L, $L, $L, true)", COMPACTION, v(g.shortcut()), subOut(g),
                            openRows(g));
                }
                if (convAdds) {
                    m.endControlFlow();
                }
                m.addStatement("$L = $L", out, v(g.shortcut()));
            } else {
                m.addStatement("$L = $L", out, alloc("v" + relu.out().id(), relu.out().shape()));
                m.addStatement("$T.scatterResidual($L, $L, $L, true, $L)", COMPACTION, v(g.shortcut()), subOut(g),
                        openRows(g), out);
            }
            m.endControlFlow();
        }

        /**
         * A batchnorm (op {@code index}) into {@code out} through {@code kernel} ({@code BatchNorm}, or
         * {@code FusedBatchNormRelu} when its ReLU runs with it): batch statistics saved for the backward in training,
         * running statistics at inference.
         */
        private void batchNorm(MethodSpec.Builder m, Op.BatchNorm b, int index, ClassName kernel, String out, boolean train) {
            String rm = bufferField.get(b.runningMean().name());
            String rv = bufferField.get(b.runningVar().name());
            boolean relu = kernel.simpleName().equals("FusedBatchNormRelu");
            if (train) {
                long[] c = {b.in().dim(0)};
                m.addStatement("$T $L = $L", INDARRAY, saveMean(b), allocUnbatched("mean" + index, c));
                m.addStatement("$T $L = $L", INDARRAY, saveInvStd(b), allocUnbatched("invstd" + index, c));
                if (nhwc && b.in().rank() == 3) {
                    m.addStatement("$T.batchNormTrain($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", CL_TRAINING, v(b.in()),
                            param(b.gamma()), param(b.beta()), rm, rv, lit(b.momentum()), lit(b.eps()), relu, out,
                            saveMean(b), saveInvStd(b));
                } else {
                    m.addStatement("$T.trainForward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", kernel, v(b.in()),
                            param(b.gamma()), param(b.beta()), rm, rv, lit(b.momentum()), lit(b.eps()), out, saveMean(b),
                            saveInvStd(b));
                }
            } else if (nhwc && !inTrainStep && fusion.foldedBatchNorm.contains(index)) {
                Op.Conv2d c = (Op.Conv2d) graph.ops().get(index - 1);
                m.addComment("folded with $L at $L", commentText(c.path()),
                        c.origin() == null ? "?" : commentText(c.origin().toString()));
                m.addStatement("$T.convBatchNorm($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"),
                        v(c.in()), param(c.weight()), param(c.bias()), geometry.get(index - 1),
                        param(b.gamma()), param(b.beta()), rm, rv, lit(b.eps()), relu, out);
            } else if (nhwc && b.in().rank() == 3) {
                m.addStatement("$T.batchNorm($L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), v(b.in()),
                        param(b.gamma()), param(b.beta()), rm, rv, lit(b.eps()), relu, out);
            } else {
                m.addStatement("$T.inference($L, $L, $L, $L, $L, $L, $L)", kernel, v(b.in()), param(b.gamma()),
                        param(b.beta()), rm, rv, lit(b.eps()), out);
            }
        }

        private static ClassName activation(Op.ActivationKind k) {
            return switch (k) {
                case RELU -> op("Relu");
                case GELU -> op("Gelu");
                case SIGMOID -> op("Sigmoid");
                case TANH -> op("Tanh");
                case SOFTMAX -> op("Softmax");
            };
        }

        private final Map<String, String> auxNames = new HashMap<>();

        private String aux(Op op, String suffix) {
            return auxNames.computeIfAbsent(op.path() + "#" + suffix + "#" + op.out().id(),
                    k -> localScope.claim(v(op.out()) + "_" + suffix));
        }

        private String saveMean(Op op) {
            return aux(op, "mean");
        }

        private String saveInvStd(Op op) {
            return aux(op, "inv_std");
        }

        private String mask(Op op) {
            return aux(op, "mask");
        }

        private String soft(Op op) {
            return aux(op, "soft");
        }

        /** A gate's temperature: the train section's (fixed or annealed over training) or the gate's own. */
        private String temperature(Op.GumbelGate g) {
            TrainSpec.Temperature t = graph.training() == null ? null : graph.training().temperature();
            if (t == null) {
                return lit(g.temperature());
            }
            return t.from() == t.to() ? lit(t.from()) : "temperature";
        }

        // ---------------------------------------------------------------------------------------- training

        /** The public {@code trainStep}: one at a time per instance, in a workspace like inference. */
        private MethodSpec trainStepGuarded() {
            return MethodSpec.methodBuilder("trainStep")
                    .addAnnotation(Override.class)
                    .addModifiers(Modifier.PUBLIC)
                    .addJavadoc("One training step; a step entered while another runs on this instance throws"
                            + " {@link IllegalStateException}.\n")
                    .returns(STEP_RESULT)
                    .addParameter(BATCH, "batch")
                    .addParameter(STEP_CONTEXT, "context")
                    .addStatement("trainingGuard.enter()")
                    .addStatement("$T workspace = workspaces.acquire()", WORKSPACE)
                    .beginControlFlow("try")
                    .addStatement("return trainStep(batch, context, workspace.arena())")
                    .nextControlFlow("finally")
                    .addStatement("workspaces.release(workspace)")
                    .addStatement("trainingGuard.exit()")
                    .endControlFlow()
                    .build();
        }

        private MethodSpec trainStep() {
            MethodSpec.Builder m = MethodSpec.methodBuilder("trainStep")
                    .addModifiers(Modifier.PRIVATE)
                    .returns(STEP_RESULT)
                    .addParameter(BATCH, "batch")
                    .addParameter(STEP_CONTEXT, "context")
                    .addParameter(ARENA, "arena");
            // a copy: the names of this method's scratch locals do not leak into others
            Names.Scope scope = new Names.Scope(localScope);
            readInputs(m, "batch.inputs()", "input");
            inTrainStep = true;
            nhwc = channelsLast;
            if (nhwc) {
                toChannelsLast(m);
            }
            TrainSpec.Temperature anneal = graph.training().temperature();
            if (anneal != null && anneal.from() != anneal.to()) {
                m.addComment("the gates' temperature, annealed geometrically from $L to $L over training", lit(anneal.from()),
                        lit(anneal.to()));
                m.addStatement("double temperature = $L * Math.pow($L / $L, Math.max(0.0, Math.min(1.0, context.progress())))",
                        lit(anneal.from()), lit(anneal.to()), lit(anneal.from()));
            }
            TrainSpec.ExitRamp ramp = graph.training().exitRamp();
            if (ramp != null) {
                m.addComment("the exits' loss weights, ramped linearly from $L to $L over training", lit(ramp.from()), lit(ramp.to()));
                m.addStatement("double exitRamp = $L + $L * Math.max(0.0, Math.min(1.0, context.progress()))", lit(ramp.from()),
                        lit(ramp.to() - ramp.from()));
            }
            List<Op> ops = graph.ops();
            for (int i = 0; i < ops.size(); i++) {
                Op.FixedPoint fixedPoint = fixedPoints.atBodyStart(i);
                if (fixedPoint != null) {
                    fixedPoints.forward(m, fixedPoint, true);
                    i = graph.end(fixedPoint.bodyRegion());
                    continue;
                }
                // a frozen backbone runs as at inference: running statistics, no dropout, no state updated
                forwardOp(m, i, ops.get(i), !graph.frozen(i));
            }
            // losses
            List<TrainSpec.LossTerm> terms = graph.training().terms();
            String[] termVars = new String[terms.size()];
            Map<String, Integer> outputIndex = new HashMap<>();
            for (int i = 0; i < graph.outputs().size(); i++) {
                outputIndex.put(graph.outputs().get(i).name(), i);
            }
            for (int ti = 0; ti < terms.size(); ti++) {
                if (BackwardPlanner.isGateTerm(terms.get(ti))) {
                    termVars[ti] = gateTerm(m, scope, ti, terms.get(ti));
                }
            }
            for (Seed seed : plan.seeds()) {
                TrainSpec.LossTerm term = terms.get(seed.term());
                if (BackwardPlanner.isGateTerm(term)) {
                    continue;
                }
                String output = BackwardPlanner.outputOf(term);
                Value value = seed.value();
                TrainSpec.LossTerm kind = term instanceof TrainSpec.ExitLoss el ? el.base() : term;
                m.addComment("loss term $L: $L, weight $L", seed.term(), commentText(term.display()),
                        weight(term));
                String target = scope.claim(v(value) + "_target");
                if (kind instanceof TrainSpec.Distill) {
                    m.addComment("the teacher is the final output, which gets no gradient from this term");
                    m.addStatement("$T $L = $L", INDARRAY, target, v(outputValue(output)));
                } else {
                    m.addStatement("$T $L = OUTPUTS.get($L).checked(NAME, batch.targets(), $S, batchSize, dataType)",
                            INDARRAY, target, outputIndex.get(output), "target");
                }
                String grad = gradTarget(m, scope, seed.write(), value, value.shape(), "v" + value.id());
                String termVar = scope.claim("term" + seed.term());
                termVars[seed.term()] = termVar;
                if (kind instanceof TrainSpec.CrossEntropy ce) {
                    m.addStatement("double $L = $T.forward($L, $L, $L, $L)", termVar, op("SoftmaxCrossEntropy"),
                            v(value), target, lit(ce.smoothing()), grad);
                } else if (kind instanceof TrainSpec.Distill d) {
                    m.addStatement("double $L = $T.forward($L, $L, $L, $L)", termVar, op("Distillation"), v(value), target,
                            lit(d.temperature()), grad);
                } else {
                    m.addStatement("double $L = $T.forward($L, $L, $L)", termVar, op("MeanSquaredError"), v(value),
                            target, grad);
                }
                if (seed.write() != Write.SKIP && !weight(term).equals("1.0")) {
                    m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, grad, weight(term), grad);
                }
                finishWrite(m, seed.write(), value, grad);
            }
            List<CodeBlock> sum = new ArrayList<>();
            for (int t = 0; t < terms.size(); t++) {
                sum.add(CodeBlock.of("$L * $L", weight(terms.get(t)), termVars[t]));
            }
            m.addStatement("double loss = $L", sum.isEmpty() ? CodeBlock.of("0.0") : CodeBlock.join(sum, " + "));
            m.addStatement("$T<$T, $T> terms = new $T<>()", MAP, String.class, Double.class, LINKED_HASH_MAP);
            for (int t = 0; t < terms.size(); t++) {
                m.addStatement("terms.merge($S, $L * $L, $T::sum)", terms.get(t).display(),
                        weight(terms.get(t)), termVars[t], Double.class);
            }
            // backward
            List<Step> steps = plan.steps();
            for (int i = 0; i < steps.size(); i++) {
                stepIndex = i;
                backwardStep(m, scope, steps.get(i));
            }
            stepIndex = -1;
            if (!plan.zeroed().isEmpty()) {
                m.addComment("parameters the loss does not depend on");
                for (String p : plan.zeroed()) {
                    m.addStatement("$L.assign(0.0)", paramGradField.get(p));
                }
            }
            nhwc = false;
            inTrainStep = false;
            returnOutputs(m, false);
            m.addStatement("return new $T(loss, terms, outputs)", STEP_RESULT);
            return m.build();
        }

        private Value outputValue(String name) {
            for (Graph.Port p : graph.outputs()) {
                if (p.name().equals(name)) {
                    return p.value();
                }
            }
            throw new IllegalStateException("no output " + name);
        }

        /** A loss term's weight as Java: a constant, or times the exit ramp for a ramped exit's term. */
        private static String weight(TrainSpec.LossTerm term) {
            return term instanceof TrainSpec.ExitLoss el && el.ramped() ? lit(term.weight()) + " * exitRamp" : lit(term.weight());
        }

        /**
         * A complexity term over every gate's decision: its value, and (scaled by its weight) its gradient with
         * respect to each gate's {@code z}, written as the seeds of the backward pass.
         */
        private String gateTerm(MethodSpec.Builder m, Names.Scope scope, int index, TrainSpec.LossTerm term) {
            List<Seed> seeds = plan.seeds().stream().filter(s -> s.term() == index).toList();
            m.addComment("loss term $L: $L, weight $L", index, commentText(term.display()), lit(term.weight()));
            List<String> zs = new ArrayList<>();
            List<String> grads = new ArrayList<>();
            for (Seed seed : seeds) {
                zs.add(v(seed.value()));
                grads.add(gradTarget(m, scope, seed.write(), seed.value(), seed.value().shape(), "v" + seed.value().id() + "@t" + index));
            }
            String var = scope.claim("term" + index);
            CodeBlock zArray = CodeBlock.of("new $T[] {$L}", INDARRAY, String.join(", ", zs));
            CodeBlock gArray = CodeBlock.of("new $T[] {$L}", INDARRAY, String.join(", ", grads));
            if (term instanceof TrainSpec.TargetRate tr) {
                List<String> targets = new ArrayList<>();
                for (double d : tr.targets()) {
                    targets.add(lit(d));
                }
                m.addStatement("double $L = $T.forward($L, new double[] {$L}, $L)", var, ClassName.get(ADAPTIVE, "TargetRateLoss"),
                        zArray, String.join(", ", targets), gArray);
            } else {
                TrainSpec.FlopsBudget fb = (TrainSpec.FlopsBudget) term;
                List<String> flops = new ArrayList<>();
                for (double d : fb.gateFlops()) {
                    flops.add(lit(d));
                }
                m.addStatement("double $L = $T.forward($L, new double[] {$L}, $L, $L, $L)", var,
                        ClassName.get(ADAPTIVE, "FlopsBudgetLoss"), zArray, String.join(", ", flops), lit(fb.fixedFlops()),
                        lit(fb.budget()), gArray);
            }
            for (int s = 0; s < seeds.size(); s++) {
                Seed seed = seeds.get(s);
                if (seed.write() != Write.SKIP && term.weight() != 1.0) {
                    m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, grads.get(s), lit(term.weight()), grads.get(s));
                }
                finishWrite(m, seed.write(), seed.value(), grads.get(s));
            }
            return var;
        }

        /**
         * Declares where a gradient contribution to {@code value} goes: its gradient buffer (OVERWRITE), a scratch
         * array (ACCUMULATE, added by {@link #finishWrite}), or nothing ({@code "null"}).
         */
        private String gradTarget(MethodSpec.Builder m, Names.Scope scope, Write w, Value value, long[] shape,
                String key) {
            switch (w) {
                case SKIP:
                    return "null";
                case OVERWRITE: {
                    String g = gradName.get(value.id());
                    m.addStatement("$T $L = $L", INDARRAY, g, alloc("grad" + value.id(), shape));
                    return g;
                }
                default: {
                    String part = scope.claim(gradName.get(value.id()) + "_part");
                    m.addStatement("$T $L = $L", INDARRAY, part, alloc("part" + key, shape));
                    return part;
                }
            }
        }

        private void finishWrite(MethodSpec.Builder m, Write w, Value value, String written) {
            if (w == Write.ACCUMULATE) {
                Step nextStep = nextStep();
                if (nextStep != null && FusionPlan.isRelu(nextStep.op()) && nextStep.op().out().id() == value.id()
                        && !fusion.fusedBatchNorm.containsKey(nextStep.opIndex()) && !pendingPart.containsKey(value.id())) {
                    // the last contribution (the ReLU's step, next, reads the gradient): added in the ReLU's VJP
                    pendingPart.put(value.id(), written);
                    return;
                }
                m.addStatement("$T.accumulate($L, $L)", ELEMENTWISE, gradName.get(value.id()), written);
            }
        }

        /** The backward step emitted after the current one (null at the last, and outside the backward pass). */
        private Step nextStep() {
            List<Step> steps = plan.steps();
            return stepIndex >= 0 && stepIndex + 1 < steps.size() ? steps.get(stepIndex + 1) : null;
        }

        private String paramTarget(MethodSpec.Builder m, Names.Scope scope, Write w, ParamDecl p) {
            if (w == Write.SKIP) {
                return "null"; // a fixed point's VJPs with respect to its iterate only
            }
            if (w == Write.OVERWRITE) {
                return paramGradField.get(p.name());
            }
            String part = scope.claim(paramField.get(p.name()) + "_grad_part");
            m.addStatement("$T $L = $L", INDARRAY, part, allocUnbatched("pgrad:" + p.name(), p.shape()));
            return part;
        }

        private void finishParam(MethodSpec.Builder m, Write w, ParamDecl p, String written) {
            if (w == Write.ACCUMULATE) {
                m.addStatement("$T.accumulate($L, $L)", ELEMENTWISE, paramGradField.get(p.name()), written);
            }
        }

        private void backwardStep(MethodSpec.Builder m, Names.Scope scope, Step step) {
            Op op = step.op();
            int index = step.opIndex();
            if (fusion.fusedBatchNorm.containsKey(index)) {
                return; // the fused batchnorm's step takes this ReLU's output gradient
            }
            m.addComment("backward $L at $L", commentText(op.path()),
                    op.origin() == null ? "?" : commentText(op.origin().toString()));
            String gOut = gradName.get(op.out().id());
            if (op instanceof Op.FixedPoint) {
                fixedPoints.backward(m, scope, step, gOut);
                return;
            }
            List<Value> ins = op.inputs();
            List<String> gIn = new ArrayList<>();
            boolean repeated = ins.stream().distinct().count() < ins.size();
            if (op instanceof Op.Elementwise e && e.op() != Op.ElementwiseKind.MUL) {
                // add and sub route the gradient: d a = d out, d b = +-d out. The gradient of out is dead after
                // this step, so ONE operand may take its buffer over; a second alias would let an accumulation
                // into one operand's gradient corrupt the other's.
                boolean aliased = false;
                for (int k = 0; k < 2; k++) {
                    Write w = step.inputs().get(k);
                    Value x = ins.get(k);
                    boolean negate = k == 1 && e.op() == Op.ElementwiseKind.SUB;
                    if (w == Write.SKIP) {
                        continue;
                    }
                    if (w == Write.ACCUMULATE && !negate) {
                        m.addStatement("$T.accumulate($L, $L)", ELEMENTWISE, gradName.get(x.id()), gOut);
                    } else if (w == Write.OVERWRITE && !negate && !repeated
                            && (!aliased || sharedUntilRead(ins.get(0), x))) {
                        m.addStatement("$T $L = $L", INDARRAY, gradName.get(x.id()), gOut);
                        aliased = true;
                    } else if (negate) {
                        String t = gradTarget(m, scope, w, x, x.shape(), "v" + x.id());
                        m.addStatement("$T.scale($L, -1.0, $L)", ELEMENTWISE, gOut, t);
                        finishWrite(m, w, x, t);
                    } else {
                        String t = gradTarget(m, scope, w, x, x.shape(), "v" + x.id());
                        m.addStatement("$L.assign($L)", t, gOut);
                    }
                }
                return;
            }
            for (int k = 0; k < ins.size(); k++) {
                gIn.add(gradTarget(m, scope, step.inputs().get(k), ins.get(k), ins.get(k).shape(),
                        "v" + ins.get(k).id() + "@" + index + "." + k));
            }
            List<ParamDecl> ps = op.params();
            List<String> gP = new ArrayList<>();
            for (int k = 0; k < ps.size(); k++) {
                gP.add(paramTarget(m, scope, step.params().get(k), ps.get(k)));
            }
            String out = v(op.out());
            if (nhwc && ins.get(0).rank() == 3 && channelsLastBackward(m, index, op, gOut, gIn, gP)) {
                // written by the channels-last VJP
            } else if (op instanceof Op.Conv2d c) {
                m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("Conv2d"), v(c.in()),
                        param(c.weight()), param(c.bias()), gOut, geometry.get(index), gIn.get(0), gP.get(0),
                        c.bias() == null ? "null" : gP.get(1));
            } else if (op instanceof Op.Dense d) {
                m.addStatement("$T.backward($L, $L, $L, $L, $L, $L)", op("Dense"), v(d.in()), param(d.weight()), gOut,
                        gIn.get(0), gP.get(0), d.bias() == null ? "null" : gP.get(1));
            } else if (op instanceof Op.BatchNorm b && fusion.fusedRelu.containsKey(index)) {
                Op relu = graph.ops().get(fusion.fusedRelu.get(index));
                m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L)", op("FusedBatchNormRelu"), v(b.in()),
                        v(relu.out()), param(b.gamma()), saveMean(op), saveInvStd(op), gradName.get(relu.out().id()),
                        gIn.get(0), gP.get(0), gP.get(1));
            } else if (op instanceof Op.BatchNorm b) {
                m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("BatchNorm"), v(b.in()),
                        param(b.gamma()), saveMean(op), saveInvStd(op), gOut, gIn.get(0), gP.get(0), gP.get(1));
            } else if (op instanceof Op.LayerNorm l) {
                m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("LayerNorm"), v(l.in()),
                        param(l.gamma()), saveMean(op), saveInvStd(op), gOut, gIn.get(0), gP.get(0), gP.get(1));
            } else if (op instanceof Op.Activation a && pendingPart.containsKey(op.out().id())) {
                m.addStatement("$T.backward($L, $L, $L, $L, $L)", activation(a.activation()), v(a.in()), out, gOut,
                        pendingPart.remove(op.out().id()), gIn.get(0));
            } else if (op instanceof Op.Activation a) {
                m.addStatement("$T.backward($L, $L, $L, $L)", activation(a.activation()), v(a.in()), out, gOut,
                        gIn.get(0));
            } else if (op instanceof Op.Pool2d p) {
                if (p.pool() == Op.PoolKind.MAX) {
                    m.addStatement("$T.backward($L, $L, $L, $L)", op("MaxPool2d"), v(p.in()), gOut, geometry.get(index),
                            gIn.get(0));
                } else {
                    m.addStatement("$T.backward($L, $L, $L, false, $L)", op("AvgPool2d"), v(p.in()), gOut,
                            geometry.get(index), gIn.get(0));
                }
            } else if (op instanceof Op.GlobalAvgPool) {
                m.addStatement("$T.backward($L, $L)", op("GlobalAvgPool"), gOut, gIn.get(0));
            } else if (op instanceof Op.Flatten) {
                m.addStatement("$T.backward($L, $L)", op("Flatten"), gOut, gIn.get(0));
            } else if (op instanceof Op.Dropout) {
                m.addStatement("$T.backward($L, $L, $L)", op("Dropout"), gOut, mask(op), gIn.get(0));
            } else if (op instanceof Op.Concat c) {
                List<String> sizes = new ArrayList<>();
                for (Value x : c.ins()) {
                    sizes.add(lit(x.dim(0)));
                }
                // channels-last images are concatenated along their last axis
                int axis = nhwc && c.out().rank() == 3 ? 3 : 1;
                m.addStatement("$T.backward($L, $L, new long[] {$L}, new $T[] {$L})", op("Concat"), gOut, axis,
                        String.join(", ", sizes), INDARRAY, String.join(", ", gIn));
            } else if (op instanceof Op.Elementwise e) {
                m.addStatement("$T.mulBackward($L, $L, $L, $L, $L)", ELEMENTWISE, v(e.a()), v(e.b()), gOut, gIn.get(0),
                        gIn.get(1));
            } else if (op instanceof Op.Scale s) {
                m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, gOut, lit(s.factor()), gIn.get(0));
            } else if (op instanceof Op.GumbelGate g) {
                m.addStatement("$T.backward($L, $L, $L, $L)", GUMBEL, soft(op), temperature(g), gOut, gIn.get(0));
            } else if (op instanceof Op.GatedResidual g) {
                m.addStatement("$T.backward($L, $L, null, $L, $L, $L, $L)", GATED_RESIDUAL, v(g.body()), v(g.gate()), gOut,
                        gIn.get(0), gIn.get(1), gIn.get(2));
            } else {
                throw new IllegalStateException("no VJP emitter for " + op.kind());
            }
            for (int k = 0; k < ins.size(); k++) {
                finishWrite(m, step.inputs().get(k), ins.get(k), gIn.get(k));
            }
            for (int k = 0; k < ps.size(); k++) {
                finishParam(m, step.params().get(k), ps.get(k), gP.get(k));
            }
        }

        /**
         * Whether {@code b}'s gradient may share the buffer already given to {@code a}'s (both the gradient of one
         * add's output): when no backward step from here up to and including the one that reads {@code b}'s
         * gradient (its fusion.producer's, not fused away) writes into either, so the shared values stay what both are
         * until {@code b}'s is consumed. In a residual block the shortcut's gradient gets its next contribution only
         * after the block's body has been differentiated, which reads the other operand's gradient first: one copy
         * of the activation's gradient saved per block.
         */
        private boolean sharedUntilRead(Value a, Value b) {
            List<Step> steps = plan.steps();
            for (int i = stepIndex + 1; i < steps.size(); i++) {
                Step s = steps.get(i);
                List<Value> ins = s.op().inputs();
                for (int k = 0; k < ins.size(); k++) {
                    int id = ins.get(k).id();
                    if ((id == a.id() || id == b.id()) && s.inputs().get(k) != Write.SKIP) {
                        return false;
                    }
                }
                if (s.op().out().id() == b.id()) {
                    return !fusion.fusedBatchNorm.containsKey(s.opIndex()) && !pendingPart.containsKey(b.id());
                }
            }
            return false;
        }

        /**
         * The channels-last VJP of an op on images, if it differs from the channels-first one (element-wise ops,
         * dropout and the gated residual's kernels do not; concat only changes its axis); false otherwise.
         */
        private boolean channelsLastBackward(MethodSpec.Builder m, int index, Op op, String gOut, List<String> gIn,
                List<String> gP) {
            if (op instanceof Op.Conv2d c) {
                m.addStatement("$T.conv2dBackward($L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), v(c.in()),
                        param(c.weight()), param(c.bias()), gOut, geometry.get(index), gIn.get(0), gP.get(0),
                        c.bias() == null ? "null" : gP.get(1));
            } else if (op instanceof Op.BatchNorm b) {
                Integer relu = fusion.fusedRelu.get(index);
                String y = relu == null ? "null" : v(graph.ops().get(relu).out());
                String g = relu == null ? gOut : gradName.get(graph.ops().get(relu).out().id());
                m.addStatement("$T.batchNormBackward($L, $L, $L, $L, $L, $L, $L, $L, $L)", CL_TRAINING, v(b.in()), y,
                        param(b.gamma()), saveMean(op), saveInvStd(op), g, gIn.get(0), gP.get(0), gP.get(1));
            } else if (op instanceof Op.Pool2d p) {
                m.addStatement("$T.pool2dBackward($L, $L, $L, $L, $L)", CL_TRAINING, v(p.in()), gOut, geometry.get(index),
                        p.pool() == Op.PoolKind.MAX, gIn.get(0));
            } else if (op instanceof Op.GlobalAvgPool) {
                m.addStatement("$T.globalAvgPoolBackward($L, $L)", CL_TRAINING, gOut, gIn.get(0));
            } else if (op instanceof Op.Flatten) {
                m.addStatement("$T.flattenBackward($L, $L)", CL_TRAINING, gOut, gIn.get(0));
            } else {
                return false;
            }
            return true;
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
        public String paramGrad(ParamDecl p) {
            return paramGradField.get(p.name());
        }

        @Override
        public void forwardRegion(MethodSpec.Builder m, Region region, boolean train, String rows) {
            boolean outerSub = subBatch;
            String outerBatch = batchVar;
            if (rows != null) {
                subBatch = true;
                batchVar = rows;
            }
            for (int i = graph.start(region); i < graph.end(region); i++) {
                forwardOp(m, i, graph.ops().get(i), train);
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
                backwardStep(m, scope, bodyPlan.steps().get(i));
            }
            plan = outer;
            stepIndex = outerStep;
            subBatch = outerSub;
            batchVar = outerBatch;
        }

        // ---------------------------------------------------------------------------------------- helpers

        private void helpers(TypeSpec.Builder type) {
            if (!graph.exits().isEmpty()) {
                MethodSpec.Builder m = MethodSpec.methodBuilder("exited")
                        .addJavadoc("The outputs once every sample has left at an exit.\n")
                        .addModifiers(Modifier.PRIVATE)
                        .returns(ARRAY_MAP)
                        .addParameter(EXIT_ROUTING, "routing");
                m.addStatement("$T outputs = new $T<>()", ARRAY_MAP, LINKED_HASH_MAP);
                for (Graph.Port p : graph.outputs()) {
                    m.addStatement("outputs.put($S, routing.output(dataType))", p.name());
                }
                m.addStatement("return outputs");
                type.addMethod(m.build());
            }
        }
    }
}
