package dev.adnet.compiler.check;

import static dev.adnet.compiler.check.Args.Type.BOOL;
import static dev.adnet.compiler.check.Args.Type.FLOAT;
import static dev.adnet.compiler.check.Args.Type.INT;
import static dev.adnet.compiler.check.Args.Type.INT_OR_STRING;

import dev.adnet.compiler.check.LayerSpec.LayerCall;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.BufferDecl;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The built-in layers and their shape rules. */
final class Layers {
    /** Names reserved for layers whose semantics are not implemented yet. */
    static final Set<String> RESERVED = Set.of("groupnorm");

    private static final Map<String, LayerSpec> TABLE = new LinkedHashMap<>();

    static {
        add("conv", List.of(req("channels", INT), req("kernel", INT), opt("stride", INT, 1), opt("padding", INT_OR_STRING, "same"),
                opt("dilation", INT, 1), opt("groups", INT, 1), opt("bias", BOOL, true)), 1, Layers::conv);
        add("dense", List.of(req("units", INT), opt("bias", BOOL, true)), 1, Layers::dense);
        add("batchnorm", List.of(opt("momentum", FLOAT, 0.1), opt("eps", FLOAT, 1e-5)), 1, Layers::batchnorm);
        add("layernorm", List.of(opt("eps", FLOAT, 1e-5)), 1, Layers::layernorm);
        for (Op.ActivationKind k : Op.ActivationKind.values()) {
            add(k.name().toLowerCase(java.util.Locale.ROOT), List.of(), 1, c -> activation(c, k));
        }
        add("max_pool", List.of(req("kernel", INT), opt("stride", INT, 0), opt("padding", INT, 0)), 1, c -> pool(c, Op.PoolKind.MAX));
        add("avg_pool", List.of(req("kernel", INT), opt("stride", INT, 0), opt("padding", INT, 0)), 1, c -> pool(c, Op.PoolKind.AVG));
        add("global_avg_pool", List.of(), 1, Layers::globalAvgPool);
        add("flatten", List.of(), 1, Layers::flatten);
        add("dropout", List.of(req("rate", FLOAT)), 1, Layers::dropout);
        add("concat", List.of(), -1, Layers::concat);
        add("projection", List.of(req("channels", INT), opt("stride", INT, 1)), 1, Layers::projection);
    }

    private Layers() {}

    static LayerSpec get(String name) {
        return TABLE.get(name);
    }

    static Set<String> names() {
        return TABLE.keySet();
    }

    private static void add(String name, List<Args.Param> params, int arity, LayerSpec.Lowerer lowerer) {
        TABLE.put(name, new LayerSpec(name, params, arity, lowerer));
    }

    private static Args.Param req(String name, Args.Type type) {
        return new Args.Param(name, type, null);
    }

    private static Args.Param opt(String name, Args.Type type, Object def) {
        Val v;
        if (def instanceof Integer i) {
            v = Val.Num.ofInt(i);
        } else if (def instanceof Double d) {
            v = new Val.Num(d, false);
        } else if (def instanceof Boolean b) {
            v = new Val.Bool(b);
        } else {
            v = new Val.Str((String) def);
        }
        return new Args.Param(name, type, v);
    }

    // ------------------------------------------------------------------------------------------ checks

    private static boolean rank(LayerCall c, Value in, String expected, int... ranks) {
        for (int r : ranks) {
            if (in.rank() == r) {
                return true;
            }
        }
        c.lowering().diagnostics.error(Code.RANK_MISMATCH, c.configSpan(), "'" + c.spec().name() + "' expects " + expected
                + " input but gets " + in.shapeText() + (c.spec().name().equals("dense") && in.rank() > 1 ? "; flatten or pool it first" : ""));
        return false;
    }

    private static boolean positive(LayerCall c, String arg) {
        long v = Args.intArg(c.args(), arg);
        if (v <= 0) {
            c.lowering().diagnostics.error(Code.INVALID_VALUE, c.configSpan(), "'" + arg + "' of '" + c.spec().name()
                    + "' must be positive, not " + v);
            return false;
        }
        return true;
    }

    /**
     * A positive kernel size, stride, dilation or group count. The runtime's convolution and pooling geometry is in
     * {@code int}s, so a larger one would be cut to a different number.
     */
    private static boolean positiveInt(LayerCall c, String arg) {
        return positive(c, arg) && atMostInt(c, arg, Args.intArg(c.args(), arg));
    }

