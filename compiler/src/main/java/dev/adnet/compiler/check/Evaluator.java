package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.LoopPolicy;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates expressions at compile time: numbers and lists are computed, stages are built, and applying a stage
 * to a tensor lowers it into the current {@link Lowering}.
 */
final class Evaluator {
    private final Diagnostics diagnostics;
    private final Map<BlockDecl, Blocks> homes;
    private Lowering lowering;
    /** Network values assigned later than the current statement, for "used before it is assigned". */
    private Map<String, Span> assignedLater = Map.of();
    private final Facts facts;

    /** {@code facts} records what each binding holds, for editors; null when nobody asks. */
    Evaluator(Diagnostics diagnostics, Map<BlockDecl, Blocks> homes, Facts facts) {
        this.diagnostics = diagnostics;
        this.homes = homes;
        this.facts = facts;
    }

    void begin(Lowering l) {
        this.lowering = l;
    }

    void assignedLater(Map<String, Span> later) {
        this.assignedLater = later;
    }

    /** The network's declared tasks, in order: what a share learns a policy for. */
    private java.util.List<String> tasks = java.util.List.of();
    /** The task whose assignment is being evaluated, or null: which tensor a share's value stands for there. */
    private String task;

    void tasks(java.util.List<String> declared) {
        this.tasks = java.util.List.copyOf(declared);
    }

    java.util.List<String> tasks() {
        return tasks;
    }

    void task(String current) {
        this.task = current;
    }

    /** The share the assignment being evaluated ends with, or null: the one place a share may stand. */
    private Expr.Share topShare;

    void topShare(Expr.Share share) {
        this.topShare = share;
    }

    /** The tensor a share's value {@code p} stands for where {@code n} reads it: the current task's; an error elsewhere. */
    private Val taskTensor(Val.PerTask p, Expr.Name n) {
        if (task != null && p.byTask().containsKey(task)) {
            return new Val.Tensor(p.byTask().get(task));
        }
        diagnostics.error(Code.INVALID_VALUE, n.span(), "'" + n.name() + "' depends on the task (a share or a branch computes it "
                + "per task): read it only where a task is assigned, e.g. " + p.byTask().keySet().iterator().next() + " = "
                + n.name() + " -> ...");
        return Val.ERR;
    }

    Val eval(Expr e, Env env, String scope) {
        if (e instanceof Expr.IntLit i) {
            return Val.Num.ofInt(i.value());
        } else if (e instanceof Expr.FloatLit f) {
            return new Val.Num(f.value(), false);
        } else if (e instanceof Expr.StringLit s) {
            return new Val.Str(s.value());
        } else if (e instanceof Expr.BoolLit b) {
            return new Val.Bool(b.value());
        } else if (e instanceof Expr.ListLit l) {
            return new Val.ListV(l.items().stream().map(x -> eval(x, env, scope)).toList());
        } else if (e instanceof Expr.Name n) {
            return name(n, env, false);
        } else if (e instanceof Expr.Apply a) {
            return apply(a, env, scope);
        } else if (e instanceof Expr.Pipe p) {
            return pipe(p, env, scope);
        } else if (e instanceof Expr.Negate n) {
            return negate(n, env, scope);
        } else if (e instanceof Expr.Binary b) {
            return binary(b, env, scope);
        } else if (e instanceof Expr.Group g) {
            return new Val.StageV(new Stages.Group(g.body(), env, g.span()));
        } else if (e instanceof Expr.Residual r) {
            return residual(r, env, scope);
        } else if (e instanceof Expr.Gate g) {
            return gate(g, env, scope);
        } else if (e instanceof Expr.Repeat r) {
            return repeat(r, env, scope);
        } else if (e instanceof Expr.FixedPoint f) {
            return FixedPointStage.of(f, env, this, diagnostics);
        } else if (e instanceof Expr.Ode o) {
            return OdeStage.of(o, env, this, diagnostics);
        } else if (e instanceof Expr.Exit x) {
            return exit(x, env, scope);
        } else if (e instanceof Expr.Share s) {
            if (s != topShare) {
                diagnostics.error(Code.INVALID_VALUE, s.span(), "a share is the last stage of a network value's assignment, "
                        + "e.g. features = trunk -> share adashare(...) { ... }: what it computes depends on the task");
                return Val.ERR;
            }
            return ShareStage.of(s, env, this, diagnostics);
        }
        return BranchStage.of((Expr.Branch) e, env, this, diagnostics, tasks);
    }

