package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code share adashare(sparsity, sharing) { U1; U2; ... }}: AdaShare (Sun et al. 2020). Every task of the network
 * learns, per unit, whether to run it or skip it (two logits, [select, skip]); a skipped unit is the identity, so
 * each unit keeps its input's shape. The units' weights are shared by all tasks.
 *
 * <p>Lowers to one {@link ShareUnit} per task and unit, each task's units in a chain from the share's input; the
 * first task's units create the weights and the others replay them ({@link Lowering#replay}). Its value is one tensor
 * per task ({@link Val.PerTask}).
 */
record ShareStage(Map<String, Val> options, List<Stage> units, List<Span> unitSpans, Span span) implements Stage {

    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("sparsity", Args.Type.FLOAT, new Val.Num(0.05, false)),
            new Args.Param("sharing", Args.Type.FLOAT, new Val.Num(0.05, false)),
            new Args.Param("estimator", Args.Type.STRING, new Val.Str("soft")));

    /** AdaShare's "equal" initialisation of the policy logits: select and skip start equally likely. */
    private static final double[] INITIAL_LOGITS = {0.5, 0.5};

    static Val of(Expr.Share s, Env env, Evaluator evaluator, Diagnostics diag) {
        if (!s.policy().name().name().equals("adashare")) {
            diag.error(Code.INVALID_VALUE, s.policy().name().span(), "a share learns its policy with adashare(sparsity, sharing), "
                    + "not '" + s.policy().name().name() + "'");
            return Val.ERR;
        }
        Map<String, Val> options = evaluator.constantsIn(env, s.policy().args(), PARAMS, "adashare", s.policy().span());
        if (options == null || !validate(options, s.policy().span(), diag)) {
            return Val.ERR;
        }
        List<Stage> units = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        if (!s.body().inputs().isEmpty()) {
            diag.error(Code.INVALID_VALUE, s.body().span(), "a share's body is a list of units, each a stage: { U1; U2 }, "
                    + "without named inputs");
            return Val.ERR;
        }
        for (Body.Statement st : s.body().statements()) {
            if (!(st instanceof Body.Eval e)) {
                diag.error(Code.INVALID_VALUE, st.span(), "a share's body is a list of units, each a stage: { U1; U2 }");
                return Val.ERR;
            }
            Val v = evaluator.asStage(evaluator.eval(e.value(), env, ""), e.span());
            if (!(v instanceof Val.StageV stage)) {
                return Val.ERR;
            }
            units.add(stage.stage());
            spans.add(e.span());
        }
        if (units.isEmpty()) {
            diag.error(Code.INVALID_VALUE, s.body().span(), "a share needs at least one unit");
            return Val.ERR;
        }
        return new Val.StageV(new ShareStage(options, List.copyOf(units), List.copyOf(spans), s.span()));
    }

    /** Checks the options; reports at the policy and returns false when one is out of range. */
    static boolean validate(Map<String, Val> o, Span span, Diagnostics diag) {
        boolean ok = true;
        for (String weight : List.of("sparsity", "sharing")) {
            double w = Args.numArg(o, weight);
            if (!(w >= 0) || Double.isInfinite(w)) {
                diag.error(Code.INVALID_VALUE, span, "adashare's " + weight + " weight must be finite and at least 0, not " + w);
                ok = false;
            }
        }
        String est = ((Val.Str) o.get("estimator")).value();
        if (!est.equals("straight_through") && !est.equals("soft")) {
            diag.error(Code.INVALID_VALUE, span, "estimator is \"soft\" or \"straight_through\", not \"" + est + "\"");
            ok = false;
        }
        return ok;
    }

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        List<String> tasks = lowering.evaluator.tasks();
        if (tasks.isEmpty()) {
            lowering.diagnostics.error(Code.INVALID_VALUE, span, "a share learns which units each task runs, but this network "
                    + "declares no task: declare them with task name: classes(k)");
            return Val.ERR;
        }
        String name = lowering.instanceName(scope, "share");
        int shareIndex = lowering.nextShareIndex();
        boolean soft = ((Val.Str) options.get("estimator")).value().equals("soft");
        Value x = inputs.get(0).value();
        Map<String, Value> byTask = new LinkedHashMap<>();
        int[] firstPass = null;
        int[] afterFirst = null;
        for (int t = 0; t < tasks.size(); t++) {
            String task = tasks.get(t);
            List<ParamDecl> logits = new ArrayList<>();
            for (int u = 0; u < units.size(); u++) {
                logits.add(lowering.param(name + ".policy." + task + ".unit" + (u + 1), new long[] {2}, ParamDecl.Init.VALUES, 1, 0,
                        false, INITIAL_LOGITS));
            }
            if (t == 0) {
                firstPass = lowering.mark();
            } else {
                lowering.replay(firstPass, afterFirst);
            }
            Value out;
            try {
                out = chain(x, name, task, t, shareIndex, soft, logits, lowering, at);
            } finally {
                if (t > 0) {
                    lowering.endReplay();
                }
            }
            if (out == null) {
                return Val.ERR;
            }
            if (t == 0) {
                afterFirst = lowering.mark();
            }
            byTask.put(task, out);
        }
        return new Val.PerTask(byTask);
    }

    /** One task's units in order, each a {@link ShareUnit}; null after reporting (the first task's pass reports). */
    private Value chain(Value x, String name, String task, int t, int shareIndex, boolean soft, List<ParamDecl> logits,
            Lowering lowering, Span at) {
        Value current = x;
        for (int u = 0; u < units.size(); u++) {
            Value in = current;
            Stage unit = units.get(u);
            String scope = t == 0 ? name + ".unit" + (u + 1) : name + "." + task + ".unit" + (u + 1);
            Region region = lowering.region(List.of(in), () -> unit.apply(List.of(new Val.Tensor(in)), lowering, scope, at)
                    instanceof Val.Tensor r ? r.value() : null);
            if (region == null) {
                return null;
            }
            if (t == 0 && !unitRules(region, in, unitSpans.get(u), lowering)) {
                return null;
            }
            Value out = lowering.newValue(in.shape());
            Op op = new ShareUnit(in, region, out, logits.get(u), shareIndex, task, t, u, units.size(), soft,
                    Args.numArg(options, "sparsity"), Args.numArg(options, "sharing"), scope, unitSpans.get(u));
            if (!lowering.add(op)) {
                return null;
            }
            current = out;
        }
        return current;
    }

    /** A unit keeps its input's shape (a skipped unit is the identity), computes something and reads only its input. */
    private static boolean unitRules(Region region, Value in, Span unitSpan, Lowering lowering) {
        Value result = region.result();
        if (!result.sameShape(in)) {
            lowering.diagnostics.error(Code.SHAPE_MISMATCH, unitSpan, "a unit of a share must keep its input's shape (a task "
                    + "that skips it gets its input), but this one turns " + in.shapeText() + " into " + result.shapeText());
            return false;
        }
        if (region.ops().isEmpty()) {
            lowering.diagnostics.error(Code.INVALID_VALUE, unitSpan, "a unit of a share must compute something");
            return false;
        }
        for (Op op : region.schedule()) {
            if (op instanceof Op.RegionOp r) {
                String what = HaltingStage.construct(r);
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(), (what.equals("exit") ? "an " : "a ") + what
                        + " inside a share is not supported yet");
                return false;
            }
        }
        return lowering.readsOnly(region, "a unit of a share may read only its own input");
    }

    @Override
    public String describe() {
        return "'share'";
    }
}
