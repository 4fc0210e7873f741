package dev.adnet.compiler.emit;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.cost.OdeCost;
import dev.adnet.compiler.emit.BackwardPlanner.Plan;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.element.Modifier;

/**
 * Emission of {@link Ode}: the body becomes a method that evaluates {@code dz/dt} on the samples still integrating
 * (the time filled per sample, the captured values gathered to their rows), which the runtime's {@code DormandPrince}
 * calls per stage. Training records each sample's accepted steps; the backward pass runs {@code DormandPrince.backward}
 * through them, whose vector-Jacobian products are a second method (the body's forward on the active rows, then its
 * ops' VJPs with respect to the state and the captured values, the parameters' gradients accumulated in place).
 */
final class OdeEmitter {
    private static final String IMPLICIT = "dev.adnet.runtime.implicit";
    static final ClassName DORMAND_PRINCE = ClassName.get(IMPLICIT, "DormandPrince");
    static final ClassName SOLUTION = ClassName.get(IMPLICIT, "OdeSolution");
    static final ClassName SPEC = ClassName.get(IMPLICIT, "OdeSpec");
    static final ClassName TRACE = ClassName.get(IMPLICIT, "OdeTrace");
    static final ClassName TIMES = ClassName.get(IMPLICIT, "OdeTimes");
    static final ClassName NETWORK = ClassName.get(IMPLICIT, "OdeNetwork");
    private static final ArrayTypeName INDARRAYS = ArrayTypeName.of(JavaEmitter.INDARRAY);
    /** The parameters of the body's methods beyond the fixed points', which no value of the network may be named. */
    static final String[] METHOD_LOCALS = {"time", "injectedGrads"};

    private final FixedPointEmitter.Host host;
    private final List<Ode> odes = new ArrayList<>();
    private final Map<Ode, String> specField = new HashMap<>();
    private final Map<Ode, String> bodyMethod = new HashMap<>();
    private final Map<Ode, String> vjpMethod = new HashMap<>();
    private final Map<Ode, String> solutions = new HashMap<>();
    private final Map<Ode, String> injectedNames = new HashMap<>();
    /** Per program (by identity), its ODEs by the index of their body's first op. */
    private final Map<Graph, Map<Integer, Ode>> bodyStarts = new java.util.IdentityHashMap<>();
    /** The checked graph's ODEs by the id of the value they define, which a program's ODE shares. */
    private final Map<Integer, Ode> byOut = new HashMap<>();
    /** The trace's first column for ODEs: {@code Prediction.iterations} lists the fixed points first. */
    private final int firstColumn;

    OdeEmitter(FixedPointEmitter.Host host) {
        this.host = host;
        Graph g = host.graph();
        int fixedPoints = 0;
        for (Op op : g.ops()) {
            if (op instanceof FixedPoint) {
                fixedPoints++;
            }
            if (op instanceof Ode o) {
                int k = odes.size();
                odes.add(o);
                specField.put(o, host.classScope().claim(Names.constant(o.path())));
                bodyMethod.put(o, host.classScope().claim("ode" + k + "Body"));
                vjpMethod.put(o, host.classScope().claim("ode" + k + "Vjp"));
                host.name(o.state(), host.localScope().claim(Names.path(o.path()) + "_state"));
                if (o.time() != null) {
                    host.name(o.time(), host.localScope().claim(Names.path(o.path()) + "_time"));
                }
                byOut.put(o.out().id(), o);
            }
        }
        firstColumn = fixedPoints;
        if (!odes.isEmpty()) {
            host.classScope().reserve("odeTrace", "odeRtol", "odeAtol", "odeTolerances");
        }
    }

    boolean any() {
        return !odes.isEmpty();
    }

    int count() {
        return odes.size();
    }

    /** The ODE of {@code program} whose body starts at {@code index}, or null: where that program integrates instead. */
    Ode atBodyStart(Graph program, int index) {
        return bodyStarts.computeIfAbsent(program, p -> {
            Map<Integer, Ode> starts = new HashMap<>();
            for (Op op : p.ops()) {
                if (op instanceof Ode o) {
                    starts.put(p.start(o.bodyRegion()), o);
                }
            }
            return starts;
        }).get(index);
    }

    /** The checked graph's ODE that {@code o} of a program stands for (the passes leave a body's ops as they are). */
    private Ode checked(Ode o) {
        return byOut.get(o.out().id());
    }

