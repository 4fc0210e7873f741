package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code x -> ode(t0, t1, rtol, atol, max_steps) { z, t => f }}: a continuous-depth layer, {@code dz/dt = f(z, t)} from
 * {@code z(t0) = x} to {@code t1}.
 *
 * <p>Lowers to one {@link Ode} whose body region computes f from the state, the time (when the body names it) and
 * the network values it reads by name, which become the region's other arguments, so the solver can run it on the
 * samples still integrating. As in a fixed point's body, no batchnorm, dropout or other construct: the body is
 * evaluated many times per sample on changing sets of samples.
 */
record OdeStage(double t0, double t1, double rtol, double atol, int maxSteps, Stage body, Span span) implements Stage {
    /** A cap beyond which a solve is a mistake rather than a setting: each step evaluates the body six times. */
    static final int MAX_STEPS = 10_000;

    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("t0", Args.Type.FLOAT, new Val.Num(0, false)),
            new Args.Param("t1", Args.Type.FLOAT, new Val.Num(1, false)),
            new Args.Param("rtol", Args.Type.FLOAT, new Val.Num(1e-3, false)),
            new Args.Param("atol", Args.Type.FLOAT, new Val.Num(1e-4, false)),
            new Args.Param("max_steps", Args.Type.INT, Val.Num.ofInt(100)));

    /** The stage of {@code o}, or {@link Val#ERR} after reporting its options' errors. */
    static Val of(Expr.Ode o, Env env, Evaluator evaluator, Diagnostics diag) {
        Map<String, Val> options = evaluator.constantsIn(env, o.args(), PARAMS, "ode", o.span());
        if (options == null) {
            return Val.ERR;
        }
        boolean ok = true;
        double t0 = Args.numArg(options, "t0");
        double t1 = Args.numArg(options, "t1");
        if (!Double.isFinite(t0) || !Double.isFinite(t1) || !(t1 > t0)) {
            diag.error(Code.INVALID_VALUE, at(o.args(), "t1", o.span()), "an ode integrates forward over [t0, t1]: t1 must "
                    + "be a finite number above t0, but the interval is [" + text(t0) + ", " + text(t1) + "]");
            ok = false;
        }
        double rtol = Args.numArg(options, "rtol");
        ok &= tolerance(rtol, "relative tolerance rtol", at(o.args(), "rtol", o.span()), diag);
        double atol = Args.numArg(options, "atol");
        ok &= tolerance(atol, "absolute tolerance atol", at(o.args(), "atol", o.span()), diag);
        long maxSteps = Args.intArg(options, "max_steps");
        if (maxSteps < 1 || maxSteps > MAX_STEPS) {
            diag.error(Code.INVALID_VALUE, at(o.args(), "max_steps", o.span()), "an ode's step cap max_steps must be from 1 "
                    + "to " + MAX_STEPS + ", not " + maxSteps);
            ok = false;
        }
        if (!ok) {
            return Val.ERR;
        }
        return new Val.StageV(new OdeStage(t0, t1, rtol, atol, (int) maxSteps, new Stages.Group(o.body(), env, o.span()),
                o.span()));
    }

    private static boolean tolerance(double tol, String what, Span at, Diagnostics diag) {
        if (tol > 0 && tol < 1) {
            return true;
        }
        diag.error(Code.INVALID_VALUE, at, "an ode's " + what + " bounds each step's local error: above 0 and below 1, not "
                + text(tol));
        return false;
    }

    private static String text(double v) {
        return new Val.Num(v, false).text();
    }

    /** Where option {@code name} is written (by name or by position), else {@code fallback}. */
    private static Span at(List<Arg> args, String name, Span fallback) {
        for (int i = 0; i < args.size(); i++) {
            Arg a = args.get(i);
            if (a.named() ? a.name().name().equals(name) : i < PARAMS.size() && PARAMS.get(i).name().equals(name)) {
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
        if (body.arity() != 1 && body.arity() != 2) {
            lowering.diagnostics.error(Code.WRONG_INPUT_COUNT, span, "an ode's body takes the state and optionally the "
                    + "time: { z => ... } or { z, t => ... }, but this one takes " + body.arity());
            return Val.ERR;
        }
        Value x = inputs.get(0).value();
        Value z = lowering.newValue(x.shape());
        Value t = body.arity() == 2 ? lowering.newValue(x.shape()) : null;
        String name = lowering.instanceName(scope, "ode");
        List<Val.Tensor> bound = t == null ? List.of(new Val.Tensor(z)) : List.of(new Val.Tensor(z), new Val.Tensor(t));
        Region raw = lowering.region(t == null ? List.of(z) : List.of(z, t), () -> {
            Val v = body.apply(bound, lowering, name, at);
            return v instanceof Val.Tensor r ? r.value() : null;
        });
        if (raw == null) {
            return Val.ERR;
        }
        Value f = raw.result();
        if (!f.sameShape(z)) {
            lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "an ode's body gives dz/dt, which must have its state's "
                    + "shape " + z.shapeText() + ", but it gives " + f.shapeText());
            return Val.ERR;
        }
        if (raw.ops().isEmpty()) {
            lowering.diagnostics.error(Code.INVALID_VALUE, span, "an ode's body must compute dz/dt: { z => ... } that gives "
                    + "an argument back is not a layer");
            return Val.ERR;
        }
        if (!SolverBodies.runsPerSample(raw, "an ode's body", "integrating", "evaluation makes dz/dt random", lowering)) {
            return Val.ERR;
        }
        List<Value> captures = raw.readsFromOutside(t == null ? Set.of(z) : Set.of(z, t));
        List<Value> arguments = new ArrayList<>(raw.arguments());
        arguments.addAll(captures);
        Region region = new Region(arguments, raw.ops(), raw.results());
        Value out = lowering.newValue(x.shape());
        Op op = new Ode(x, z, t, region, captures, out, t0, t1, rtol, atol, maxSteps, name, span);
        return lowering.add(op) ? new Val.Tensor(out) : Val.ERR;
    }

    @Override
    public String describe() {
        return "'ode'";
    }
}
