package dev.adnet.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.FixedPointCost;
import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emission of {@link FixedPoint}: the body becomes a method that evaluates f on the samples still iterating (the
 * injected inputs gathered to their rows), which the runtime's {@code FixedPointSolver} calls per round; nothing of
 * the iterations is kept. The backward pass solves {@code g = g J_f(z*) + dL/dz*} per sample with
 * {@code ImplicitBackward}, whose vector-Jacobian products are a second method (the body's forward at z* on the active
 * rows, then the emitter's ordinary VJPs of its ops with respect to the iterate), and ends with one pass of the body at
 * z* on the whole batch whose VJPs, from {@code g*}, write the gradients of the parameters and the injected inputs.
 */
final class FixedPointEmitter {
    private static final String IMPLICIT = "dev.adnet.runtime.implicit";
    static final ClassName SOLVER = ClassName.get(IMPLICIT, "FixedPointSolver");
    static final ClassName IMPLICIT_BACKWARD = ClassName.get(IMPLICIT, "ImplicitBackward");
    static final ClassName SOLUTION = ClassName.get(IMPLICIT, "FixedPointSolution");
    static final ClassName SPEC = ClassName.get(IMPLICIT, "SolverSpec");
    static final ClassName STOPPING = ClassName.get(IMPLICIT, "Stopping");
    static final ClassName TRACE = ClassName.get(IMPLICIT, "SolverTrace");
    static final ClassName NETWORK = ClassName.get(IMPLICIT, "FixedPointNetwork");
    static final ClassName JACOBIAN = ClassName.get(IMPLICIT, "JacobianTerm");
    private static final ArrayTypeName INDARRAYS = ArrayTypeName.of(JavaEmitter.INDARRAY);
    /** The parameters of the body's methods, which no value of the network may be named (reserved in its scope). */
    static final String[] METHOD_LOCALS = {"iterate", "rows", "active", "injected", "star", "g"};

    /** What the emitter of the whole network lends this one: names, allocation and the emission of ordinary ops. */
    interface Host {
        Graph graph();

        Names.Scope classScope();

        Names.Scope localScope();

        String v(Value value);

        /** Names {@code value} in the code emitted from now on. */
        void name(Value value, String javaName);

        /** The name of {@code value}'s gradient, claimed on first use. */
        String gradName(Value value);

        String param(ParamDecl p);

        /** The field of {@code p}'s gradient. */
        String paramGrad(ParamDecl p);

        int slot(String key);

        /** Emits the ops of {@code region}; on {@code rows} rows of batch-capacity arrays unless it is null. */
        void forwardRegion(MethodSpec.Builder m, Region region, boolean train, String rows);

        /** Emits the VJPs of {@code plan}'s steps, with the writes it plans; on {@code rows} rows unless it is null. */
        void backwardSteps(MethodSpec.Builder m, Names.Scope scope, Plan plan, String rows);

        /** Whether the training step computes {@code value}'s gradient. */
        boolean hasGradient(Value value);
    }

    private final Host host;
    private final List<FixedPoint> fixedPoints = new ArrayList<>();
    private final Map<FixedPoint, String> specField = new HashMap<>();
    private final Map<FixedPoint, String> backwardSpecField = new HashMap<>();
    private final Map<FixedPoint, String> bodyMethod = new HashMap<>();
    private final Map<FixedPoint, String> vjpMethod = new HashMap<>();
    private final Map<FixedPoint, String> jacobianMethod = new HashMap<>();
    /** The weight of the Jacobian regulariser in the loss (the sum of the {@code jacobian()} terms'); 0 without one. */
    private final double jacobianWeight;
    /** Whether the loss has a {@code jacobian()} term (of any weight, 0 included: its value is still reported). */
    private final boolean jacobianTerm;
    /** Per program (by identity), its fixed points by the index of their body's first op. */
    private final Map<Graph, Map<Integer, FixedPoint>> bodyStarts = new java.util.IdentityHashMap<>();
    /** The checked graph's fixed points by the id of the value they define, which a program's fixed point shares. */
    private final Map<Integer, FixedPoint> byOut = new HashMap<>();

    FixedPointEmitter(Host host) {
        this.host = host;
        Graph g = host.graph();
        for (Op op : g.ops()) {
            if (op instanceof FixedPoint f) {
                int k = fixedPoints.size();
                fixedPoints.add(f);
                String base = Names.constant(f.path());
                specField.put(f, host.classScope().claim(base));
                backwardSpecField.put(f, host.classScope().claim(base + "_BACKWARD"));
                bodyMethod.put(f, host.classScope().claim("fixedPoint" + k + "Body"));
                vjpMethod.put(f, host.classScope().claim("fixedPoint" + k + "Vjp"));
                jacobianMethod.put(f, host.classScope().claim("fixedPoint" + k + "JacobianVjp"));
                host.name(f.iterate(), host.localScope().claim(Names.path(f.path()) + "_iterate"));
                byOut.put(f.out().id(), f);
            }
        }
        if (!fixedPoints.isEmpty()) {
            host.classScope().reserve("fixedPointStopping", "solverTrace");
        }
        double w = 0;
        boolean term = false;
        if (g.training() != null) {
            for (dev.adnet.compiler.ir.TrainSpec.LossTerm t : g.training().terms()) {
                if (t instanceof dev.adnet.compiler.ir.TrainSpec.Jacobian) {
                    w += t.weight();
                    term = true;
                }
            }
        }
        jacobianWeight = w;
        jacobianTerm = term;
    }

    boolean any() {
        return !fixedPoints.isEmpty();
    }

    int count() {
        return fixedPoints.size();
    }

    /**
     * The fixed point of {@code program} (the inference or the training program) whose body starts at its index
     * {@code index}, or null: where that program's forward pass solves instead, skipping to the op after it.
     */
    FixedPoint atBodyStart(Graph program, int index) {
        return bodyStarts.computeIfAbsent(program, p -> {
            Map<Integer, FixedPoint> starts = new HashMap<>();
            for (Op op : p.ops()) {
                if (op instanceof FixedPoint f) {
                    starts.put(p.start(f.bodyRegion()), f);
                }
            }
            return starts;
        }).get(index);
    }

    /**
     * The checked graph's fixed point that {@code f} of a program stands for. The passes leave a body's ops as they
     * are (they hold the same ops), and the emitter runs them from the checked graph, whose indices the backward
     * pass and the body's reverse pass use.
     */
    private FixedPoint checked(FixedPoint f) {
        return byOut.get(f.out().id());
    }

    /** The solver specifications, the stopping switch, the trace, and the body's methods. */
    void members(TypeSpec.Builder type, boolean trainable) {
        if (fixedPoints.isEmpty()) {
            return;
        }
        type.addSuperinterface(NETWORK);
        for (FixedPoint f : fixedPoints) {
            type.addField(FieldSpec.builder(SPEC, specField.get(f), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("How $L is solved: each sample until its residual is below the tolerance.\n",
                            JavaEmitter.commentText(f.path()))
                    .initializer(spec(f, f.tol(), f.maxIterations())).build());
            type.addField(FieldSpec.builder(SPEC, backwardSpecField.get(f), Modifier.PRIVATE, Modifier.STATIC,
                    Modifier.FINAL).addJavadoc("The backward solve of $L: the same method, its own tolerance and cap.\n",
                            JavaEmitter.commentText(f.path()))
                    .initializer(spec(f, f.backwardTol(), f.backwardMax())).build());
        }
        type.addField(FieldSpec.builder(STOPPING, "fixedPointStopping", Modifier.PRIVATE, Modifier.VOLATILE)
                .initializer("$T.PER_SAMPLE", STOPPING).build());
        type.addField(FieldSpec.builder(TRACE, "solverTrace", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Training steps' iterations and unconverged samples, drained each epoch.\n")
                .initializer("new $T()", TRACE).build());
        type.addMethod(MethodSpec.methodBuilder("fixedPointStopping").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).addParameter(STOPPING, "stopping")
                .addStatement("this.fixedPointStopping = $T.requireNonNull(stopping)", java.util.Objects.class).build());
        type.addMethod(MethodSpec.methodBuilder("solverTrace").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(TRACE).addStatement("return solverTrace").build());
        for (FixedPoint f : fixedPoints) {
            type.addMethod(bodyMethod(f));
            if (trainable) {
                type.addMethod(vjpMethod(f));
                if (jacobianWeight != 0) {
                    type.addMethod(jacobianMethod(f));
                }
            }
        }
    }

    private static CodeBlock spec(FixedPoint f, double tol, int max) {
        return switch (f.solver()) {
            case ANDERSON -> CodeBlock.of("$T.anderson($L, $L, $L)", SPEC, f.memory(), JavaEmitter.lit(tol), max);
            case BROYDEN -> CodeBlock.of("$T.broyden($L, $L)", SPEC, JavaEmitter.lit(tol), max);
            case ITERATE -> CodeBlock.of("$T.iterate($L, $L)", SPEC, JavaEmitter.lit(tol), max);
        };
    }

    /**
     * Whether {@code predict} reports each sample's iterations: in a network without gates and exits, whose solves
     * see the batch's rows in input order.
     */
    boolean traced() {
        return any() && host.graph().gates().isEmpty() && host.graph().exits().isEmpty();
    }

    /**
     * In {@code predict}, after the forward pass: into {@code int[][] iterations}, each sample's iterations per fixed point,
     * and the FLOPs each sample spent beyond the one iteration {@code flops} counts.
     */
    void trace(MethodSpec.Builder m) {
        List<FixedPointCost> costs = FixedPointCost.of(CostModel.of(host.graph()));
        for (int k = 0; k < fixedPoints.size(); k++) {
            m.addComment("$L: $L FLOPs per sample and iteration", JavaEmitter.commentText(fixedPoints.get(k).path()),
                    costs.get(k).perIteration());
            m.beginControlFlow("for (int n = 0; n < batch; n++)");
            m.addStatement("iterations[n][$L] = workspace.fixedPointIterations()[$L][n]", k, k);
            m.addStatement("flops[n] += (iterations[n][$L] - 1) * $LL", k, costs.get(k).perIteration());
            m.endControlFlow();
        }
    }

    // ------------------------------------------------------------------------------------------ forward

    /**
     * The solve in the forward pass (inference or training): from zeros or from the input, each sample until its
     * residual is small enough; the solution is {@code f}'s output. Training counts the iterations in the trace.
     */
    void forward(MethodSpec.Builder m, FixedPoint programOp, boolean train) {
        FixedPoint f = checked(programOp);
        int k = fixedPoints.indexOf(f);
        Names.Scope scope = host.localScope();
        m.addComment("$L at $L: solved per sample, a sample leaving when its residual is below $L; the iterations are "
                + "not kept", JavaEmitter.commentText(f.path()), origin(f), JavaEmitter.lit(f.tol()));
        String init = scope.claim("fixedPoint" + k + "Init");
        if (f.initFromInput()) {
            m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, init, host.v(f.input()));
        } else {
            m.addStatement("$T $L = arena.get($L, dataType, batchSize$L)", JavaEmitter.INDARRAY, init,
                    host.slot("fixedPoint" + k + ":init"), dimsSuffix(f.out().shape()));
            m.addStatement("$L.assign(0)", init);
        }
        String injected = injected(m, f, k);
        String solution = solution(f);
        String z = scope.claim("fixedPoint" + k + "Z");
        String rows = scope.claim("fixedPoint" + k + "Rows");
        m.addStatement("$T $L = $T.solve(($L, $L) -> $L($L, $L, arena, batchSize, $L), $L, $L.withStopping(fixedPointStopping))",
                SOLUTION, solution, SOLVER, z, rows, bodyMethod.get(f), z, rows, injected, init, specField.get(f));
        if (train) {
            m.addStatement("solverTrace.forward($L)", solution);
        } else if (traced()) {
            m.addStatement("workspace.fixedPointIterations($L, $L.iterations())", k, solution);
        }
        m.addStatement("$T $L = $L.z()", JavaEmitter.INDARRAY, host.v(f.out()), solution);
        if (train && jacobianTerm) {
            m.addComment("the Jacobian regulariser: u = eps J_f(z*) for a Gaussian eps per sample, the term ||u||^2 / N");
            m.addStatement("final $T $L = $T.probe($L, seedFor(context.seed(), $L))", JavaEmitter.INDARRAY, eps(f),
                    JACOBIAN, host.v(f.out()), -1 - k);
            m.addStatement("final $T $L = $L($L, $L, $T.allRows(batchSize), arena, batchSize, $L).dup()",
                    JavaEmitter.INDARRAY, u(f), vjpMethod.get(f), host.v(f.out()), eps(f), JACOBIAN, injected);
        }
    }

    private String eps(FixedPoint f) {
        return jacobianNames.computeIfAbsent(f.out().id() + "eps",
                x -> host.localScope().claim("fixedPoint" + fixedPoints.indexOf(f) + "Eps"));
    }

    private String u(FixedPoint f) {
        return jacobianNames.computeIfAbsent(f.out().id() + "u",
                x -> host.localScope().claim("fixedPoint" + fixedPoints.indexOf(f) + "JacobianU"));
    }

    private final Map<String, String> jacobianNames = new HashMap<>();

    /** The Jacobian regulariser's value summed over the fixed points, for the loss term. */
    CodeBlock jacobianTerm() {
        List<CodeBlock> parts = new ArrayList<>();
        for (FixedPoint f : fixedPoints) {
            parts.add(CodeBlock.of("$T.value($L)", JACOBIAN, u(f)));
        }
        return CodeBlock.join(parts, " + ");
    }

    private final Map<FixedPoint, String> solutions = new HashMap<>();
    private final Map<FixedPoint, String> injectedNames = new HashMap<>();

    private String solution(FixedPoint f) {
        return solutions.computeIfAbsent(f, x -> host.localScope().claim("fixedPoint" + fixedPoints.indexOf(x)));
    }

    /** The captured values as one array, which the solver's callbacks read (a lambda reads only final locals). */
    private String injected(MethodSpec.Builder m, FixedPoint f, int k) {
        String name = injectedNames.computeIfAbsent(f, x -> host.localScope().claim("fixedPoint" + k + "Inputs"));
        List<String> names = f.captures().stream().map(host::v).toList();
        m.addStatement("final $T[] $L = {$L}", JavaEmitter.INDARRAY, name, String.join(", ", names));
        return name;
    }

    /** {@code f(z)} on the samples {@code rows}: the injected inputs gathered to them, the body on that sub-batch. */
    private MethodSpec bodyMethod(FixedPoint f) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(bodyMethod.get(f))
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("The body of $L, f(z), on the samples {@code rows} of the batch (z holds those rows).\n",
                        JavaEmitter.commentText(f.path()))
                .returns(JavaEmitter.INDARRAY)
                .addParameter(JavaEmitter.INDARRAY, "iterate")
                .addParameter(int[].class, "rows")
                .addParameter(JavaEmitter.ARENA, "arena")
                .addParameter(long.class, "batchSize")
                .addParameter(INDARRAYS, "injected");
        m.addStatement("long active = rows.length");
        bindRows(m, f, "iterate", null);
        host.forwardRegion(m, f.bodyRegion(), false, "active");
        m.addStatement("return $L", host.v(f.body()));
        return m.build();
    }

    /**
     * Declares the iterate (from {@code iterate}, or the rows of {@code star} when given) and the injected inputs at
     * the active rows: the arrays themselves when every sample is active (the rows are then 0, 1, ...), else gathered.
     */
    private void bindRows(MethodSpec.Builder m, FixedPoint f, String iterate, String star) {
        int k = fixedPoints.indexOf(f);
        if (star == null) {
            m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, host.v(f.iterate()), iterate);
        } else {
            gathered(m, host.v(f.iterate()), star, f.iterate(), "fixedPoint" + k + ":star");
        }
        for (int i = 0; i < f.captures().size(); i++) {
            Value c = f.captures().get(i);
            gathered(m, host.v(c), "injected[" + i + "]", c, "fixedPoint" + k + ":in" + i);
        }
    }

    private void gathered(MethodSpec.Builder m, String name, String from, Value v, String key) {
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, name, from);
        m.beginControlFlow("if (active != batchSize)");
        m.addStatement("$L = arena.rows($L, dataType, batchSize, active$L)", name, host.slot(key),
                dimsSuffix(v.shape()));
        m.addStatement("$T.gather($L, rows, $L)", JavaEmitter.COMPACTION, from, name);
        m.endControlFlow();
    }

    // ------------------------------------------------------------------------------------------ backward

    /**
     * The backward step of {@code f}: {@code g*} from {@code g = g J_f(z*) + dL/dz*} per sample, then the body once at
     * z* on the whole batch, differentiated from {@code g*} into the parameters and the injected inputs as the plan's
     * step writes them. The input's gradient (when it is not also injected) is zero: z* does not depend on the start.
     */
    void backward(MethodSpec.Builder m, Names.Scope scope, Step step, String gOut) {
        FixedPoint f = (FixedPoint) step.op();
        int k = fixedPoints.indexOf(f);
        m.addComment("implicit differentiation: g* = g* J_f(z*) + dL/dz* per sample, then g* through the body at z*");
        String star = scope.claim("fixedPoint" + k + "Star");
        m.addStatement("final $T $L = $L", JavaEmitter.INDARRAY, star, host.v(f.out()));
        String back = scope.claim("fixedPoint" + k + "Back");
        String g = scope.claim("fixedPoint" + k + "G");
        String rows = scope.claim("fixedPoint" + k + "Rows");
        String points = null;
        String rhs = gOut;
        if (jacobianWeight != 0) {
            points = scope.claim("fixedPoint" + k + "JacobianPoints");
            rhs = scope.claim("fixedPoint" + k + "Rhs");
            jacobianRhs(m, f, star, gOut, points, rhs);
        }
        m.addStatement("$T $L = $T.solve(($L, $L) -> $L($L, $L, $L, arena, batchSize, $L), $L, "
                + "$L.withStopping(fixedPointStopping))", SOLUTION, back, IMPLICIT_BACKWARD, g, rows, vjpMethod.get(f), star,
                g, rows, injectedNames.get(f), rhs, backwardSpecField.get(f));
        m.addStatement("solverTrace.backward($L)", back);
        // the body at z* on the whole batch, from g*, into the parameters and the injected inputs
        Map<Value, Write> inputWrites = new HashMap<>();
        List<Value> ins = f.inputs();
        for (int i = 0; i < ins.size(); i++) {
            inputWrites.put(ins.get(i), step.inputs().get(i));
        }
        Map<String, Write> paramWrites = new HashMap<>();
        for (int i = 0; i < f.params().size(); i++) {
            paramWrites.put(f.params().get(i).name(), step.params().get(i));
        }
        Set<Value> wrt = new HashSet<>();
        for (Value c : f.captures()) {
            if (inputWrites.get(c) != Write.SKIP) {
                wrt.add(c);
            }
        }
        Plan plan = bodyPlan(f, wrt, paramWrites, inputWrites);
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, host.v(f.iterate()), star);
        host.forwardRegion(m, f.bodyRegion(), true, null);
        m.addStatement("$T $L = $L.z()", JavaEmitter.INDARRAY, host.gradName(f.body()), back);
        host.backwardSteps(m, scope, plan, null);
        Set<Value> written = writtenInputs(plan);
        for (Value in : ins) {
            if (inputWrites.get(in) == Write.OVERWRITE && !written.contains(in)) {
                m.addComment("$L does not reach the fixed point: its gradient from here is zero", host.v(in));
                m.addStatement("$T $L = arena.get($L, dataType, batchSize$L)", JavaEmitter.INDARRAY, host.gradName(in),
                        host.slot("grad" + in.id()), dimsSuffix(in.shape()));
                m.addStatement("$L.assign(0)", host.gradName(in));
            }
        }
        Set<String> writtenParams = writtenParams(plan);
        for (ParamDecl p : f.params()) {
            if (paramWrites.get(p.name()) == Write.OVERWRITE && !writtenParams.contains(p.name())) {
                m.addStatement("$L.assign(0)", host.paramGrad(p));
            }
        }
        if (jacobianWeight != 0) {
            jacobianBackward(m, scope, f, k, step, points);
        }
    }

    /**
     * The regulariser's gradient with respect to z*, added to {@code dL/dz*} before the implicit solve (so that its
     * dependence on z*, and through z* on everything before, is differentiated too): the central difference of the
     * body's VJP from eps with respect to the iterate ({@code JacobianTerm}).
     */
    private void jacobianRhs(MethodSpec.Builder m, FixedPoint f, String star, String gOut, String points, String rhs) {
        m.addComment("the Jacobian regulariser's gradient: the body's VJPs from eps at z* +- h 2u/N, differenced");
        m.addStatement("$T[] $L = $T.centralDifference($L, $L, $L, $L)", JavaEmitter.INDARRAY, points, JACOBIAN, star, u(f),
                eps(f), JavaEmitter.lit(jacobianWeight));
        m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, rhs, gOut);
        m.beginControlFlow("if ($L != null)", points);
        m.addStatement("$L = $L.add($L($L[0], $L[1], $T.allRows(batchSize), arena, batchSize, $L))", rhs, gOut,
                vjpMethod.get(f), points, points, JACOBIAN, injectedNames.get(f));
        m.addStatement("$L.addi($L($L[2], $L[3], $T.allRows(batchSize), arena, batchSize, $L))", rhs, vjpMethod.get(f),
                points, points, JACOBIAN, injectedNames.get(f));
        m.endControlFlow();
    }

    /**
     * The Jacobian regulariser's gradient with respect to the parameters and the injected inputs, added to theirs: the
     * central difference of the body's VJP from eps along 2u/N ({@code JacobianTerm}).
     */
    private void jacobianBackward(MethodSpec.Builder m, Names.Scope scope, FixedPoint f, int k, Step step,
            String points) {
        m.addComment("the Jacobian regulariser's gradient with respect to the parameters and the injected inputs");
        m.beginControlFlow("if ($L != null)", points);
        List<Integer> differentiated = jacobianCaptures(f);
        String grads = scope.claim("fixedPoint" + k + "JacobianGrads");
        m.addStatement("$T[] $L = new $T[$L]", JavaEmitter.INDARRAY, grads, JavaEmitter.INDARRAY, f.captures().size());
        for (int i : differentiated) {
            m.addStatement("$L[$L] = arena.get($L, dataType, batchSize$L).assign(0)", grads, i,
                    host.slot("fixedPoint" + k + ":jacobianGrad" + i), dimsSuffix(f.captures().get(i).shape()));
        }
        m.addStatement("$L($L[0], $L[1], $T.allRows(batchSize), arena, batchSize, $L, $L)", jacobianMethod.get(f), points,
                points, JACOBIAN, injectedNames.get(f), grads);
        m.addStatement("$L($L[2], $L[3], $T.allRows(batchSize), arena, batchSize, $L, $L)", jacobianMethod.get(f), points,
                points, JACOBIAN, injectedNames.get(f), grads);
        List<Value> ins = f.inputs();
        for (int i : differentiated) {
            Value c = f.captures().get(i);
            if (step.inputs().get(ins.indexOf(c)) != Write.SKIP) {
                m.addStatement("$T.accumulate($L, $L[$L])", JavaEmitter.ELEMENTWISE, host.gradName(c), grads, i);
            }
        }
        m.endControlFlow();
    }

    /** The injected inputs whose gradient the training step computes, by their position among the captures. */
    private List<Integer> jacobianCaptures(FixedPoint f) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < f.captures().size(); i++) {
            if (host.hasGradient(f.captures().get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * {@code g df/dtheta} at {@code star} for the samples {@code rows}, added to the parameters' gradients, and
     * {@code g df/dx} added into the injected inputs' rows of {@code injectedGrads}: the Jacobian regulariser's passes.
     */
    private MethodSpec jacobianMethod(FixedPoint f) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(jacobianMethod.get(f))
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("g df/dtheta and g df/dx of $L at {@code star}, added into the gradients: a pass of the "
                        + "Jacobian regulariser's central difference.\n", JavaEmitter.commentText(f.path()))
                .addParameter(JavaEmitter.INDARRAY, "star")
                .addParameter(JavaEmitter.INDARRAY, "g")
                .addParameter(int[].class, "rows")
                .addParameter(JavaEmitter.ARENA, "arena")
                .addParameter(long.class, "batchSize")
                .addParameter(INDARRAYS, "injected")
                .addParameter(INDARRAYS, "injectedGrads");
        m.addStatement("long active = rows.length");
        bindRows(m, f, null, "star");
        host.forwardRegion(m, f.bodyRegion(), true, "active");
        List<Integer> differentiated = jacobianCaptures(f);
        Set<Value> wrt = new HashSet<>();
        differentiated.forEach(i -> wrt.add(f.captures().get(i)));
        Map<String, Write> paramWrites = new HashMap<>();
        for (ParamDecl p : f.params()) {
            paramWrites.put(p.name(), Write.ACCUMULATE);
        }
        Plan plan = BodyPlans.plan(host, f.bodyRegion(), f.body(), wrt, paramWrites);
        Set<Value> written = writtenInputs(plan);
        m.addStatement("$T $L = g", JavaEmitter.INDARRAY, host.gradName(f.body()));
        host.backwardSteps(m, new Names.Scope(host.localScope()), plan, "active");
        for (int i : differentiated) {
            Value c = f.captures().get(i);
            if (written.contains(c)) {
                m.addStatement("$T.addRowsInPlace(injectedGrads[$L], $L, rows, false)", JavaEmitter.COMPACTION, i,
                        host.gradName(c));
            }
        }
        return m.build();
    }

    /** {@code g J_f(z*)} on the samples {@code rows}: the body's forward at z* there, then its VJPs into the iterate. */
    private MethodSpec vjpMethod(FixedPoint f) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(vjpMethod.get(f))
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("g J_f(z*) for the samples {@code rows} of the batch: the backward solve's map.\n")
                .returns(JavaEmitter.INDARRAY)
                .addParameter(JavaEmitter.INDARRAY, "star")
                .addParameter(JavaEmitter.INDARRAY, "g")
                .addParameter(int[].class, "rows")
                .addParameter(JavaEmitter.ARENA, "arena")
                .addParameter(long.class, "batchSize")
                .addParameter(INDARRAYS, "injected");
        m.addStatement("long active = rows.length");
        bindRows(m, f, null, "star");
        host.forwardRegion(m, f.bodyRegion(), true, "active");
        Plan plan = bodyPlan(f, Set.of(f.iterate()), Map.of(), Map.of());
        if (!writtenInputs(plan).contains(f.iterate())) {
            m.addComment("the body does not read its iterate: J_f is zero");
            m.addStatement("return g.ulike().assign(0)");
            return m.build();
        }
        m.addStatement("$T $L = g", JavaEmitter.INDARRAY, host.gradName(f.body()));
        host.backwardSteps(m, new Names.Scope(host.localScope()), plan, "active");
        m.addStatement("return $L", host.gradName(f.iterate()));
        return m.build();
    }

    /** The body's reverse pass: see {@link BodyPlans#plan}. */
    private Plan bodyPlan(FixedPoint f, Set<Value> wrt, Map<String, Write> paramWrites, Map<Value, Write> inputWrites) {
        return BodyPlans.plan(host, f.bodyRegion(), f.body(), wrt, paramWrites, inputWrites);
    }

    private static Set<Value> writtenInputs(Plan plan) {
        return BodyPlans.writtenInputs(plan);
    }

    private static Set<String> writtenParams(Plan plan) {
        return BodyPlans.writtenParams(plan);
    }

    private static String origin(Op op) {
        return op.origin() == null ? "?" : JavaEmitter.commentText(op.origin().toString());
    }

    private static String dimsSuffix(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (long d : shape) {
            sb.append(", ").append(JavaEmitter.lit(d));
        }
        return sb.toString();
    }
}