    /** The solver specifications, the trace, and the body's methods. */
    void members(TypeSpec.Builder type, boolean trainable) {
        if (odes.isEmpty()) {
            return;
        }
        type.addSuperinterface(NETWORK);
        for (Ode o : odes) {
            type.addField(FieldSpec.builder(SPEC, specField.get(o), Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("How $L is integrated: Dormand-Prince 5(4), each sample with its own step size.\n",
                            JavaEmitter.commentText(o.path()))
                    .initializer("new $T($L, $L, $L, $L, $L)", SPEC, JavaEmitter.lit(o.t0()), JavaEmitter.lit(o.t1()),
                            JavaEmitter.lit(o.rtol()), JavaEmitter.lit(o.atol()), o.maxSteps())
                    .build());
        }
        type.addField(FieldSpec.builder(TRACE, "odeTrace", Modifier.PRIVATE, Modifier.FINAL)
                .addJavadoc("Training steps' function evaluations, drained each epoch.\n")
                .initializer("new $T()", TRACE).build());
        type.addMethod(MethodSpec.methodBuilder("odeTrace").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).returns(TRACE).addStatement("return odeTrace").build());
        for (String f : List.of("odeRtol", "odeAtol")) {
            type.addField(FieldSpec.builder(double.class, f, Modifier.PRIVATE, Modifier.VOLATILE)
                    .initializer("Double.NaN").build());
        }
        type.addMethod(MethodSpec.methodBuilder("odeTolerances").addAnnotation(Override.class)
                .addModifiers(Modifier.PUBLIC).addParameter(double.class, "rtol").addParameter(double.class, "atol")
                .beginControlFlow("for (double tol : new double[] {rtol, atol})")
                .beginControlFlow("if (!Double.isNaN(tol) && !(tol > 0 && tol < 1))")
                .addStatement("throw new IllegalArgumentException($S + tol)", "an ODE tolerance lies above 0 and below 1, not ")
                .endControlFlow()
                .endControlFlow()
                .addStatement("this.odeRtol = rtol")
                .addStatement("this.odeAtol = atol").build());
        for (Ode o : odes) {
            type.addMethod(bodyMethod(o));
            if (trainable) {
                type.addMethod(vjpMethod(o));
            }
        }
    }

    /** Whether {@code predict} reports each sample's evaluations: without gates and exits, as for fixed points. */
    boolean traced() {
        return any() && host.graph().gates().isEmpty() && host.graph().exits().isEmpty();
    }

    /** In {@code predict}: each sample's evaluations per ODE into {@code iterations}, and the FLOPs beyond one. */
    void trace(MethodSpec.Builder m) {
        List<OdeCost> costs = OdeCost.of(CostModel.of(host.graph()));
        for (int k = 0; k < odes.size(); k++) {
            int col = firstColumn + k;
            m.addComment("$L: $L FLOPs per sample and function evaluation", JavaEmitter.commentText(odes.get(k).path()),
                    costs.get(k).perEvaluation());
            m.beginControlFlow("for (int n = 0; n < batch; n++)");
            m.addStatement("iterations[n][$L] = workspace.fixedPointIterations()[$L][n]", col, col);
            m.addStatement("flops[n] += (iterations[n][$L] - 1) * $LL", col, costs.get(k).perEvaluation());
            m.endControlFlow();
        }
    }

    // ------------------------------------------------------------------------------------------ forward

    /**
     * The solve in the forward pass: from the input at t0 to t1, each sample with its own steps; training records the
     * accepted steps for the backward pass and counts the evaluations in the trace.
     */
    void forward(MethodSpec.Builder m, Ode programOp, boolean train) {
        Ode o = checked(programOp);
        int k = odes.indexOf(o);
        Names.Scope scope = host.localScope();
        m.addComment("$L at $L: integrated per sample, a sample leaving when it reaches t1$L",
                JavaEmitter.commentText(o.path()), o.origin() == null ? "?" : JavaEmitter.commentText(o.origin().toString()),
                train ? "; its accepted steps are recorded" : "");
        String injected = injectedNames.computeIfAbsent(o, x -> scope.claim("ode" + k + "Inputs"));
        List<String> names = o.captures().stream().map(host::v).toList();
        m.addStatement("final $T[] $L = {$L}", JavaEmitter.INDARRAY, injected, String.join(", ", names));
        String solution = solutions.computeIfAbsent(o, x -> scope.claim("ode" + k));
        String z = scope.claim("ode" + k + "Z");
        String t = scope.claim("ode" + k + "T");
        String rows = scope.claim("ode" + k + "Rows");
        m.addStatement("$T $L = $T.solve(($L, $L, $L) -> $L($L, $L, $L, arena, batchSize, $L), $L, "
                + "$L.withTolerances(odeRtol, odeAtol), $L)", SOLUTION, solution, DORMAND_PRINCE, z, t, rows,
                bodyMethod.get(o), z, t, rows, injected, host.v(o.input()), specField.get(o), train);
        if (train) {
            m.addStatement("odeTrace.forward($L)", solution);
        } else if (traced()) {
            m.addStatement("workspace.fixedPointIterations($L, $L.evaluations())", firstColumn + k, solution);
        }
        m.addStatement("$T $L = $L.z()", JavaEmitter.INDARRAY, host.v(o.out()), solution);
    }

