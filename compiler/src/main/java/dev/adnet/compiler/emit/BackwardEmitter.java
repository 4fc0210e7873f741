package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.*;

import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.emit.BackwardPlanner.Step;
import dev.adnet.compiler.emit.BackwardPlanner.Write;
import dev.adnet.compiler.ir.FixedPoint;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Ode;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.ParamDecl;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * The backward pass of the training step: one vector-Jacobian product per step of the {@link BackwardPlanner}'s
 * plan, over the checked ops, with the gradient written, accumulated or skipped as planned.
 */
final class BackwardEmitter {
    private final JavaEmitter.Emission em;

    BackwardEmitter(JavaEmitter.Emission em) {
        this.em = em;
    }

    /**
     * Declares where a gradient contribution to {@code value} goes: its gradient buffer (OVERWRITE), a scratch
     * array (ACCUMULATE, added by {@link #finishWrite}), or nothing ({@code "null"}).
     */
    String gradTarget(MethodSpec.Builder m, Names.Scope scope, Write w, Value value, long[] shape,
            String key) {
        switch (w) {
            case SKIP:
                return "null";
            case OVERWRITE: {
                String g = em.gradName.get(value.id());
                m.addStatement("$T $L = $L", INDARRAY, g, gradAlloc(value, shape));
                return g;
            }
            default: {
                String part = scope.claim(em.gradName.get(value.id()) + "_part");
                m.addStatement("$T $L = $L", INDARRAY, part, em.alloc("part" + key, shape));
                return part;
            }
        }
    }

    /** A gradient buffer shaped like {@code value}: at the rows of its watched loop step, if it has one. */
    private CodeBlock gradAlloc(Value value, long[] shape) {
        String rows = em.acts.rowsOf(value);
        if (rows == null) {
            return em.alloc("grad" + value.id(), shape);
        }
        boolean outerSub = em.subBatch;
        String outerBatch = em.batchVar;
        em.subBatch = true;
        em.batchVar = rows;
        CodeBlock a = em.alloc("grad" + value.id(), shape);
        em.subBatch = outerSub;
        em.batchVar = outerBatch;
        return a;
    }

    /** {@code grad(x) += part}; row by row when {@code x} is a state a watched loop step read at fewer rows. */
    private void accumulate(MethodSpec.Builder m, Value x, String part) {
        if (!em.acts.accumulateKept(m, x, em.gradName.get(x.id()), part)) {
            m.addStatement("$T.accumulate($L, $L)", ELEMENTWISE, em.gradName.get(x.id()), part);
        }
    }

    void finishWrite(MethodSpec.Builder m, Write w, Value value, String written) {
        if (w == Write.ACCUMULATE) {
            Step nextStep = nextStep();
            if (nextStep != null && !em.acts.boundary(em.stepIndex) && isRelu(nextStep.op()) && nextStep.op().out().id() == value.id()
                    && !em.fusedBatchNorm.containsKey(nextStep.opIndex()) && !em.pendingPart.containsKey(value.id())) {
                // the last contribution (the ReLU's step, next, reads the gradient): added in the ReLU's VJP
                em.pendingPart.put(value.id(), written);
                return;
            }
            accumulate(m, value, written);
        }
    }

    /** The backward step emitted after the current one (null at the last, and outside the backward pass). */
    private Step nextStep() {
        List<Step> steps = em.plan.steps();
        return em.stepIndex >= 0 && em.stepIndex + 1 < steps.size() ? steps.get(em.stepIndex + 1) : null;
    }

    private String paramTarget(MethodSpec.Builder m, Names.Scope scope, Write w, ParamDecl p) {
        if (w == Write.SKIP) {
            return "null"; // a fixed point's VJPs with respect to its iterate only
        }
        if (w == Write.OVERWRITE) {
            return em.paramGradField.get(p.name());
        }
        String part = scope.claim(em.paramField.get(p.name()) + "_grad_part");
        m.addStatement("$T $L = $L", INDARRAY, part, em.allocUnbatched("pgrad:" + p.name(), p.shape()));
        return part;
    }