    /** The stage {@code e} evaluates to in {@code env}; null after reporting. */
    Stage stageIn(Expr e, Env env) {
        return stageOf(e, env, "");
    }

    private static Val unsupported(String construct, Stage inner, Span span) {
        return new Val.StageV(new Stages.Unsupported(construct, inner, span));
    }

    private Stage stageOf(Expr e, Env env, String scope) {
        Val v = asStage(eval(e, env, scope), e.span());
        return v instanceof Val.StageV s ? s.stage() : null;
    }

    // ------------------------------------------------------------------------------------------ names

    /** A name; {@code stagePosition} when it is called or piped into, where it must be a layer or block. */
    private Val name(Expr.Name n, Env env, boolean stagePosition) {
        Env.Binding b = env.lookup(n.name());
        if (b != null) {
            return b.value() instanceof Val.PerTask p ? taskTensor(p, n) : b.value();
        }
        BlockDecl block = env.blocks.get(n.name());
        if (block != null) {
            return new Val.Callable(n.name(), null, block, n.span());
        }
        LayerSpec layer = Layers.get(n.name());
        if (layer != null) {
            return new Val.Callable(n.name(), layer, null, n.span());
        }
        if (Layers.RESERVED.contains(n.name())) {
            diagnostics.error(Code.NOT_SUPPORTED_YET, n.span(), "layer '" + n.name() + "' is not supported yet");
            return Val.ERR;
        }
        Span later = assignedLater.get(n.name());
        if (later != null) {
            diagnostics.error(Code.UNKNOWN_NAME, n.span(), "'" + n.name() + "' is used before it is assigned (at line "
                    + later.line() + ")");
            return Val.ERR;
        }
        Set<String> candidates = new LinkedHashSet<>(env.visibleNames());
        candidates.addAll(Layers.names());
        env.blocks.allNames().forEach(candidates::add);
        if (stagePosition) {
            diagnostics.error(Code.UNKNOWN_LAYER, n.span(), "unknown layer or block '" + n.name() + "'"
                    + Suggest.suffix(n.name(), candidates));
        } else {
            diagnostics.error(Code.UNKNOWN_NAME, n.span(), "unknown name '" + n.name() + "'" + Suggest.suffix(n.name(), candidates));
        }
        return Val.ERR;
    }

    // ------------------------------------------------------------------------------------------ application

    private Val apply(Expr.Apply a, Env env, String scope) {
        Val callee = a.callee() instanceof Expr.Name n ? name(n, env, true) : eval(a.callee(), env, scope);
        List<Args.Evaluated> args = new ArrayList<>();
        for (Arg arg : a.args()) {
            args.add(new Args.Evaluated(arg, eval(arg.value(), env, scope)));
        }
        if (callee instanceof Val.Err || args.stream().anyMatch(x -> x.value() instanceof Val.Err)) {
            return Val.ERR;
        }
        List<Val.Tensor> tensors = args.stream().filter(x -> !x.arg().named() && x.value() instanceof Val.Tensor)
                .map(x -> (Val.Tensor) x.value()).toList();
        List<Args.Evaluated> config = args.stream().filter(x -> x.arg().named() || !(x.value() instanceof Val.Tensor)).toList();
        if (callee instanceof Val.Callable c) {
                if (!tensors.isEmpty() && config.stream().anyMatch(x -> !x.arg().named())) {
                    diagnostics.error(Code.TYPE_MISMATCH, a.span(), "'" + c.name() + "' is given tensors and configuration "
                            + "together; configure it first, then apply it: " + c.name() + "(...)(x)");
                    return Val.ERR;
                }
                Val stage = configure(c, config, a.span(), env, scope);
                if (tensors.isEmpty() || !(stage instanceof Val.StageV s)) {
                    return stage;
                }
                return applyStage(s.stage(), tensors, scope, a.span());
        } else if (callee instanceof Val.StageV s) {
                if (!config.isEmpty()) {
                    Args.Evaluated bad = config.get(0);
                    diagnostics.error(Code.NOT_A_TENSOR, bad.arg().span(), "a configured stage is applied to tensors, but this is "
                            + Val.describe(bad.value()));
                    return Val.ERR;
                }
                return applyStage(s.stage(), tensors, scope, a.span());
        }
        diagnostics.error(Code.NOT_A_STAGE, a.callee().span(), Val.describe(callee) + " cannot be called");
        return Val.ERR;
    }

