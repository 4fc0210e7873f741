package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.HaltingLoop;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.ShareUnit;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code repeat upto cap [shared] halt act(ponder, eps) { s => ... }} (Adaptive Computation Time) and
 * {@code repeat upto cap shared gate(options) { B }} (dynamic recursion).
 *
 * <p>Lowers to one {@link HaltingLoop} whose step region is the body followed by its decision, on the state the
 * body gives back: ACT's halting unit (a dense layer to one output and a sigmoid; for a map, on its global average),
 * or a gate's head and Gumbel decision as {@code gate} has them ({@code gateOptions}). The body may read
 * network values besides its state: they become the region's further arguments, so that a step can run on the rows of
 * the samples still running, gathered from every value it reads. The step's weights are the same at every step, unless
 * {@code ownWeights} (a loop written without {@code shared}): then every pass has its own ({@link OwnWeights}).
 */
record HaltingStage(int cap, LoopPolicy policy, Map<String, Val> gateOptions, boolean ownWeights, LoopyBatchNorm.Mode norms,
        Span normsSpan, Body body, Env env, Span span, Span policySpan) implements Stage {

    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("ponder", Args.Type.FLOAT, null),
            new Args.Param("eps", Args.Type.FLOAT, new Val.Num(0.01, false)));

    /** Checks the options at {@code span} (the policy); reports and returns false when one is out of range. */
    static boolean validate(Map<String, Val> o, Span span, dev.adnet.compiler.diag.Diagnostics diag) {
        boolean ok = true;
        double ponder = Args.numArg(o, "ponder");
        if (!(ponder >= 0) || Double.isInfinite(ponder)) {
            diag.error(Code.INVALID_VALUE, span, "act's ponder weight must be finite and at least 0, not " + ponder);
            ok = false;
        }
        double eps = Args.numArg(o, "eps");
        if (!(eps > 0 && eps < 1)) {
            diag.error(Code.INVALID_VALUE, span, "act's eps must be in (0, 1), not " + eps);
            ok = false;
        }
        return ok;
    }

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        Value init = inputs.get(0).value();
        if (init.rank() != 1 && init.rank() != 3) {
            lowering.diagnostics.error(Code.RANK_MISMATCH, policySpan, "a " + (gated() ? "gate" : "halting unit") + " reads a "
                    + "[features] or [channels, height, width] state, not " + init.shapeText());
            return Val.ERR;
        }
        String name = lowering.instanceName(scope, "repeat");
        int index = lowering.nextLoopIndex();
        Value[] next = new Value[1];
        // the state a step reads: a value of the loop's own, so that the value the loop starts from keeps its meaning
        // where the body names it
        Value state = lowering.newValue(init.shape());
        Region step = lowering.region(List.of(state), () -> {
            Val v = lowering.evaluator.applyBody(body, env, name + ".step", List.of(new Val.Tensor(state)), at);
            if (!(v instanceof Val.Tensor t)) {
                return null;
            }
            if (lowering.current().stream().noneMatch(op -> op.out().equals(t.value()))) {
                lowering.diagnostics.error(Code.INVALID_VALUE, span, "a " + what() + "'s body must compute its next state, "
                        + "but it gives back " + (t.value().equals(state) ? "its state unchanged" : "a value from outside it"));
                return null;
            }
            if (!t.value().sameShape(init)) {
                lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "a " + what() + "'s body must keep its state's shape, but it "
                        + "turns " + init.shapeText() + " into " + t.value().shapeText());
                return null;
            }
            next[0] = t.value();
            return gated() ? gate(t.value(), name, lowering) : haltingUnit(t.value(), name, lowering);
        });
        if (step == null) {
            return Val.ERR;
        }
        for (Op op : step.schedule()) {
            if (op instanceof Op.RegionOp r) {
                String inner = construct(r);
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(), (inner.equals("exit") ? "an " : "a ") + inner
                        + " inside a " + what() + " is not supported yet");
                return Val.ERR;
            }
        }
        List<Value> captured = captured(step, state);
        if (captured.contains(init)) {
            lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, span, "a " + what() + " whose body reads the value the loop "
                    + "starts from, besides its state, is not supported yet; start the loop from a state");
            return Val.ERR;
        }
        List<Value> arguments = new ArrayList<>();
        arguments.add(state);
        arguments.addAll(captured);
        Region region = new Region(arguments, step.ops(), List.of(next[0], step.result()));
        int bodyLength = step.ops().indexOf(step.ops().stream().filter(o -> o.out().equals(next[0])).findFirst().orElseThrow()) + 1;
        if (norms != LoopyBatchNorm.Mode.SHARED && !LoopyBatchNorm.anyBatchNorm(step.ops().subList(0, bodyLength))) {
            LoopyBatchNorm.noBatchNorm(normsSpan, lowering.diagnostics);
            return Val.ERR;
        }
        Value out = lowering.newValue(init.shape());
        // a pass with weights of its own has batchnorms of its own, as DRNN's per-pass batchnorm has them
        LoopyBatchNorm.Mode passNorms = ownWeights ? LoopyBatchNorm.Mode.PER_PASS : norms;
        Op op = new HaltingLoop(init, captured, region, out, index, cap, policy,
                LoopyBatchNorm.passNorms(region, bodyLength, cap, gated(), passNorms, lowering),
                ownWeights ? OwnWeights.passParams(region, bodyLength, cap, gated(), lowering) : List.of(), name, span);
        return lowering.add(op) ? new Val.Tensor(out) : Val.ERR;
    }

    static String construct(Op.RegionOp r) {
        if (r instanceof Op.Exit) {
            return "exit";
        }
        if (r instanceof FixedPoint) {
            return "fixed point";
        }
        if (r instanceof Ode) {
            return "continuous-depth layer (ode)";
        }
        if (r instanceof ShareUnit) {
            return "share";
        }
        if (r instanceof HaltingLoop l) {
            return l.policy() instanceof LoopPolicy.Gate ? "gated loop" : "halting loop";
        }
        return "gate";
    }

    private boolean gated() {
        return policy instanceof LoopPolicy.Gate;
    }

    private String what() {
        return gated() ? "gated loop" : "halting loop";
    }

    /** The gate after a pass: {@code gate}'s head on the pass's result and its decision z. */
    private Value gate(Value s, String name, Lowering lowering) {
        Value logits = GatedStage.head(gateOptions, policySpan, s, name + ".gate", lowering);
        if (logits == null) {
            return null;
        }
        Op.GateEstimator estimator = ((Val.Str) gateOptions.get("estimator")).value().equals("soft")
                ? Op.GateEstimator.SOFT : Op.GateEstimator.STRAIGHT_THROUGH;
        boolean sample = ((Val.Str) gateOptions.get("inference")).value().equals("sample");
        Value z = lowering.newValue(1);
        // not one of the network's gated blocks: a loop's gates are counted per pass boundary by the loop
        return lowering.add(new Op.GumbelGate(logits, z, -1, Args.numArg(gateOptions, "temperature"), estimator, sample,
                name + ".gate.decision", policySpan)) ? z : null;
    }

    /** The values the step reads from outside it, in the order it first reads them. */
    private static List<Value> captured(Region step, Value state) {
        Set<Value> inside = new HashSet<>(List.of(state));
        Set<Value> outside = new LinkedHashSet<>();
        for (Op op : step.schedule()) {
            for (Value v : op.inputs()) {
                if (!inside.contains(v)) {
                    outside.add(v);
                }
            }
            inside.add(op.out());
        }
        return List.copyOf(outside);
    }

    /** {@code h = sigmoid(w . s + b)}, from the global average of a map. */
    private Value haltingUnit(Value s, String name, Lowering lowering) {
        Value features = s;
        if (s.rank() == 3) {
            features = lowering.newValue(s.dim(0));
            if (!lowering.add(new Op.GlobalAvgPool(s, features, name + ".halt.pool", policySpan))) {
                return null;
            }
        }
        long c = features.dim(0);
        // Small weights and a zero bias: each step starts at h near 1/2, so samples halt after about two steps and
        // training can move them either way (a large positive bias would halt every sample at once).
        ParamDecl w = lowering.param(name + ".halt.weight", new long[] {c, 1}, ParamDecl.Init.NORMAL, c, 1, true,
                new double[] {0.01});
        ParamDecl b = lowering.param(name + ".halt.bias", new long[] {1}, ParamDecl.Init.ZEROS, c, 0, false);
        Value logit = lowering.newValue(1);
        if (!lowering.add(new Op.Dense(features, logit, w, b, name + ".halt.dense", policySpan))) {
            return null;
        }
        Value h = lowering.newValue(1);
        return lowering.add(new Op.Activation(Op.ActivationKind.SIGMOID, logit, h, name + ".halt.sigmoid", policySpan)) ? h : null;
    }

    @Override
    public String describe() {
        return gated() ? "'repeat upto ... gate'" : "'repeat upto ... halt'";
    }
}