    private void finishParam(MethodSpec.Builder m, Write w, ParamDecl p, String written) {
        if (w == Write.ACCUMULATE) {
            m.addStatement("$T.accumulate($L, $L)", ELEMENTWISE, em.paramGradField.get(p.name()), written);
        }
    }

    void backwardStep(MethodSpec.Builder m, Names.Scope scope, Step step) {
        Op op = step.op();
        int index = step.opIndex();
        if (em.fusedBatchNorm.containsKey(index)) {
            return; // the fused batchnorm's step takes this ReLU's output gradient
        }
        m.addComment("backward $L at $L", commentText(op.path()),
                op.origin() == null ? "?" : commentText(op.origin().toString()));
        String gOut = em.gradName.get(op.out().id());
        if (op instanceof FixedPoint) {
            em.fixedPoints.backward(m, scope, step, gOut);
            return;
        }
        if (op instanceof Ode) {
            em.odes.backward(m, scope, step, gOut);
            return;
        }
        List<Value> ins = op.inputs();
        List<String> gIn = new ArrayList<>();
        boolean repeated = ins.stream().distinct().count() < ins.size();
        if (op instanceof Op.Elementwise e && e.op() != Op.ElementwiseKind.MUL) {
            // add and sub route the gradient: d a = d out, d b = +-d out. The gradient of out is dead after
            // this step, so ONE operand may take its buffer over; a second alias would let an accumulation
            // into one operand's gradient corrupt the other's.
            boolean aliased = false;
            for (int k = 0; k < 2; k++) {
                Write w = step.inputs().get(k);
                Value x = ins.get(k);
                boolean negate = k == 1 && e.op() == Op.ElementwiseKind.SUB;
                if (w == Write.SKIP) {
                    continue;
                }
                if (w == Write.ACCUMULATE && !negate) {
                    accumulate(m, x, gOut);
                } else if (w == Write.OVERWRITE && !negate && !repeated
                        && (!aliased || sharedUntilRead(ins.get(0), x))) {
                    m.addStatement("$T $L = $L", INDARRAY, em.gradName.get(x.id()), gOut);
                    aliased = true;
                } else if (negate) {
                    String t = gradTarget(m, scope, w, x, x.shape(), "v" + x.id());
                    m.addStatement("$T.scale($L, -1.0, $L)", ELEMENTWISE, gOut, t);
                    finishWrite(m, w, x, t);
                } else {
                    String t = gradTarget(m, scope, w, x, x.shape(), "v" + x.id());
                    m.addStatement("$L.assign($L)", t, gOut);
                }
            }
            return;
        }
        for (int k = 0; k < ins.size(); k++) {
            gIn.add(gradTarget(m, scope, step.inputs().get(k), ins.get(k), ins.get(k).shape(),
                    "v" + ins.get(k).id() + "@" + index + "." + k));
        }
        List<ParamDecl> ps = op.params();
        List<String> gP = new ArrayList<>();
        for (int k = 0; k < ps.size(); k++) {
            gP.add(paramTarget(m, scope, step.params().get(k), ps.get(k)));
        }
        String out = em.v(op.out());
        if (em.nhwc && ins.get(0).rank() == 3 && channelsLastBackward(m, index, op, gOut, gIn, gP)) {
            // written by the channels-last VJP
        } else if (op instanceof Op.Conv2d c) {
            m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("Conv2d"), em.v(c.in()),
                    em.param(c.weight()), em.param(c.bias()), gOut, em.geometry.get(index), gIn.get(0), gP.get(0),
                    c.bias() == null ? "null" : gP.get(1));
        } else if (op instanceof Op.Dense d) {
            m.addStatement("$T.backward($L, $L, $L, $L, $L, $L)", op("Dense"), em.v(d.in()), em.param(d.weight()), gOut,
                    gIn.get(0), gP.get(0), d.bias() == null ? "null" : gP.get(1));
        } else if (op instanceof Op.BatchNorm b && em.fusedRelu.containsKey(index)) {
            Op relu = em.graph.ops().get(em.fusedRelu.get(index));
            m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L, $L)", op("FusedBatchNormRelu"), em.v(b.in()),
                    em.v(relu.out()), em.param(b.gamma()), em.saveMean(op), em.saveInvStd(op), em.gradName.get(relu.out().id()),
                    gIn.get(0), gP.get(0), gP.get(1));
        } else if (op instanceof Op.BatchNorm b) {
            m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("BatchNorm"), em.v(b.in()),
                    em.param(b.gamma()), em.saveMean(op), em.saveInvStd(op), gOut, gIn.get(0), gP.get(0), gP.get(1));
        } else if (op instanceof Op.LayerNorm l) {
            m.addStatement("$T.backward($L, $L, $L, $L, $L, $L, $L, $L)", op("LayerNorm"), em.v(l.in()),
                    em.param(l.gamma()), em.saveMean(op), em.saveInvStd(op), gOut, gIn.get(0), gP.get(0), gP.get(1));
        } else if (op instanceof Op.Activation a && em.pendingPart.containsKey(op.out().id())) {
            m.addStatement("$T.backward($L, $L, $L, $L, $L)", OpEmitter.activation(a.activation()), em.v(a.in()), out, gOut,
                    em.pendingPart.remove(op.out().id()), gIn.get(0));
        } else if (op instanceof Op.Activation a) {
            m.addStatement("$T.backward($L, $L, $L, $L)", OpEmitter.activation(a.activation()), em.v(a.in()), out, gOut,
                    gIn.get(0));
        } else if (op instanceof Op.Pool2d p) {
            if (p.pool() == Op.PoolKind.MAX) {
                m.addStatement("$T.backward($L, $L, $L, $L)", op("MaxPool2d"), em.v(p.in()), gOut, em.geometry.get(index),
                        gIn.get(0));
            } else {
                m.addStatement("$T.backward($L, $L, $L, false, $L)", op("AvgPool2d"), em.v(p.in()), gOut,
                        em.geometry.get(index), gIn.get(0));
            }
        } else if (op instanceof Op.GlobalAvgPool) {
            m.addStatement("$T.backward($L, $L)", op("GlobalAvgPool"), gOut, gIn.get(0));
        } else if (op instanceof Op.Flatten) {
            m.addStatement("$T.backward($L, $L)", op("Flatten"), gOut, gIn.get(0));
        } else if (op instanceof Op.Dropout) {
            m.addStatement("$T.backward($L, $L, $L)", op("Dropout"), gOut, em.mask(op), gIn.get(0));
        } else if (op instanceof Op.Concat c) {
            List<String> sizes = new ArrayList<>();
            for (Value x : c.ins()) {
                sizes.add(lit(x.dim(0)));
            }
            // channels-last images are concatenated along their last axis
            int axis = em.nhwc && c.out().rank() == 3 ? 3 : 1;
            m.addStatement("$T.backward($L, $L, new long[] {$L}, new $T[] {$L})", op("Concat"), gOut, axis,
                    String.join(", ", sizes), INDARRAY, String.join(", ", gIn));
        } else if (op instanceof Op.Elementwise e) {
            m.addStatement("$T.mulBackward($L, $L, $L, $L, $L)", ELEMENTWISE, em.v(e.a()), em.v(e.b()), gOut, gIn.get(0),
                    gIn.get(1));
        } else if (op instanceof Op.Scale s) {
            m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE, gOut, lit(s.factor()), gIn.get(0));
        } else if (op instanceof Op.GumbelGate g) {
            m.addStatement("$T.backward($L, $L, $L, $L)", GUMBEL, em.soft(op), em.opEmitter.temperature(g), gOut, gIn.get(0));
        } else if (op instanceof Op.ParentMixture p) {
            BranchEmitter.backward(m, em, p, gOut, gIn, gP.get(0));
        } else if (op instanceof HaltingMean h) {
            HaltingLoopEmitter.backward(m, h, em.aux(op, "steps"), gOut, gIn, em::v, em.graph.training());
        } else if (op instanceof Op.GatedResidual g) {
            m.addStatement("$T.backward($L, $L, null, $L, $L, $L, $L)", GATED_RESIDUAL, em.v(g.body()), em.v(g.gate()), gOut,
                    gIn.get(0), gIn.get(1), gIn.get(2));
        } else if (em.shares.backward(m, op, gOut, gIn, gP)) {
            // a share's decision or mix
        } else {
            throw new IllegalStateException("no VJP emitter for " + op.kind());
        }
        for (int k = 0; k < ins.size(); k++) {
            finishWrite(m, step.inputs().get(k), ins.get(k), gIn.get(k));
        }
        for (int k = 0; k < ps.size(); k++) {
            finishParam(m, step.params().get(k), ps.get(k), gP.get(k));
        }
    }

    /**
     * Whether {@code b}'s gradient may share the buffer already given to {@code a}'s (both the gradient of one
     * add's output): when no backward step from here up to and including the one that reads {@code b}'s
     * gradient (its producer's, not fused away) writes into either, so the shared values stay what both are
     * until {@code b}'s is consumed. In a residual block the shortcut's gradient gets its next contribution only
     * after the block's body has been differentiated, which reads the other operand's gradient first: one copy
     * of the activation's gradient saved per block.
     */
    private boolean sharedUntilRead(Value a, Value b) {
        List<Step> steps = em.plan.steps();
        for (int i = em.stepIndex + 1; i < steps.size(); i++) {
            Step s = steps.get(i);
            List<Value> ins = s.op().inputs();
            for (int k = 0; k < ins.size(); k++) {
                int id = ins.get(k).id();
                if ((id == a.id() || id == b.id()) && s.inputs().get(k) != Write.SKIP) {
                    return false;
                }
            }
            if (s.op().out().id() == b.id()) {
                return !em.fusedBatchNorm.containsKey(s.opIndex()) && !em.pendingPart.containsKey(b.id());
            }
        }
        return false;
    }

    /**
     * The channels-last VJP of an op on images, if it differs from the channels-first one (element-wise ops,
     * dropout and the gated residual's kernels do not; concat only changes its axis); false otherwise.
     */
    private boolean channelsLastBackward(MethodSpec.Builder m, int index, Op op, String gOut, List<String> gIn,
            List<String> gP) {
        if (op instanceof Op.Conv2d c) {
            m.addStatement("$T.conv2dBackward($L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), em.v(c.in()),
                    em.param(c.weight()), em.param(c.bias()), gOut, em.geometry.get(index), gIn.get(0), gP.get(0),
                    c.bias() == null ? "null" : gP.get(1));
        } else if (op instanceof Op.BatchNorm b) {
            Integer relu = em.fusedRelu.get(index);
            String y = relu == null ? "null" : em.v(em.graph.ops().get(relu).out());
            String g = relu == null ? gOut : em.gradName.get(em.graph.ops().get(relu).out().id());
            m.addStatement("$T.batchNormBackward($L, $L, $L, $L, $L, $L, $L, $L, $L)", CL_TRAINING, em.v(b.in()), y,
                    em.param(b.gamma()), em.saveMean(op), em.saveInvStd(op), g, gIn.get(0), gP.get(0), gP.get(1));
        } else if (op instanceof Op.Pool2d p) {
            m.addStatement("$T.pool2dBackward($L, $L, $L, $L, $L)", CL_TRAINING, em.v(p.in()), gOut, em.geometry.get(index),
                    p.pool() == Op.PoolKind.MAX, gIn.get(0));
        } else if (op instanceof Op.GlobalAvgPool) {
            m.addStatement("$T.globalAvgPoolBackward($L, $L)", CL_TRAINING, gOut, gIn.get(0));
        } else if (op instanceof Op.Flatten) {
            m.addStatement("$T.flattenBackward($L, $L)", CL_TRAINING, gOut, gIn.get(0));
        } else {
            return false;
        }
        return true;
    }

    private static boolean isRelu(Op op) {
        return op instanceof Op.Activation a && a.activation() == Op.ActivationKind.RELU;
    }
}