    Val applyStage(Stage s, List<Val.Tensor> inputs, String scope, Span at) {
        if (lowering == null) {
            diagnostics.error(Code.NOT_A_TENSOR, at, "tensors exist only inside a network");
            return Val.ERR;
        }
        return s.apply(inputs, lowering, scope, at);
    }

    /** A layer or block named without arguments, used as a stage: {@code -> relu}, {@code -> Basic}. */
    Val asStage(Val v, Span span) {
        if (v instanceof Val.StageV || v instanceof Val.Err) {
            return v;
        } else if (v instanceof Val.Callable c) {
            return configure(c, List.of(), span, null, "");
        }
        diagnostics.error(Code.NOT_A_STAGE, span, "expected a stage (a layer, a block or a group), but this is "
                + Val.describe(v));
        return Val.ERR;
    }

    private Val configure(Val.Callable c, List<Args.Evaluated> args, Span span, Env env, String scope) {
        if (c.layer() != null) {
            Map<String, Val> bound = Args.bind(c.name(), c.layer().params(), args, span, diagnostics);
            return bound == null ? Val.ERR : new Val.StageV(new Stages.LayerStage(c.layer(), bound, span));
        }
        return configureBlock(c.block(), args, span);
    }

    private Val configureBlock(BlockDecl decl, List<Args.Evaluated> args, Span span) {
        List<Args.Param> params = new ArrayList<>();
        for (BlockDecl.Param p : decl.params()) {
            params.add(new Args.Param(p.name().name(), BlockRules.type(p.type()), p.defaultValue() == null ? null : Val.ERR));
        }
        Map<String, Val> bound = Args.bind(decl.name().name(), params, args, span, diagnostics);
        if (bound == null) {
            return Val.ERR;
        }
        Env env = new Env(null, homes.get(decl), facts);
        for (BlockDecl.Param p : decl.params()) {
            Val v = bound.get(p.name().name());
            if (v == Val.ERR) {
                // a default, evaluated with the parameters before it in scope
                v = eval(p.defaultValue(), env, "");
                Args.Type type = BlockRules.type(p.type());
                if (!(v instanceof Val.Err) && !type.accepts(v)) {
                    diagnostics.error(Code.TYPE_MISMATCH, p.defaultValue().span(), "default of '" + p.name().name() + "' must be "
                            + type.description + ", not " + Val.describe(v));
                    return Val.ERR;
                }
            }
            env.bind(p.name().name(), v, p.name().span());
        }
        return new Val.StageV(new Stages.BlockStage(decl, env, span));
    }

    /**
     * Applies a body to tensors. A body without input names is a chain: each bare expression is a stage applied to
     * the running value. A body with input names binds them and ends with the tensor it computes.
     */
    Val applyBody(Body body, Env outer, String scope, List<Val.Tensor> inputs, Span at) {
        Env env = outer.child();
        boolean chain = body.inputs().isEmpty();
        int expected = chain ? 1 : body.inputs().size();
        if (inputs.size() != expected) {
            diagnostics.error(Code.WRONG_INPUT_COUNT, at, "this body takes " + (expected == 1 ? "one tensor" : expected + " tensors")
                    + " but is given " + inputs.size());
            return Val.ERR;
        }
        for (int i = 0; i < body.inputs().size(); i++) {
            env.bind(body.inputs().get(i).name(), inputs.get(i), body.inputs().get(i).span());
        }
        Val current = chain ? inputs.get(0) : null;
        Body.Eval last = null;
        for (Body.Statement st : body.statements()) {
            if (st instanceof Body.Bind b) {
                    Env.Binding prior = env.local(b.name().name());
                    if (prior != null) {
                        diagnostics.error(Code.DUPLICATE_NAME, b.name().span(), "'" + b.name().name() + "' is already defined at line "
                                + prior.declared().line());
                    }
                    env.bind(b.name().name(), eval(b.value(), env, scope), b.name().span());
            } else {
                    Body.Eval e = (Body.Eval) st;
                    Val v = chain && e.value() instanceof Expr.Name n ? name(n, env, true) : eval(e.value(), env, scope);
                    if (chain) {
                        if (v instanceof Val.Tensor) {
                            diagnostics.error(Code.NOT_A_STAGE, e.span(), "expected a stage in this chain, but this is "
                                    + Val.describe(v) + "; a body that computes from named inputs starts with 'x =>'");
                            current = Val.ERR;
                        } else if (current instanceof Val.Tensor t && asStage(v, e.span()) instanceof Val.StageV s) {
                            current = applyStage(s.stage(), List.of(t), scope, e.span());
                        } else {
                            current = Val.ERR;
                        }
                    } else {
                        if (last != null && !(current instanceof Val.Err)) {
                            diagnostics.error(Code.MISPLACED_STATEMENT, last.span(), "this value is computed but never used; "
                                    + "bind it with 'name = ...'");
                        }
                        current = v;
                        last = e;
                    }
            }
        }
        if (chain) {
            return current;
        }
        if (last == null) {
            diagnostics.error(Code.MISPLACED_STATEMENT, body.span(), "this body must end with the tensor it computes");
            return Val.ERR;
        }
        if (current instanceof Val.Tensor || current instanceof Val.Err) {
            return current;
        }
        diagnostics.error(Code.NOT_A_TENSOR, last.span(), "a body with named inputs must end with a tensor, but this is "
                + Val.describe(current) + "; apply it with '->'");
        return Val.ERR;
    }

