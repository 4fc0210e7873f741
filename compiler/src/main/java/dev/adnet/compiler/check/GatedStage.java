package dev.adnet.compiler.check;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.List;
import java.util.Map;

/**
 * {@code gate(options) residual F}: ConvNet-AIG's per-input execute or skip, {@code y = S(x) + z[n] * F(x)}.
 *
 * <p>Lowers to one {@link Op.GatedResidual} with three regions: the gate head (global average pool, dense to
 * {@code hidden}, batchnorm, relu, dense to two logits, a Gumbel-softmax decision), the body F, which reads nothing
 * but the block's input, and the shortcut. The self-contained body is what lets inference run F on the sub-batch of
 * open samples only.
 */
record GatedStage(Map<String, Val> options, Stages.Residual residual, Span span) implements Stage {

    static final List<Args.Param> PARAMS = List.of(
            new Args.Param("target", Args.Type.FLOAT, new Val.Num(0.6, false)),
            new Args.Param("hidden", Args.Type.INT, Val.Num.ofInt(16)),
            new Args.Param("estimator", Args.Type.STRING, new Val.Str("straight_through")),
            new Args.Param("temperature", Args.Type.FLOAT, new Val.Num(1.0, false)),
            new Args.Param("inference", Args.Type.STRING, new Val.Str("argmax")),
            new Args.Param("open_bias", Args.Type.FLOAT, new Val.Num(2.0, false)));