    private static boolean atMostInt(LayerCall c, String arg, long v) {
        if (v > Integer.MAX_VALUE) {
            c.lowering().diagnostics.error(Code.INVALID_VALUE, c.configSpan(), "'" + arg + "' of '" + c.spec().name()
                    + "' must be at most " + Integer.MAX_VALUE + ", not " + v);
            return false;
        }
        return true;
    }

    private static Val err(LayerCall c, Code code, String message) {
        c.lowering().diagnostics.error(code, c.configSpan(), message);
        return Val.ERR;
    }

    private static Val emit(LayerCall c, Op op) {
        return c.lowering().add(op) ? new Val.Tensor(op.out()) : Val.ERR;
    }

    // ------------------------------------------------------------------------------------------ layers

    private static Val conv(LayerCall c) {
        Value in = c.input().value();
        boolean ok = rank(c, in, "a [channels, height, width]", 3);
        ok &= positive(c, "channels") & positiveInt(c, "kernel") & positiveInt(c, "stride") & positiveInt(c, "dilation")
                & positiveInt(c, "groups");
        if (!ok) {
            return Val.ERR;
        }
        long outC = Args.intArg(c.args(), "channels");
        int k = (int) Args.intArg(c.args(), "kernel");
        int s = (int) Args.intArg(c.args(), "stride");
        int d = (int) Args.intArg(c.args(), "dilation");
        int groups = (int) Args.intArg(c.args(), "groups");
        long inC = in.dim(0);
        if (inC % groups != 0 || outC % groups != 0) {
            return err(c, Code.INVALID_VALUE, "groups = " + groups + " must divide both the input channels (" + inC
                    + ") and the output channels (" + outC + ")");
        }
        Integer pad = padding(c, k, d);
        if (pad == null) {
            return Val.ERR;
        }
        long h = convOut(in.dim(1), k, s, pad, d);
        long w = convOut(in.dim(2), k, s, pad, d);
        if (h < 1 || w < 1) {
            return err(c, Code.INPUT_TOO_SMALL, "a " + k + "x" + k + " kernel (dilation " + d + ") does not fit the input "
                    + in.shapeText());
        }
        String name = c.lowering().instanceName(c.scope(), "conv");
        long[] weightShape = {outC, inC / groups, k, k};
        if (!c.lowering().fitsParam(c.configSpan(), "conv '" + name + "'", name + ".weight", weightShape)) {
            return Val.ERR;
        }
        long fanIn = inC / groups * k * k; // exact: fan-in and fan-out are at most the weight's element count
        ParamDecl weight = c.lowering().param(name + ".weight", weightShape, ParamDecl.Init.HE_NORMAL,
                fanIn, outC / groups * k * k, true);
        ParamDecl bias = Args.boolArg(c.args(), "bias")
                ? c.lowering().param(name + ".bias", new long[] {outC}, ParamDecl.Init.ZEROS, fanIn, 0, false) : null;
        Value out = c.lowering().newValue(outC, h, w);
        return emit(c, new Op.Conv2d(in, out, weight, bias, k, k, s, s, pad, pad, d, d, groups, name, c.configSpan()));
    }

    private static Integer padding(LayerCall c, int k, int d) {
        Val p = c.args().get("padding");
        if (p instanceof Val.Str str) {
            switch (str.value()) {
                case "same" -> {
                    if (k % 2 == 0) {
                        err(c, Code.INVALID_VALUE, "padding = \"same\" needs an odd kernel, not " + k + "; give the padding as a number");
                        return null;
                    }
                    long same = (long) d * (k - 1) / 2;
                    if (same > Integer.MAX_VALUE) {
                        err(c, Code.INVALID_VALUE, "padding = \"same\" would pad by " + same + " (dilation " + d + " times (kernel "
                                + k + " - 1) / 2), more than " + Integer.MAX_VALUE);
                        return null;
                    }
                    return (int) same;
                }
                case "valid" -> {
                    return 0;
                }
                default -> {
                    err(c, Code.INVALID_VALUE, "padding must be \"same\", \"valid\" or a number, not \"" + str.value() + "\"");
                    return null;
                }
            }
        }
        long v = ((Val.Num) p).asLong();
        if (v < 0) {
            err(c, Code.INVALID_VALUE, "padding must not be negative, not " + v);
            return null;
        }
        return atMostInt(c, "padding", v) ? (Integer) (int) v : null;
    }

    static long convOut(long size, int k, int s, int p, int d) {
        return Math.floorDiv(size + 2L * p - (long) d * (k - 1) - 1, s) + 1;
    }