    // ------------------------------------------------------------------------------------------ operators

    private Val pipe(Expr.Pipe p, Env env, String scope) {
        Val left = eval(p.left(), env, scope);
        Val right = asStage(p.right() instanceof Expr.Name n ? name(n, env, true) : eval(p.right(), env, scope), p.right().span());
        if (left instanceof Val.Err || !(right instanceof Val.StageV r)) {
            return Val.ERR;
        }
        if (left instanceof Val.Tensor t) {
            return applyStage(r.stage(), List.of(t), scope, p.right().span());
        } else if (left instanceof Val.StageV s) {
            return new Val.StageV(new Stages.Composed(s.stage(), r.stage()));
        } else if (left instanceof Val.Callable c) {
            return asStage(c, p.left().span()) instanceof Val.StageV s
                    ? new Val.StageV(new Stages.Composed(s.stage(), r.stage())) : Val.ERR;
        }
        diagnostics.error(Code.NOT_A_TENSOR, p.left().span(), "the left side of '->' must be a tensor or a stage, not "
                + Val.describe(left));
        return Val.ERR;
    }

    private Val negate(Expr.Negate n, Env env, String scope) {
        Val v = eval(n.operand(), env, scope);
        if (v instanceof Val.Num num) {
            return new Val.Num(-num.value(), num.integer());
        } else if (v instanceof Val.Tensor t) {
            return scale(t, -1.0, scope, n.span());
        } else if (v instanceof Val.Err) {
            return v;
        }
        diagnostics.error(Code.TYPE_MISMATCH, n.span(), "cannot negate " + Val.describe(v));
        return Val.ERR;
    }

    private Val binary(Expr.Binary b, Env env, String scope) {
        Val l = eval(b.left(), env, scope);
        Val r = eval(b.right(), env, scope);
        if (l instanceof Val.Err || r instanceof Val.Err) {
            return Val.ERR;
        }
        if (l instanceof Val.Num x && r instanceof Val.Num y) {
            return arithmetic(b, x, y);
        }
        boolean compare = b.op().ordinal() >= Expr.BinaryOp.LT.ordinal();
        if (!compare && l instanceof Val.Tensor x && r instanceof Val.Tensor y && b.op() != Expr.BinaryOp.DIV) {
            if (!x.value().sameShape(y.value())) {
                diagnostics.error(Code.SHAPE_MISMATCH, b.span(), "'" + b.op().symbol + "' needs equal shapes, but gets "
                        + x.value().shapeText() + " and " + y.value().shapeText());
                return Val.ERR;
            }
            Op.ElementwiseKind kind = switch (b.op()) {
                case ADD -> Op.ElementwiseKind.ADD;
                case SUB -> Op.ElementwiseKind.SUB;
                default -> Op.ElementwiseKind.MUL;
            };
            Value out = lowering.newValue(x.value().shape());
            String name = lowering.instanceName(scope, kind.name().toLowerCase(java.util.Locale.ROOT));
            return lowering.add(new Op.Elementwise(kind, x.value(), y.value(), out, name, b.span())) ? new Val.Tensor(out) : Val.ERR;
        }
        if (b.op() == Expr.BinaryOp.MUL && l instanceof Val.Num x && r instanceof Val.Tensor t) {
            return scale(t, x.value(), scope, b.span());
        }
        if ((b.op() == Expr.BinaryOp.MUL || b.op() == Expr.BinaryOp.DIV) && l instanceof Val.Tensor t && r instanceof Val.Num y) {
            if (b.op() == Expr.BinaryOp.DIV && y.value() == 0) {
                diagnostics.error(Code.INVALID_VALUE, b.span(), "division by zero");
                return Val.ERR;
            }
            return scale(t, b.op() == Expr.BinaryOp.MUL ? y.value() : 1.0 / y.value(), scope, b.span());
        }
        diagnostics.error(Code.TYPE_MISMATCH, b.span(), "'" + b.op().symbol + "' cannot combine " + Val.describe(l) + " and "
                + Val.describe(r));
        return Val.ERR;
    }