    /** {@code dz/dt} on the samples {@code rows}: their time, the captured values gathered to them, the body. */
    private MethodSpec bodyMethod(Ode o) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(bodyMethod.get(o))
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("The body of $L, dz/dt = f(z, t), on the samples {@code rows} of the batch (z holds those "
                        + "rows, {@code time} their times).\n", JavaEmitter.commentText(o.path()))
                .returns(JavaEmitter.INDARRAY)
                .addParameter(JavaEmitter.INDARRAY, "iterate")
                .addParameter(double[].class, "time")
                .addParameter(int[].class, "rows")
                .addParameter(JavaEmitter.ARENA, "arena")
                .addParameter(long.class, "batchSize")
                .addParameter(INDARRAYS, "injected");
        bind(m, o);
        host.forwardRegion(m, o.bodyRegion(), false, "active");
        m.addStatement("return $L", host.v(o.body()));
        return m.build();
    }

    /** Declares the state, the time (when the body reads it) and the captured values at the active rows. */
    private void bind(MethodSpec.Builder m, Ode o) {
        int k = odes.indexOf(o);
        m.addStatement("long active = rows.length");
        m.addStatement("$T $L = iterate", JavaEmitter.INDARRAY, host.v(o.state()));
        if (o.time() != null) {
            m.addStatement("$T $L = $T.fill(arena.rows($L, dataType, batchSize, active$L), time)", JavaEmitter.INDARRAY,
                    host.v(o.time()), TIMES, host.slot("ode" + k + ":time"), dims(o.time().shape()));
        }
        for (int i = 0; i < o.captures().size(); i++) {
            Value c = o.captures().get(i);
            m.addStatement("$T $L = injected[$L]", JavaEmitter.INDARRAY, host.v(c), i);
            m.beginControlFlow("if (active != batchSize)");
            m.addStatement("$L = arena.rows($L, dataType, batchSize, active$L)", host.v(c), host.slot("ode" + k + ":in" + i),
                    dims(c.shape()));
            m.addStatement("$T.gather(injected[$L], rows, $L)", JavaEmitter.COMPACTION, i, host.v(c));
            m.endControlFlow();
        }
    }

    // ------------------------------------------------------------------------------------------ backward

    /** The captured values whose gradient the training step needs, by their position among the captures. */
    private List<Integer> differentiatedCaptures(Ode o) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < o.captures().size(); i++) {
            if (host.hasGradient(o.captures().get(i))) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * The backward step of {@code o}: the parameters' gradients zeroed where the plan's first write is here, the
     * captured values' gradients gathered in batch-sized arrays, then {@code DormandPrince.backward} through each
     * sample's recorded steps, which returns the gradient of the start (the input).
     */
    void backward(MethodSpec.Builder m, Names.Scope scope, Step step, String gOut) {
        Ode o = (Ode) step.op();
        int k = odes.indexOf(o);
        m.addComment("through each sample's accepted steps, in reverse (the stages recomputed, their VJPs accumulated)");
        for (int i = 0; i < o.params().size(); i++) {
            if (step.params().get(i) == Write.OVERWRITE) {
                m.addStatement("$L.assign(0)", host.paramGrad(o.params().get(i)));
            }
        }
        List<Integer> differentiated = differentiatedCaptures(o);
        String grads = scope.claim("ode" + k + "Grads");
        m.addStatement("final $T[] $L = new $T[$L]", JavaEmitter.INDARRAY, grads, JavaEmitter.INDARRAY, o.captures().size());
        for (int i : differentiated) {
            Value c = o.captures().get(i);
            m.addStatement("$L[$L] = arena.get($L, dataType, batchSize$L).assign(0)", grads, i,
                    host.slot("ode" + k + ":grad" + i), dims(c.shape()));
        }
        String z = scope.claim("ode" + k + "Z");
        String t = scope.claim("ode" + k + "T");
        String rows = scope.claim("ode" + k + "Rows");
        String g = scope.claim("ode" + k + "G");
        String start = scope.claim("ode" + k + "Start");
        String injected = injectedNames.get(o);
        m.addStatement("$T $L = $T.backward(($L, $L, $L) -> $L($L, $L, $L, arena, batchSize, $L), ($L, $L, $L, $L) -> "
                + "$L($L, $L, $L, $L, arena, batchSize, $L, $L), $L, $L)", JavaEmitter.INDARRAY, start, DORMAND_PRINCE,
                z, t, rows, bodyMethod.get(o), z, t, rows, injected, z, t, rows, g, vjpMethod.get(o), z, t, rows, g,
                injected, grads, solutions.get(o), gOut);
        List<Value> ins = o.inputs();
        for (int j = 0; j < ins.size(); j++) {
            Value in = ins.get(j);
            Write w = step.inputs().get(j);
            if (w == Write.SKIP) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            if (in == o.input()) {
                parts.add(start);
            }
            int c = o.captures().indexOf(in);
            if (c >= 0 && differentiated.contains(c)) {
                parts.add(grads + "[" + c + "]");
            }
            for (int p = 0; p < parts.size(); p++) {
                if (p == 0 && w == Write.OVERWRITE) {
                    m.addStatement("$T $L = $L", JavaEmitter.INDARRAY, host.gradName(in), parts.get(p));
                } else {
                    m.addStatement("$T.accumulate($L, $L)", JavaEmitter.ELEMENTWISE, host.gradName(in), parts.get(p));
                }
            }
        }
    }

    /**
     * {@code g df/dz} on the samples {@code rows}: the body's forward there, then its VJPs with respect to the state,
     * the captured values (added into their rows of {@code injectedGrads}) and the parameters (accumulated).
     */
    private MethodSpec vjpMethod(Ode o) {
        MethodSpec.Builder m = MethodSpec.methodBuilder(vjpMethod.get(o))
                .addModifiers(Modifier.PRIVATE)
                .addJavadoc("g df/dz at (z, t) for the samples {@code rows}; adds g df/dtheta to the parameters' "
                        + "gradients and g df/dx to the captured values' rows of {@code injectedGrads}.\n")
                .returns(JavaEmitter.INDARRAY)
                .addParameter(JavaEmitter.INDARRAY, "iterate")
                .addParameter(double[].class, "time")
                .addParameter(int[].class, "rows")
                .addParameter(JavaEmitter.INDARRAY, "g")
                .addParameter(JavaEmitter.ARENA, "arena")
                .addParameter(long.class, "batchSize")
                .addParameter(INDARRAYS, "injected")
                .addParameter(INDARRAYS, "injectedGrads");
        bind(m, o);
        host.forwardRegion(m, o.bodyRegion(), true, "active");
        List<Integer> differentiated = differentiatedCaptures(o);
        Set<Value> wrt = new HashSet<>(Set.of(o.state()));
        differentiated.forEach(i -> wrt.add(o.captures().get(i)));
        Map<String, Write> paramWrites = new HashMap<>();
        for (ParamDecl p : o.params()) {
            paramWrites.put(p.name(), Write.ACCUMULATE);
        }
        Plan plan = BodyPlans.plan(host, o.bodyRegion(), o.body(), wrt, paramWrites);
        Set<Value> written = BodyPlans.writtenInputs(plan);
        m.addStatement("$T $L = g", JavaEmitter.INDARRAY, host.gradName(o.body()));
        host.backwardSteps(m, new Names.Scope(host.localScope()), plan, "active");
        for (int i : differentiated) {
            Value c = o.captures().get(i);
            if (written.contains(c)) {
                m.addStatement("$T.addRowsInPlace(injectedGrads[$L], $L, rows, false)", JavaEmitter.COMPACTION, i,
                        host.gradName(c));
            }
        }
        if (!written.contains(o.state())) {
            m.addComment("the body does not read its state: df/dz is zero");
            m.addStatement("return g.ulike().assign(0)");
        } else {
            m.addStatement("return $L", host.gradName(o.state()));
        }
        return m.build();
    }

    private static String dims(long[] shape) {
        StringBuilder sb = new StringBuilder();
        for (long d : shape) {
            sb.append(", ").append(JavaEmitter.lit(d));
        }
        return sb.toString();
    }
}