    private static Val dense(LayerCall c) {
        Value in = c.input().value();
        if (!rank(c, in, "a vector [features]", 1) | !positive(c, "units")) {
            return Val.ERR;
        }
        long units = Args.intArg(c.args(), "units");
        String name = c.lowering().instanceName(c.scope(), "dense");
        ParamDecl weight = c.lowering().param(name + ".weight", new long[] {in.dim(0), units}, ParamDecl.Init.HE_NORMAL,
                in.dim(0), units, true);
        ParamDecl bias = Args.boolArg(c.args(), "bias")
                ? c.lowering().param(name + ".bias", new long[] {units}, ParamDecl.Init.ZEROS, in.dim(0), 0, false) : null;
        return emit(c, new Op.Dense(in, c.lowering().newValue(units), weight, bias, name, c.configSpan()));
    }

    private static boolean unitInterval(LayerCall c, String arg, double v, boolean closedTop) {
        if (v < 0 || v > 1 || !closedTop && v == 1 || Double.isNaN(v)) {
            c.lowering().diagnostics.error(Code.INVALID_VALUE, c.configSpan(), "'" + arg + "' of '" + c.spec().name()
                    + "' must be in [0, 1" + (closedTop ? "]" : ")") + ", not " + v);
            return false;
        }
        return true;
    }

    private static boolean positiveNumber(LayerCall c, String arg) {
        double v = Args.numArg(c.args(), arg);
        if (!(v > 0)) {
            c.lowering().diagnostics.error(Code.INVALID_VALUE, c.configSpan(), "'" + arg + "' of '" + c.spec().name()
                    + "' must be positive, not " + v);
            return false;
        }
        return true;
    }

    private static Val batchnorm(LayerCall c) {
        Value in = c.input().value();
        double momentum = Args.numArg(c.args(), "momentum");
        if (!rank(c, in, "a [channels] or [channels, height, width]", 1, 3) | !unitInterval(c, "momentum", momentum, true)
                | !positiveNumber(c, "eps")) {
            return Val.ERR;
        }
        long ch = in.dim(0);
        String name = c.lowering().instanceName(c.scope(), "batchnorm");
        // in a replayed pass of shared(batchnorm = ...), the pass's own statistics (and gamma, beta)
        LoopyBatchNorm.Mode own = c.lowering().passNorm();
        Lowering l = c.lowering();
        ParamDecl gamma = own == LoopyBatchNorm.Mode.PER_PASS ? l.ownParam(name + ".gamma", new long[] {ch}, ParamDecl.Init.ONES, ch, ch, false)
                : l.param(name + ".gamma", new long[] {ch}, ParamDecl.Init.ONES, ch, ch, false);
        ParamDecl beta = own == LoopyBatchNorm.Mode.PER_PASS ? l.ownParam(name + ".beta", new long[] {ch}, ParamDecl.Init.ZEROS, ch, ch, false)
                : l.param(name + ".beta", new long[] {ch}, ParamDecl.Init.ZEROS, ch, ch, false);
        boolean ownStatistics = own != LoopyBatchNorm.Mode.SHARED;
        BufferDecl mean = ownStatistics ? l.ownBuffer(name + ".running_mean", ch, 0.0) : l.buffer(name + ".running_mean", ch, 0.0);
        BufferDecl var = ownStatistics ? l.ownBuffer(name + ".running_var", ch, 1.0) : l.buffer(name + ".running_var", ch, 1.0);
        return emit(c, new Op.BatchNorm(in, c.lowering().newValue(in.shape()), gamma, beta, mean, var, momentum,
                Args.numArg(c.args(), "eps"), name, c.configSpan()));
    }

    private static Val layernorm(LayerCall c) {
        Value in = c.input().value();
        if (in.rank() < 1) {
            return err(c, Code.RANK_MISMATCH, "'layernorm' needs at least one dimension to normalise");
        }
        if (!positiveNumber(c, "eps")) {
            return Val.ERR;
        }
        long f = in.dim(in.rank() - 1);
        String name = c.lowering().instanceName(c.scope(), "layernorm");
        ParamDecl gamma = c.lowering().param(name + ".gamma", new long[] {f}, ParamDecl.Init.ONES, f, f, false);
        ParamDecl beta = c.lowering().param(name + ".beta", new long[] {f}, ParamDecl.Init.ZEROS, f, f, false);
        return emit(c, new Op.LayerNorm(in, c.lowering().newValue(in.shape()), gamma, beta, Args.numArg(c.args(), "eps"), name,
                c.configSpan()));
    }

    private static Val activation(LayerCall c, Op.ActivationKind kind) {
        Value in = c.input().value();
        String name = c.lowering().instanceName(c.scope(), c.spec().name());
        return emit(c, new Op.Activation(kind, in, c.lowering().newValue(in.shape()), name, c.configSpan()));
    }