    /**
     * The largest integer magnitude computed with: a number is a double, which holds every integer up to 2^53 exactly
     * and rounds larger ones, so a channel count computed beyond it could silently differ from the one written.
     */
    static final long MAX_EXACT_INTEGER = 1L << 53;

    private Val arithmetic(Expr.Binary b, Val.Num x, Val.Num y) {
        boolean ints = x.integer() && y.integer();
        double a = x.value();
        double c = y.value();
        if (ints && (b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB || b.op() == Expr.BinaryOp.MUL)) {
            return integer(b, x.asLong(), y.asLong());
        }
        return switch (b.op()) {
            case ADD -> new Val.Num(a + c, ints);
            case SUB -> new Val.Num(a - c, ints);
            case MUL -> new Val.Num(a * c, ints);
            case DIV -> {
                if (c == 0) {
                    diagnostics.error(Code.INVALID_VALUE, b.span(), "division by zero");
                    yield Val.ERR;
                }
                // integer division only when exact, so channel arithmetic stays integral and nothing is silently lost
                yield ints && (long) a % (long) c == 0 ? Val.Num.ofInt((long) a / (long) c) : new Val.Num(a / c, false);
            }
            case LT -> new Val.Bool(a < c);
            case GT -> new Val.Bool(a > c);
            case LE -> new Val.Bool(a <= c);
            case GE -> new Val.Bool(a >= c);
        };
    }

    /** {@code a + c}, {@code a - c} or {@code a * c} of two integers, exactly; reported when beyond 2^53. */
    private Val integer(Expr.Binary b, long a, long c) {
        BigInteger x = BigInteger.valueOf(a);
        BigInteger y = BigInteger.valueOf(c);
        BigInteger r = switch (b.op()) {
            case ADD -> x.add(y);
            case SUB -> x.subtract(y);
            default -> x.multiply(y);
        };
        if (r.abs().compareTo(BigInteger.valueOf(MAX_EXACT_INTEGER)) > 0) {
            diagnostics.error(Code.INTEGER_OVERFLOW, b.span(), a + " " + b.op().symbol + " " + c + " = " + r + " is beyond "
                    + MAX_EXACT_INTEGER + " (2^53), the largest integer computed with exactly");
            return Val.ERR;
        }
        return Val.Num.ofInt(r.longValueExact());
    }

    private Val scale(Val.Tensor t, double factor, String scope, Span span) {
        Value out = lowering.newValue(t.value().shape());
        String name = lowering.instanceName(scope, "scale");
        return lowering.add(new Op.Scale(t.value(), out, factor, name, span)) ? new Val.Tensor(out) : Val.ERR;
    }

    // ------------------------------------------------------------------------------------------ constructs

    private Val residual(Expr.Residual r, Env env, String scope) {
        Stage body = stageOf(r.operand(), env, scope);
        Stage shortcut = null;
        for (Arg a : r.args()) {
            if (!a.named() || !a.name().name().equals("shortcut")) {
                diagnostics.error(Code.UNKNOWN_ARGUMENT, a.span(), "'residual' takes one argument, 'shortcut = <stage>'");
                return Val.ERR;
            }
            shortcut = stageOf(a.value(), env, scope);
            if (shortcut == null) {
                return Val.ERR;
            }
        }
        return body == null ? Val.ERR : new Val.StageV(new Stages.Residual(body, shortcut, r.span()));
    }

