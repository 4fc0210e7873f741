package dev.adnet.compiler.check;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.Body;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;
import dev.adnet.compiler.source.Span;
import java.util.List;
import java.util.Map;

/** The kinds of stage: configured layers and blocks, compositions, residuals, groups and fixed repeats. */
final class Stages {
    private Stages() {}

    static boolean arityOk(Stage s, List<Val.Tensor> inputs, Lowering lowering, Span at) {
        int arity = s.arity();
        if (arity >= 0 && inputs.size() != arity || arity < 0 && inputs.isEmpty()) {
            lowering.diagnostics.error(Code.WRONG_INPUT_COUNT, at, s.describe() + " takes " + (arity < 0 ? "at least one tensor"
                    : arity == 1 ? "one tensor" : arity + " tensors") + " but is given " + inputs.size());
            return false;
        }
        return true;
    }

    /** A built-in layer with its configuration bound. */
    record LayerStage(LayerSpec spec, Map<String, Val> args, Span configSpan) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            if (!arityOk(this, inputs, lowering, at)) {
                return Val.ERR;
            }
            return spec.lowerer().lower(new LayerSpec.LayerCall(spec, args, inputs, lowering, scope, configSpan, at));
        }

        @Override
        public int arity() {
            return spec.tensorArity();
        }

        @Override
        public String describe() {
            return "'" + spec.name() + "'";
        }
    }

    /** A block with its arguments bound; each application instantiates fresh weights. */
    record BlockStage(BlockDecl decl, Env env, Span callSpan) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            if (lowering.blockStack.stream().anyMatch(open -> open == decl)) {
                return Val.ERR; // reported once by the static recursion check, at the reference itself
            }
            if (lowering.blockStack.size() >= Lowering.MAX_BLOCK_DEPTH) {
                lowering.diagnostics.error(Code.TOO_LARGE, callSpan, "blocks are nested more than "
                        + Lowering.MAX_BLOCK_DEPTH + " deep");
                return Val.ERR;
            }
            lowering.blockStack.push(decl);
            try {
                String inner = lowering.instanceName(scope, decl.name().name());
                return lowering.evaluator.applyBody(decl.body(), env, inner, inputs, at);
            } finally {
                lowering.blockStack.pop();
            }
        }

        @Override
        public int arity() {
            return decl.body().inputs().isEmpty() ? 1 : decl.body().inputs().size();
        }

        @Override
        public String describe() {
            return "block '" + decl.name().name() + "'";
        }
    }

    /** {@code first -> second}. */
    record Composed(Stage first, Stage second) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            Val mid = first.apply(inputs, lowering, scope, at);
            return mid instanceof Val.Tensor t ? second.apply(List.of(t), lowering, scope, at) : Val.ERR;
        }

        @Override
        public int arity() {
            return first.arity();
        }

        @Override
        public String describe() {
            return first.describe() + " -> " + second.describe();
        }
    }

    /** {@code { ... }} used as a stage. */
    record Group(Body body, Env env, Span span) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            return lowering.evaluator.applyBody(body, env, scope, inputs, at);
        }

        @Override
        public int arity() {
            return body.inputs().isEmpty() ? 1 : body.inputs().size();
        }

        @Override
        public String describe() {
            return "this group";
        }
    }

    /** {@code x + F(x)}, or {@code S(x) + F(x)} with a declared shortcut S. */
    record Residual(Stage body, Stage shortcut, Span span) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            if (!arityOk(this, inputs, lowering, at)) {
                return Val.ERR;
            }
            String inner = lowering.instanceName(scope, "residual");
            Val f = body.apply(inputs, lowering, inner, at);
            Val s = shortcut == null ? inputs.get(0) : shortcut.apply(inputs, lowering, inner + ".shortcut", at);
            if (!(f instanceof Val.Tensor ft) || !(s instanceof Val.Tensor st)) {
                return Val.ERR;
            }
            if (!ft.value().sameShape(st.value())) {
                String hint = shortcut == null ? "; declare a shortcut that matches, e.g. residual(shortcut = projection("
                        + (ft.value().rank() > 0 ? ft.value().dim(0) : 1) + ", stride = 2))" : "";
                lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "residual adds the body's output "
                        + ft.value().shapeText() + " to " + (shortcut == null ? "its input " : "the shortcut's output ")
                        + st.value().shapeText() + hint);
                return Val.ERR;
            }
            Value out = lowering.newValue(ft.value().shape());
            Op op = new Op.Elementwise(Op.ElementwiseKind.ADD, st.value(), ft.value(), out, inner + ".add", span);
            return lowering.add(op) ? new Val.Tensor(out) : Val.ERR;
        }

        @Override
        public String describe() {
            return "'residual'";
        }
    }

    /**
     * {@code repeat n { body }} (each pass its own weights) or {@code repeat n shared { body }} (one set of weights
     * applied n times: later passes reuse the parameters the first pass created, but for what {@code norms} gives
     * each pass of its own batchnorms; {@code normsSpan} is where {@code shared(batchnorm = ...)} stands).
     */
    record Repeat(int count, boolean shared, LoopyBatchNorm.Mode norms, Span normsSpan, Body body, Env env, Span span)
            implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            if (!arityOk(this, inputs, lowering, at)) {
                return Val.ERR;
            }
            String inner = lowering.instanceName(scope, "repeat");
            Val current = inputs.get(0);
            int[] firstPass = lowering.mark();
            int[] afterFirst = null;
            for (int i = 1; i <= count && current instanceof Val.Tensor t; i++) {
                boolean replaying = shared && i > 1;
                LoopyBatchNorm.Mode outer = null;
                if (replaying) {
                    lowering.replay(firstPass, afterFirst);
                    outer = lowering.passNorm(norms);
                }
                Value before = t.value();
                int opsBefore = lowering.current().size();
                try {
                    current = lowering.evaluator.applyBody(body, env, inner + ".pass" + i, List.of(t), at);
                } finally {
                    if (replaying) {
                        lowering.passNorm(outer);
                        lowering.endReplay();
                    }
                }
                if (i == 1) {
                    afterFirst = lowering.mark();
                    List<Op> pass = lowering.current().subList(opsBefore, lowering.current().size());
                    if (norms != LoopyBatchNorm.Mode.SHARED && current instanceof Val.Tensor
                            && !LoopyBatchNorm.anyBatchNorm(pass)) {
                        LoopyBatchNorm.noBatchNorm(normsSpan, lowering.diagnostics);
                        return Val.ERR;
                    }
                }
                if (current instanceof Val.Tensor next && !next.value().sameShape(before)) {
                    lowering.diagnostics.error(Code.SHAPE_MISMATCH, span, "a repeated body must keep its input's shape, but it turns "
                            + before.shapeText() + " into " + next.value().shapeText());
                    return Val.ERR;
                }
            }
            return current;
        }

        @Override
        public String describe() {
            return "'repeat'";
        }
    }

    /**
     * A construct that parses but has no semantics yet: reported once, then checked as far as possible (its body is
     * applied once) so the errors after it are still found.
     */
    record Unsupported(String construct, Stage inner, Span span) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            lowering.diagnostics.error(Code.NOT_SUPPORTED_YET, span, "'" + construct + "' is not supported yet");
            if (inner == null) {
                return inputs.size() == 1 ? inputs.get(0) : Val.ERR;
            }
            Val v = inner.apply(inputs, lowering, scope, at);
            return v instanceof Val.Tensor ? v : Val.ERR;
        }

        @Override
        public int arity() {
            return inner == null ? 1 : inner.arity();
        }

        @Override
        public String describe() {
            return "'" + construct + "'";
        }
    }

    /** An exit passes its input on; its head is checked on the input, as if the exit fired. */
    record PassThrough(Stage head) implements Stage {
        @Override
        public Val apply(List<Val.Tensor> inputs, Lowering lowering, String scope, Span at) {
            head.apply(inputs, lowering, scope, at);
            return inputs.get(0);
        }

        @Override
        public String describe() {
            return "'exit'";
        }
    }
}