    private static Val pool(LayerCall c, Op.PoolKind kind) {
        Value in = c.input().value();
        if (!rank(c, in, "a [channels, height, width]", 3) | !positiveInt(c, "kernel")) {
            return Val.ERR;
        }
        int k = (int) Args.intArg(c.args(), "kernel");
        long stride = Args.intArg(c.args(), "stride");
        long padding = Args.intArg(c.args(), "padding");
        if (stride < 0 || padding < 0 || padding > k / 2) {
            return err(c, Code.INVALID_VALUE, "pooling needs stride > 0 and 0 <= padding <= kernel / 2");
        }
        if (!atMostInt(c, "stride", stride)) {
            return Val.ERR;
        }
        int s = stride == 0 ? k : (int) stride;
        int p = (int) padding;
        long h = convOut(in.dim(1), k, s, p, 1);
        long w = convOut(in.dim(2), k, s, p, 1);
        if (h < 1 || w < 1) {
            return err(c, Code.INPUT_TOO_SMALL, "a " + k + "x" + k + " pooling window does not fit the input " + in.shapeText());
        }
        String name = c.lowering().instanceName(c.scope(), c.spec().name());
        return emit(c, new Op.Pool2d(kind, in, c.lowering().newValue(in.dim(0), h, w), k, k, s, s, p, p, name, c.configSpan()));
    }

    private static Val globalAvgPool(LayerCall c) {
        Value in = c.input().value();
        if (!rank(c, in, "a [channels, height, width]", 3)) {
            return Val.ERR;
        }
        String name = c.lowering().instanceName(c.scope(), "global_avg_pool");
        return emit(c, new Op.GlobalAvgPool(in, c.lowering().newValue(in.dim(0)), name, c.configSpan()));
    }

    private static Val flatten(LayerCall c) {
        Value in = c.input().value();
        String name = c.lowering().instanceName(c.scope(), "flatten");
        return emit(c, new Op.Flatten(in, c.lowering().newValue(in.size()), name, c.configSpan()));
    }

    private static Val dropout(LayerCall c) {
        Value in = c.input().value();
        double rate = Args.numArg(c.args(), "rate");
        if (!unitInterval(c, "rate", rate, false)) {
            return Val.ERR;
        }
        String name = c.lowering().instanceName(c.scope(), "dropout");
        return emit(c, new Op.Dropout(in, c.lowering().newValue(in.shape()), rate, name, c.configSpan()));
    }

    private static Val concat(LayerCall c) {
        List<Value> ins = c.inputs().stream().map(Val.Tensor::value).toList();
        Value first = ins.get(0);
        long channels = 0;
        for (Value v : ins) {
            boolean rest = v.rank() == first.rank();
            for (int i = 1; rest && i < v.rank(); i++) {
                rest = v.dim(i) == first.dim(i);
            }
            if (!rest || v.rank() == 0) {
                return err(c, Code.SHAPE_MISMATCH, "'concat' joins along the first dimension, so the others must agree: "
                        + String.join(", ", ins.stream().map(Value::shapeText).toList()));
            }
            channels = Math.addExact(channels, v.dim(0)); // each within the limit: cannot overflow in practice
        }
        long[] shape = first.shape();
        shape[0] = channels;
        String name = c.lowering().instanceName(c.scope(), "concat");
        return emit(c, new Op.Concat(ins, c.lowering().newValue(shape), name, c.configSpan()));
    }

    /** The usual residual shortcut: a 1x1 convolution without bias, then batchnorm. */
    private static Val projection(LayerCall c) {
        Map<String, Val> convArgs = new LinkedHashMap<>(Map.of("channels", c.args().get("channels"), "kernel", Val.Num.ofInt(1),
                "stride", c.args().get("stride"), "padding", Val.Num.ofInt(0), "dilation", Val.Num.ofInt(1),
                "groups", Val.Num.ofInt(1), "bias", new Val.Bool(false)));
        String scope = c.lowering().instanceName(c.scope(), "projection");
        Val conv = conv(new LayerCall(get("conv"), convArgs, c.inputs(), c.lowering(), scope, c.configSpan(), c.at()));
        if (!(conv instanceof Val.Tensor t)) {
            return Val.ERR;
        }
        Map<String, Val> bnArgs = Map.of("momentum", new Val.Num(0.1, false), "eps", new Val.Num(1e-5, false));
        return batchnorm(new LayerCall(get("batchnorm"), bnArgs, List.of(t), c.lowering(), scope, c.configSpan(), c.at()));
    }
}
