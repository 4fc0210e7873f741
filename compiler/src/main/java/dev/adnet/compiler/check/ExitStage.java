package dev.adnet.compiler.check;

import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Region;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.List;
import java.util.Map;

/**
 * {@code exit name(weight = w) when policy { head }}: passes its input on unchanged and attaches a classifier head
 * to it. Lowers to an {@link Op.Exit} that decides who leaves, whose head region reads nothing but the exit's input
 * (so inference can run it on the samples still in the batch).
 *
 * @param name the declared name, or null
 * @param threshold the policy's constant (see {@link Op.Exit#threshold()})
 * @param policySpan where the policy is written, for errors that depend on the network around the exit
 */
record ExitStage(String name, Span nameSpan, double weight, Op.ExitPolicyKind policy, double threshold,
        Stage head, Span span, Span policySpan) implements Stage {

    static final List<Args.Param> PARAMS = List.of(new Args.Param("weight", Args.Type.FLOAT, new Val.Num(1.0, false)));

    @Override
    public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
        if (!Stages.arityOk(this, inputs, lowering, at)) {
            return Val.ERR;
        }
        Map<String, long[]> outputs = lowering.declaredOutputs();
        if (outputs.size() != 1) {
            lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, span, "exits are supported in networks with one output, "
                    + "which the exit heads stand for; this network declares " + outputs.size());
            return Val.ERR;
        }
        Map.Entry<String, long[]> output = outputs.entrySet().iterator().next();
        long[] outShape = output.getValue();
        if (outShape == null) {
            return Val.ERR; // the output's own shape error is reported where it is declared
        }
        if (outShape.length != 1 || outShape[0] < 2) {
            lowering.diagnostics.error(Code.INVALID_VALUE, span, "an exit stands for a classifier output of shape [classes], "
                    + "but output '" + output.getKey() + "' is " + dev.adnet.compiler.ir.Shapes.text(outShape));
            return Val.ERR;
        }
        int exitIndex = lowering.nextExitIndex();
        String path = name != null ? (scope.isEmpty() ? name : scope + "." + name) : lowering.instanceName(scope, "exit");
        if (!lowering.claimExitName(path)) {
            lowering.diagnostics.error(Code.DUPLICATE_NAME, nameSpan != null ? nameSpan : span, "an exit named '" + path
                    + "' already exists in this network");
            return Val.ERR;
        }
        Value x = inputs.get(0).value();
        Region headRegion = lowering.region(List.of(x), () -> {
            Val h = head.apply(inputs, lowering, path, at);
            return h instanceof Val.Tensor t ? t.value() : null;
        });
        if (headRegion == null) {
            return Val.ERR;
        }
        if (headRegion.ops().isEmpty()) {
            lowering.diagnostics.error(Code.INVALID_VALUE, span, "an exit needs a head that computes the output from its input, "
                    + "e.g. { global_avg_pool -> dense(" + outShape[0] + ") }");
            return Val.ERR;
        }
        Value h = headRegion.result();
        if (!java.util.Arrays.equals(h.shape(), outShape)) {
            lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "this exit's head gives " + h.shapeText()
                    + " but the output it stands for, '" + output.getKey() + "', is " + dev.adnet.compiler.ir.Shapes.text(outShape));
            return Val.ERR;
        }
        for (Op op : headRegion.schedule()) {
            if (op instanceof Op.RegionOp r) {
                String what = HaltingStage.construct(r);
                lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, op.origin(), (what.equals("exit") ? "an " : "a ") + what
                        + " inside an exit head is not supported yet");
                return Val.ERR;
            }
        }
        if (!lowering.readsOnly(headRegion, "an exit head may read only the exit's input")) {
            return Val.ERR;
        }
        if (!policyFits(outShape[0], exitIndex, lowering)) {
            return Val.ERR;
        }
        Value decision = lowering.newValue(1);
        dev.adnet.compiler.ir.BufferDecl stored = lowering.ownBuffer(path + ".threshold", 1,
                policy == Op.ExitPolicyKind.BUDGET ? 1.0 : threshold);
        Op.Exit exit = new Op.Exit(x, headRegion, decision, exitIndex, name != null ? name : path, policy, threshold, stored,
                weight, output.getKey(), path, span);
        return lowering.add(exit) ? inputs.get(0) : Val.ERR;
    }

    /** Thresholds that depend on the classes or on the exits before this one. */
    private boolean policyFits(long classes, int exitIndex, Lowering lowering) {
        if (policy == Op.ExitPolicyKind.ENTROPY && threshold > Math.log(classes)) {
            lowering.diagnostics.error(Code.INVALID_VALUE, policySpan, String.format(java.util.Locale.ROOT,
                    "the entropy of %d classes is at most ln %d = %.4f, so a threshold of %s lets every sample leave here",
                    classes, classes, Math.log(classes), new Val.Num(threshold, false).text()));
            return false;
        }
        if (policy == Op.ExitPolicyKind.PATIENCE && threshold > exitIndex + 1) {
            lowering.diagnostics.error(Code.INVALID_VALUE, policySpan, "patience(" + (long) threshold + ") needs "
                    + (long) threshold + " exits to agree, but this is exit " + (exitIndex + 1) + ", so it can never fire");
            return false;
        }
        return true;
    }

    @Override
    public String describe() {
        return "'exit'";
    }
}
