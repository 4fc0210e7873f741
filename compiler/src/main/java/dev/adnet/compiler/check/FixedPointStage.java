package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.CallSpec;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.SolverKind;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code x -> fixedpoint(options) solver s(args) { z => f }}: a deep-equilibrium layer, {@code z* = f(z*)}.
 *
 * <p>Lowers to one {@link FixedPoint} whose body region computes f from the iterate and from the network values
 * the body reads by name (the injected input), which become the region's other arguments: a region sees nothing
 * else, so the solver can run it on the samples still iterating. The body may not hold a batchnorm or a dropout
 * (their batch statistics and random masks would change with the samples still in the solve) nor another construct.
 */
record FixedPointStage(SolverKind solver, int memory, double tol, int max, double backwardTol, int backwardMax,
        boolean initFromInput, Stage body, Span span) implements Stage {

    /** A marker default: the backward solve takes the forward one's tolerance unless told otherwise. */
    private static final Val SAME_TOL = new Val.Num(0, false);
    /** A marker default: the backward cap is the forward cap plus a third, as in the DEQ code (30 and 40). */
    private static final Val SAME_MAX = Val.Num.ofInt(0);
    /** A cap beyond which a solve is a mistake rather than a setting: each iteration runs the whole body. */
    static final int MAX_CAP = 10_000;

    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("init", Args.Type.STRING, new Val.Str("zeros")),
            new Args.Param("backward_tol", Args.Type.FLOAT, SAME_TOL),
            new Args.Param("backward_max", Args.Type.INT, SAME_MAX));

    private static final Map<String, List<Args.Param>> SOLVERS = Map.of(
            "anderson", List.of(new Args.Param("m", Args.Type.INT, Val.Num.ofInt(5)),
                    new Args.Param("tol", Args.Type.FLOAT, new Val.Num(1e-4, false)),
                    new Args.Param("max", Args.Type.INT, Val.Num.ofInt(30))),
            "broyden", List.of(new Args.Param("tol", Args.Type.FLOAT, new Val.Num(1e-4, false)),
                    new Args.Param("max", Args.Type.INT, Val.Num.ofInt(30))),
            "iterate", List.of(new Args.Param("tol", Args.Type.FLOAT, new Val.Num(1e-4, false)),
                    new Args.Param("max", Args.Type.INT, Val.Num.ofInt(30))));

    /** The stage of {@code f}, or {@link Val#ERR} after reporting its options' errors. */
    static Val of(Expr.FixedPoint f, Env env, Evaluator evaluator, Diagnostics diag) {
        Map<String, Val> options = evaluator.constantsIn(env, f.args(), PARAMS, "fixedpoint", f.span());
        CallSpec s = f.solver();
        String solverName = s == null ? "anderson" : s.name().name();
        List<Args.Param> solverParams = SOLVERS.get(solverName);
        if (solverParams == null) {
            diag.error(Code.UNKNOWN_ARGUMENT, s.name().span(), "unknown solver '" + solverName + "'; a fixed point is solved by "
                    + "anderson(m, tol, max), broyden(tol, max) or iterate(tol, max)"
                    + Suggest.suffix(solverName, SOLVERS.keySet().stream().sorted().toList()));
            return Val.ERR;
        }
        List<Arg> solverArgs = s == null ? List.of() : s.args();
        Map<String, Val> solverOptions = evaluator.constantsIn(env, solverArgs, solverParams, solverName,
                s == null ? f.span() : s.span());
        if (options == null || solverOptions == null) {
            return Val.ERR;
        }
        boolean ok = true;
        String init = ((Val.Str) options.get("init")).value();
        if (!init.equals("zeros") && !init.equals("input")) {
            diag.error(Code.INVALID_VALUE, at(f.args(), PARAMS, "init", f.span()), "init is \"zeros\" (start from z = 0) or "
                    + "\"input\" (start from the input), not \"" + init + "\"");
            ok = false;
        }
        Span solverSpan = s == null ? f.span() : s.span();
        double tol = Args.numArg(solverOptions, "tol");
        ok &= positiveTol(tol, "tolerance", at(solverArgs, solverParams, "tol", solverSpan), diag);
        long max = Args.intArg(solverOptions, "max");
        ok &= cap(max, "iteration cap 'max'", at(solverArgs, solverParams, "max", solverSpan), diag);
        long m = 1;
        if (solverName.equals("anderson")) {
            m = Args.intArg(solverOptions, "m");
            if (m < 1 || m > 100) {
                diag.error(Code.INVALID_VALUE, at(solverArgs, solverParams, "m", solverSpan), "Anderson's history size m "
                        + "must be from 1 to 100, not " + m);
                ok = false;
            }
        }
        double backwardTol = tol;
        if (options.get("backward_tol") != SAME_TOL) {
            backwardTol = Args.numArg(options, "backward_tol");
            ok &= positiveTol(backwardTol, "backward tolerance", at(f.args(), PARAMS, "backward_tol", f.span()), diag);
        }
        long backwardMax = max + (max + 2) / 3;
        if (options.get("backward_max") != SAME_MAX) {
            backwardMax = Args.intArg(options, "backward_max");
            ok &= cap(backwardMax, "backward iteration cap", at(f.args(), PARAMS, "backward_max", f.span()), diag);
        }
        if (!ok) {
            return Val.ERR;
        }
        SolverKind kind = SolverKind.valueOf(solverName.toUpperCase(java.util.Locale.ROOT));
        Stage body = new Stages.Group(f.body(), env, f.span());
        return new Val.StageV(new FixedPointStage(kind, (int) m, tol, (int) max, backwardTol,
                (int) Math.min(backwardMax, MAX_CAP), init.equals("input"), body, f.span()));
    }

    private static boolean positiveTol(double tol, String what, Span at, Diagnostics diag) {
        if (tol > 0 && tol < 1) {
            return true;
        }
        diag.error(Code.INVALID_VALUE, at, "a fixed point's " + what + " is a relative residual, above 0 and below 1, not "
                + new Val.Num(tol, false).text());
        return false;
    }

    private static boolean cap(long max, String what, Span at, Diagnostics diag) {
        if (max >= 1 && max <= MAX_CAP) {
            return true;
        }
        diag.error(Code.INVALID_VALUE, at, "a fixed point's " + what + " must be from 1 to " + MAX_CAP + ", not " + max);
        return false;
    }

    /** Where argument {@code name} is written (by name or by position), else {@code fallback}. */
    private static Span at(List<Arg> args, List<Args.Param> params, String name, Span fallback) {
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            if (a.named() ? a.name().name().equals(name) : i < params.size() && params.get(i).name().equals(name)) {
                return a.value().span();
            }
        }
        return fallback;
    }

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        if (body.arity() != 1) {
            lowering.diagnostics.error(Code.WRONG_INPUT_COUNT, span, "a fixed-point body takes one tensor, the iterate: "
                    + "{ z => ... }, but this one takes " + body.arity());
            return Val.ERR;
        }
        Value x = inputs.get(0).value();
        Value z = lowering.newValue(x.shape());
        String name = lowering.instanceName(scope, "fixedpoint");
        Region raw = lowering.region(List.of(z), () -> {
            Val v = body.apply(List.of(new Val.Tensor(z)), lowering, name, at);
            return v instanceof Val.Tensor t ? t.value() : null;
        });
        if (raw == null) {
            return Val.ERR;
        }
        Value f = raw.result();
        if (!f.sameShape(z)) {
            lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "a fixed-point body must give its iterate's shape "
                    + z.shapeText() + ", but it gives " + f.shapeText());
            return Val.ERR;
        }
        if (raw.ops().isEmpty() || f == z) {
            lowering.diagnostics.error(Code.INVALID_VALUE, span, "a fixed-point body must compute something from its "
                    + "iterate: { z => ... } that gives z back has every value as its fixed point");
            return Val.ERR;
        }
        if (!SolverBodies.runsPerSample(raw, "a fixed-point body", "iterating", "iteration leaves no fixed point", lowering)) {
            return Val.ERR;
        }
        List<Value> captures = raw.readsFromOutside(Set.of(z));
        List<Value> arguments = new ArrayList<>();
        arguments.add(z);
        arguments.addAll(captures);
        Region region = new Region(arguments, raw.ops(), raw.results());
        Value out = lowering.newValue(x.shape());
        Op op = new FixedPoint(x, z, region, captures, out, solver, memory, tol, max, backwardTol, backwardMax,
                initFromInput, name, span);
        return lowering.add(op) ? new Val.Tensor(out) : Val.ERR;
    }

    @Override
    public String describe() {
        return "'fixedpoint'";
    }
}