    private Val gate(Expr.Gate g, Env env, String scope) {
        Map<String, Val> options = constantsIn(env, g.args(), GatedStage.PARAMS, "gate", g.span());
        Stage inner = stageOf(g.operand(), env, scope);
        if (options == null || inner == null || !GatedStage.validate(options, g.span(), diagnostics)) {
            return Val.ERR;
        }
        if (!(inner instanceof Stages.Residual residual)) {
            diagnostics.error(Code.NOT_A_STAGE, g.operand().span(), "a gate applies to a residual block: gate residual F, "
                    + "so a skipped sample keeps its input (or its shortcut)");
            return Val.ERR;
        }
        return new Val.StageV(new GatedStage(options, residual, g.span()));
    }

    private Val exit(Expr.Exit x, Env env, String scope) {
        Map<String, Val> options = constantsIn(env, x.args(), ExitStage.PARAMS, "exit", x.span());
        if (options == null) {
            return Val.ERR;
        }
        double weight = Args.numArg(options, "weight");
        if (!(weight >= 0) || Double.isInfinite(weight)) {
            // at the weight as written: the only option, by name or first by position
            Span at = x.args().isEmpty() ? x.span() : x.args().get(0).value().span();
            diagnostics.error(Code.INVALID_VALUE, at, "an exit's weight in the loss must be finite and at least 0, not "
                    + weight);
            return Val.ERR;
        }
        Op.ExitPolicyKind kind = Op.ExitPolicyKind.NONE;
        double threshold = 0;
        Span policySpan = x.span();
        Expr c = x.condition();
        if (c != null) {
            policySpan = c.span();
            ExitPolicies.Policy p = ExitPolicies.parse(c, env, this, diagnostics);
            if (p == null) {
                return Val.ERR;
            }
            kind = p.kind();
            threshold = p.threshold();
        }
        Span nameSpan = x.name() == null ? null : x.name().span();
        String name = x.name() == null ? null : x.name().name();
        return new Val.StageV(new ExitStage(name, nameSpan, weight, kind, threshold, new Stages.Group(x.body(), env, x.span()),
                x.span(), policySpan));
    }

    /** A compile-time number in a policy; null after reporting. */
    Double number(Expr e, Env env, String what) {
        Val v = eval(e, env, "");
        if (v instanceof Val.Err) {
            return null;
        }
        if (!(v instanceof Val.Num n)) {
            diagnostics.error(Code.TYPE_MISMATCH, e.span(), what + " must be a number, not " + Val.describe(v));
            return null;
        }
        return n.value();
    }

    private Val repeat(Expr.Repeat r, Env env, String scope) {
        Val count = eval(r.count(), env, scope);
        if (count instanceof Val.Err) {
            return count;
        }
        if (!(count instanceof Val.Num n) || !n.integer() || n.value() < 1 || n.value() > 10_000) {
            diagnostics.error(Code.INVALID_VALUE, r.count().span(), "a repeat count must be an integer from 1 to 10000, not "
                    + (count instanceof Val.Num num ? num.text() : Val.describe(count)));
            return Val.ERR;
        }
        if (r.policy() != null && !r.upto()) {
            diagnostics.error(Code.INVALID_VALUE, r.policy().span(), "a loop policy needs a cap: write 'repeat upto "
                    + n.text() + "' before it");
            return Val.ERR;
        }
        if (r.upto() && r.policy() == null) {
            diagnostics.error(Code.INVALID_VALUE, r.count().span(), "'repeat upto' needs a policy that decides when to stop: "
                    + "'gate(...)' or 'halt act(...)' before the body");
            return Val.ERR;
        }
        LoopyBatchNorm.Mode norms = passNorms(r, env);
        if (norms == null) {
            return Val.ERR;
        }
        if (r.policy() instanceof Expr.HaltingRepeat h) {
            return halting(r, h, (int) n.value(), norms, env);
        }
        if (r.policy() instanceof Expr.GatedRepeat g) {
            return gatedLoop(r, g, n, norms, env);
        }
        return new Val.StageV(new Stages.Repeat((int) n.value(), r.shared(), norms, LoopyBatchNorm.span(r.sharing(), r.span()),
                r.body(), env, r.span()));
    }