    /** Checks the options; reports and returns false when one is out of range. */
    static boolean validate(Map<String, Val> o, Span span, dev.adnet.compiler.diag.Diagnostics diag) {
        boolean ok = true;
        double target = Args.numArg(o, "target");
        if (!(target >= 0 && target <= 1)) {
            diag.error(Code.INVALID_VALUE, span, "a gate's target is an execution rate in [0, 1], not " + Args.numArg(o, "target"));
            ok = false;
        }
        if (Args.intArg(o, "hidden") < 1) {
            diag.error(Code.INVALID_VALUE, span, "a gate's hidden size must be positive, not " + Args.intArg(o, "hidden"));
            ok = false;
        }
        if (!(Args.numArg(o, "temperature") > 0)) {
            diag.error(Code.INVALID_VALUE, span, "a gate's temperature must be positive, not " + Args.numArg(o, "temperature"));
            ok = false;
        }
        String est = ((Val.Str) o.get("estimator")).value();
        if (!est.equals("straight_through") && !est.equals("soft")) {
            diag.error(Code.INVALID_VALUE, span, "estimator is \"straight_through\" or \"soft\", not \"" + est + "\"");
            ok = false;
        }
        String inf = ((Val.Str) o.get("inference")).value();
        if (!inf.equals("argmax") && !inf.equals("sample")) {
            diag.error(Code.INVALID_VALUE, span, "inference is \"argmax\" or \"sample\", not \"" + inf + "\"");
            ok = false;
        }
        return ok;
    }

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        Value x = inputs.get(0).value();
        if (x.rank() != 3 && x.rank() != 1) {
            lowering.diagnostics.error(Code.RANK_MISMATCH, span, "a gate decides from a [channels, height, width] or [features] "
                    + "input, not " + x.shapeText());
            return Val.ERR;
        }
        String name = lowering.instanceName(scope, "gate");
        int gateIndex = lowering.nextGateIndex();
        Op.GateEstimator estimator = ((Val.Str) options.get("estimator")).value().equals("soft")
                ? Op.GateEstimator.SOFT : Op.GateEstimator.STRAIGHT_THROUGH;
        boolean sample = ((Val.Str) options.get("inference")).value().equals("sample");
        Region head = lowering.region(List.of(x), () -> {
            Value logits = head(options, span, x, name, lowering);
            Value z = lowering.newValue(1);
            return logits != null && lowering.add(new Op.GumbelGate(logits, z, gateIndex, Args.numArg(options, "temperature"),
                    estimator, sample, name + ".decision", span)) ? z : null;
        });
        if (head == null) {
            return Val.ERR;
        }
        Region body = lowering.region(List.of(x), () -> tensor(residual.body().apply(inputs, lowering, name + ".body", at)));
        if (body == null) {
            return Val.ERR;
        }
        if (body.ops().isEmpty()) {
            lowering.diagnostics.error(Code.INVALID_VALUE, residual.span(), "a gated block must compute something: its body is empty");
            return Val.ERR;
        }
        for (Op op : body.schedule()) {
            if (op instanceof Op.RegionOp r) {
                String what = HaltingStage.construct(r);
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(),
                        (what.equals("exit") ? "an " : "a ") + what + " inside a gated block is not supported yet");
                return Val.ERR;
            }
        }
        if (!lowering.readsOnly(body, "a gated block may read only its own input")) {
            return Val.ERR;
        }
        Region shortcut = lowering.region(List.of(x), () -> residual.shortcut() == null ? x
                : tensor(residual.shortcut().apply(inputs, lowering, name + ".shortcut", at)));
        if (shortcut == null) {
            return Val.ERR;
        }
        Value f = body.result();
        Value s = shortcut.result();
        if (!f.sameShape(s)) {
            lowering.diagnostics.error(Code.SHAPE_MISMATCH, residual.span(), "a gated block must keep its input's shape or "
                    + "declare a shortcut that matches: the body gives " + f.shapeText() + " but "
                    + (residual.shortcut() == null ? "the input is " : "the shortcut gives ") + s.shapeText());
            return Val.ERR;
        }
        Value out = lowering.newValue(f.shape());
        Op op = new Op.GatedResidual(x, head, body, shortcut, out, gateIndex, Args.numArg(options, "target"), name, span);
        return lowering.add(op) ? new Val.Tensor(out) : Val.ERR;
    }

    private static Value tensor(Val v) {
        return v instanceof Val.Tensor t ? t.value() : null;
    }

    /**
     * Global average pool (for maps), dense to hidden, batchnorm, relu, dense to the two logits [skip, execute]; also
     * the head of a gated loop's gate ({@link HaltingStage}).
     */
    static Value head(Map<String, Val> options, Span span, Value x, String name, Lowering lowering) {
        Value pooled = x;
        if (x.rank() == 3) {
            pooled = lowering.newValue(x.dim(0));
            if (!lowering.add(new Op.GlobalAvgPool(x, pooled, name + ".pool", span))) {
                return null;
            }
        }
        long c = pooled.dim(0);
        long hidden = Args.intArg(options, "hidden");
        ParamDecl w1 = lowering.param(name + ".dense1.weight", new long[] {c, hidden}, ParamDecl.Init.HE_NORMAL, c, hidden, true);
        ParamDecl b1 = lowering.param(name + ".dense1.bias", new long[] {hidden}, ParamDecl.Init.ZEROS, c, 0, false);
        Value h = lowering.newValue(hidden);
        if (!lowering.add(new Op.Dense(pooled, h, w1, b1, name + ".dense1", span))) {
            return null; // reported: the head is too large (a huge hidden size), or the network has too many ops
        }
        ParamDecl gamma = lowering.param(name + ".batchnorm.gamma", new long[] {hidden}, ParamDecl.Init.ONES, hidden, hidden, false);
        ParamDecl beta = lowering.param(name + ".batchnorm.beta", new long[] {hidden}, ParamDecl.Init.ZEROS, hidden, hidden, false);
        Value hn = lowering.newValue(hidden);
        if (!lowering.add(new Op.BatchNorm(h, hn, gamma, beta, lowering.buffer(name + ".batchnorm.running_mean", hidden, 0.0),
                lowering.buffer(name + ".batchnorm.running_var", hidden, 1.0), 0.1, 1e-5, name + ".batchnorm", span))) {
            return null;
        }
        Value hr = lowering.newValue(hidden);
        if (!lowering.add(new Op.Activation(Op.ActivationKind.RELU, hn, hr, name + ".relu", span))) {
            return null;
        }
        // ConvNet-AIG: last weights ~ N(0, 0.001), last bias [0.1, open_bias], so about 85% of gates start open.
        ParamDecl w2 = lowering.param(name + ".dense2.weight", new long[] {hidden, 2}, ParamDecl.Init.NORMAL, hidden, 2, true,
                new double[] {0.001});
        ParamDecl b2 = lowering.param(name + ".dense2.bias", new long[] {2}, ParamDecl.Init.VALUES, hidden, 0, false,
                new double[] {0.1, Args.numArg(options, "open_bias")});
        Value logits = lowering.newValue(2);
        return lowering.add(new Op.Dense(hr, logits, w2, b2, name + ".dense2", span)) ? logits : null;
    }

    @Override
    public String describe() {
        return "'gate'";
    }
}
