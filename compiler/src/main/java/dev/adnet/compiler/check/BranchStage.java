package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.Arg;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.ast.Expr;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.TreeNodes;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code x -> branch tree(tau) { L1; L2; ... }}: Learning to Branch's multi-task tree. Each statement is a layer,
 * instantiated once per task (own weights per node). Node (1, t) reads the branch's input; node (l, t) for l > 1
 * reads the {@link Op.ParentMixture} of layer l-1's nodes over its own parent logits. Task t's value is node (L, t),
 * so the branch yields a {@link Val.PerTask}.
 *
 * <p>The nodes lower to plain ops, named {@link TreeNodes#node}{@code .<layer's instance>}, so that a frozen tree (one parent
 * per node) is the same layers under other value names: {@code dev.adnet.compiler.freeze} writes it back as source.
 */
record BranchStage(double tau, List<Stage> layers, List<Span> layerSpans, List<String> tasks, Span span)
        implements Stage {

    static final List<Args.Param> PARAMS = List.of(new Args.Param("tau", Args.Type.FLOAT, new Val.Num(1.0, false)));

    /** The stage of {@code b}, or {@link Val#ERR} after reporting what is wrong with it. */
    static Val of(Expr.Branch b, Env env, Evaluator evaluator, Diagnostics diag, List<String> tasks) {
        String policy = b.policy().name().name();
        if (!policy.equals("tree")) {
            diag.error(Code.UNKNOWN_ARGUMENT, b.policy().name().span(), "unknown branching policy '" + policy
                    + "'; a learned tree is written branch tree(tau) { layer; layer; ... }");
            return Val.ERR;
        }
        Map<String, Val> options = evaluator.constantsIn(env, b.policy().args(), PARAMS, "tree", b.policy().span());
        if (options == null) {
            return Val.ERR;
        }
        double tau = Args.numArg(options, "tau");
        boolean ok = true;
        if (!(tau > 0) || Double.isInfinite(tau)) {
            List<Arg> args = b.policy().args();
            diag.error(Code.INVALID_VALUE, args.isEmpty() ? b.policy().span() : args.get(0).value().span(),
                    "a branch's temperature tau must be positive and finite, not " + tau);
            ok = false;
        }
        if (tasks.isEmpty()) {
            diag.error(Code.INVALID_VALUE, b.span(), "a branch grows one node per task at each layer, but the network "
                    + "declares no task (task name: classes(k))");
            ok = false;
        }
        Body body = b.body();
        if (!body.inputs().isEmpty()) {
            diag.error(Code.INVALID_VALUE, body.inputs().get(0).span(), "a branch's layers form a chain: each statement "
                    + "is a layer applied to the one before, without named inputs");
            return Val.ERR;
        }
        if (body.statements().isEmpty()) {
            diag.error(Code.INVALID_VALUE, body.span(), "a branch needs at least one layer: its body is empty");
            return Val.ERR;
        }
        List<Stage> layers = new ArrayList<>();
        List<Span> spans = new ArrayList<>();
        for (Body.Statement st : body.statements()) {
            if (st instanceof Body.Bind bind) {
                diag.error(Code.INVALID_VALUE, bind.name().span(), "each statement of a branch is a layer of the tree; "
                        + "name its value outside the branch");
                ok = false;
                continue;
            }
            Expr e = ((Body.Eval) st).value();
            Stage s = evaluator.stageIn(e, env);
            if (s == null) {
                ok = false;
            } else {
                layers.add(s);
                spans.add(st.span());
            }
        }
        return ok ? new Val.StageV(new BranchStage(tau, layers, spans, tasks, b.span())) : Val.ERR;
    }

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        String name = lowering.instanceName(scope, "branch");
        List<Value> previous = List.of(inputs.get(0).value());
        for (int l = 1; l <= layers.size(); l++) {
            List<Value> nodes = new ArrayList<>();
            for (String task : tasks) {
                String nodeScope = TreeNodes.node(name, l, task);
                Value in = l == 1 ? previous.get(0) : mixture(previous, nodeScope, l, lowering);
                Value out = in == null ? null : layer(l, in, nodeScope, lowering);
                if (out == null) {
                    return Val.ERR;
                }
                nodes.add(out);
            }
            previous = nodes;
        }
        Map<String, Value> byTask = new LinkedHashMap<>();
        for (int t = 0; t < tasks.size(); t++) {
            byTask.put(tasks.get(t), previous.get(t));
        }
        return new Val.PerTask(byTask);
    }

    /** Layer {@code l} applied to {@code in} as one node; null after reporting. */
    private Value layer(int l, Value in, String nodeScope, Lowering lowering) {
        Span where = layerSpans.get(l - 1);
        int before = lowering.current().size();
        Val v = layers.get(l - 1).apply(List.of(new Val.Tensor(in)), lowering, nodeScope, where);
        if (v instanceof Val.PerTask) {
            lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, where, "a branch inside a branch is not supported yet");
            return null;
        }
        if (!(v instanceof Val.Tensor t)) {
            return null;
        }
        List<Op> added = lowering.current().subList(before, lowering.current().size());
        for (Op op : added) {
            if (op instanceof Op.RegionOp r) {
                String what = HaltingStage.construct(r);
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(),
                        (what.equals("exit") ? "an " : "a ") + what + " inside a branch is not supported yet");
                return null;
            }
        }
        return t.value();
    }

    /** The node's input: the mixture of the previous layer's nodes over the node's own parent logits. */
    private Value mixture(List<Value> parents, String nodeScope, int l, Lowering lowering) {
        for (Value p : parents) {
            if (!p.sameShape(parents.get(0))) {
                lowering.diagnostics.error(Code.SHAPE_MISMATCH, layerSpans.get(l - 2), "the nodes of a branch's layer "
                        + "must agree in shape for the next layer to mix them, but they give " + parents.get(0).shapeText()
                        + " and " + p.shapeText());
                return null;
            }
        }
        long k = parents.size();
        // zero logits: every parent starts equally likely, as in the paper
        ParamDecl logits = lowering.param(TreeNodes.logits(nodeScope), new long[] {k}, ParamDecl.Init.ZEROS, k, 0, false);
        Value out = lowering.newValue(parents.get(0).shape());
        return lowering.add(new Op.ParentMixture(parents, out, logits, tau, nodeScope + ".mixture", layerSpans.get(l - 1)))
                ? out : null;
    }

    @Override
    public String describe() {
        return "'branch'";
    }
}