    /** What the passes of {@code r} keep of their own batchnorms: {@code shared(batchnorm = ...)}; null on an error. */
    private LoopyBatchNorm.Mode passNorms(Expr.Repeat r, Env env) {
        if (r.sharing().isEmpty()) {
            return LoopyBatchNorm.Mode.SHARED;
        }
        Span at = LoopyBatchNorm.span(r.sharing(), r.span());
        Map<String, Val> options = constantsIn(env, r.sharing(), LoopyBatchNorm.PARAMS, "shared", at);
        return options == null ? null : LoopyBatchNorm.mode(options, at, diagnostics);
    }

    /**
     * {@code repeat upto cap [shared] gate(options) body}: a gate after each pass but the last decides on the next;
     * without {@code shared} each pass has its own weights.
     */
    private Val gatedLoop(Expr.Repeat r, Expr.GatedRepeat g, Val.Num cap, LoopyBatchNorm.Mode norms, Env env) {
        Map<String, Val> options = constantsIn(env, g.args(), GatedStage.PARAMS, "gate", g.span());
        if (options == null || !GatedStage.validate(options, g.span(), diagnostics)) {
            return Val.ERR;
        }
        if (cap.value() < 2) {
            diagnostics.error(Code.INVALID_VALUE, r.count().span(), "a gated loop's cap must be at least 2: its gates decide "
                    + "after each pass but the last whether to take another, not " + cap.text());
            return Val.ERR;
        }
        return new Val.StageV(new HaltingStage((int) cap.value(), new LoopPolicy.Gate(Args.numArg(options, "target")), options,
                !r.shared(), norms, LoopyBatchNorm.span(r.sharing(), r.span()), r.body(), env, r.span(), g.span()));
    }

    /**
     * {@code repeat upto cap [shared] halt act(ponder, eps) body}: Graves' ACT repeats one cell ({@code shared});
     * without {@code shared} each step has its own weights, as in a fixed or gated repeat.
     */
    private Val halting(Expr.Repeat r, Expr.HaltingRepeat h, int cap, LoopyBatchNorm.Mode norms, Env env) {
        if (!h.unit().name().name().equals("act")) {
            diagnostics.error(Code.UNKNOWN_ARGUMENT, h.unit().name().span(), "unknown halting unit '" + h.unit().name().name()
                    + "'; the one there is: act(ponder, eps)");
            return Val.ERR;
        }
        Map<String, Val> options = constantsIn(env, h.unit().args(), HaltingStage.PARAMS, "act", h.unit().span());
        if (options == null || !HaltingStage.validate(options, h.unit().span(), diagnostics)) {
            return Val.ERR;
        }
        return new Val.StageV(new HaltingStage(cap, new LoopPolicy.Act(Args.numArg(options, "ponder"), Args.numArg(options, "eps")),
                null, !r.shared(), norms, LoopyBatchNorm.span(r.sharing(), r.span()), r.body(), env, r.span(), h.span()));
    }

    /** The arguments of {@code call} evaluated as constants (no tensors), for the train section and policies. */
    Map<String, Val> constants(List<Arg> args, List<Args.Param> params, String callee, Span span) {
        return constantsIn(new Env(null, new Blocks(null)), args, params, callee, span);
    }

    /** The same, with names of {@code env} (block parameters) in scope. */
    Map<String, Val> constantsIn(Env env, List<Arg> args, List<Args.Param> params, String callee, Span span) {
        List<Args.Evaluated> evaluated = new ArrayList<>();
        for (Arg a : args) {
            Val v = eval(a.value(), env, "");
            if (v instanceof Val.Tensor || v instanceof Val.StageV || v instanceof Val.Callable) {
                diagnostics.error(Code.TYPE_MISMATCH, a.value().span(), "'" + callee + "' takes constants, not " + Val.describe(v));
                v = Val.ERR;
            }
            evaluated.add(new Args.Evaluated(a, v));
        }
        if (evaluated.stream().anyMatch(x -> x.value() instanceof Val.Err)) {
            return null;
        }
        return Args.bind(callee, params, evaluated, span, diagnostics);
    }
}
