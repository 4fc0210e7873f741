package dev.adnet.compiler.emit;

import static dev.adnet.compiler.emit.JavaEmitter.*;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import dev.adnet.compiler.ir.FusedOp;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.PolicyMix;
import dev.adnet.compiler.ir.State;
import dev.adnet.compiler.ir.TaskPolicy;
import dev.adnet.compiler.ir.TrainSpec;
import dev.adnet.compiler.ir.Value;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The forward of one op of a program, fused or not, as the runtime call that computes it: shared by inference and
 * the training step's forward (where a frozen op runs as at inference).
 */
final class OpEmitter {
    /**
     * How one kind of op is emitted.
     *
     * @param <T> the op's record class
     */
    @FunctionalInterface
    interface Forward<T extends Op> {
        /**
         * @param index the op's index in the checked schedule (a fused op's: its last part's)
         * @param out the name of the op's value
         * @param train false at inference and for a frozen op of the training step
         */
        void emit(MethodSpec.Builder m, T op, int index, String out, boolean train);
    }

    private final JavaEmitter.Emission em;
    /** The ops of the checked IR: after the shared prologue ({@link #forwardOp}) declares their value. */
    private final Map<Class<? extends Op>, Forward<Op>> primitives = new HashMap<>();
    /** The fused ops the passes build: each declares the values it defines. */
    private final Map<Class<? extends Op>, Forward<Op>> fused = new HashMap<>();

    OpEmitter(JavaEmitter.Emission em) {
        this.em = em;
        register();
    }

    /** Emits one op of the program being walked; {@code train} is false for inference and a frozen op. */
    void forwardOp(MethodSpec.Builder m, Op op, boolean train) {
        if (op instanceof Op.Fused f) {
            fusedOp(m, f, train);
            return;
        }
        int index = em.index(op);
        em.comment(m, op);
        String out = em.v(op.out());
        if (op instanceof Op.Exit) {
            m.addComment("while training every sample continues: the head's loss is a term of its own");
            return;
        }
        if (op instanceof Op.Dropout d && !train) {
            m.addStatement("$T $L = $L", INDARRAY, out, em.v(d.in()));
            return;
        }
        CodeBlock declaration = CodeBlock.of("$T $L = $L", INDARRAY, out, em.alloc("v" + op.out().id(), op.out().shape()));
        if (em.hoisted != null) {
            em.hoisted.addStatement(declaration);
        } else {
            m.addStatement(declaration);
        }
        if (!train && em.channelsLastInference() && op instanceof Op.GlobalAvgPool g) {
            // a pooling no fused kernel has to match to the bit: oneDNN's
            m.addStatement("$T.pooledMeans($L, $L)", op("ChannelsLast"), em.v(g.in()), out);
            return;
        }
        if (em.nhwc && op.inputs().get(0).rank() == 3 && channelsLastOp(m, index, op, out)) {
            return;
        }
        Forward<Op> emitter = primitives.get(op.getClass());
        if (emitter == null) {
            throw new IllegalStateException("no emitter for " + op.kind());
        }
        emitter.emit(m, op, index, out, train);
    }

    /** A fused op of the program: one runtime kernel for its parts. */
    private void fusedOp(MethodSpec.Builder m, Op.Fused op, boolean train) {
        Forward<Op> emitter = fused.get(op.getClass());
        if (emitter == null) {
            throw new IllegalStateException("no emitter for " + op.kind());
        }
        emitter.emit(m, op, em.index(op), em.v(op.out()), train);
    }

    /** The tables: each kind of op (a record class) to the code that emits it. */
    private void register() {
        on(primitives, Op.Conv2d.class, (m, c, index, out, train) -> m.addStatement("$T.forward($L, $L, $L, $L, $L)",
                op("Conv2d"), em.v(c.in()), em.param(c.weight()), em.param(c.bias()), em.geometry.get(index), out));
        on(primitives, State.class, (m, s, index, out, train) -> HaltingLoopEmitter.forward(m, s, out, em::v, em.aux(s, "steps"), false));
        on(primitives, HaltingMean.class, (m, h, index, out, train) ->
                HaltingLoopEmitter.forward(m, h, out, em::v, em.aux(h, "steps"), em.acts.watched(h)));
        on(primitives, Op.Dense.class, (m, d, index, out, train) -> m.addStatement("$T.forward($L, $L, $L, $L)",
                op("Dense"), em.v(d.in()), em.param(d.weight()), em.param(d.bias()), out));
        on(primitives, Op.BatchNorm.class, (m, b, index, out, train) -> batchNorm(m, b, index, op("BatchNorm"), out, train));
        on(primitives, Op.LayerNorm.class, this::layerNorm);
        on(primitives, Op.Activation.class, (m, a, index, out, train) -> m.addStatement("$T.forward($L, $L)",
                activation(a.activation()), em.v(a.in()), out));
        on(primitives, Op.Pool2d.class, (m, p, index, out, train) -> {
            if (p.pool() == Op.PoolKind.MAX) {
                m.addStatement("$T.forward($L, $L, $L)", op("MaxPool2d"), em.v(p.in()), em.geometry.get(index), out);
            } else {
                m.addStatement("$T.forward($L, $L, false, $L)", op("AvgPool2d"), em.v(p.in()), em.geometry.get(index),
                        out);
            }
        });
        on(primitives, Op.GlobalAvgPool.class, (m, g, index, out, train) -> m.addStatement("$T.forward($L, $L)",
                op("GlobalAvgPool"), em.v(g.in()), out));
        on(primitives, Op.Flatten.class, (m, f, index, out, train) -> m.addStatement("$T.forward($L, $L)", op("Flatten"),
                em.v(f.in()), out));
        on(primitives, Op.Dropout.class, (m, d, index, out, train) -> {
            m.addStatement("$T $L = $L", INDARRAY, em.mask(d), em.alloc("mask" + index, d.in().shape()));
            m.addStatement("$T.forward($L, $L, seedFor(context.seed(), $L), $L, $L)", op("Dropout"), em.v(d.in()),
                    lit(d.rate()), index, out, em.mask(d));
        });
        on(primitives, Op.Concat.class, (m, c, index, out, train) -> {
            List<String> names = new ArrayList<>();
            for (Value x : c.ins()) {
                names.add(em.v(x));
            }
            // channels-last images are concatenated along their last axis
            int axis = em.nhwc && c.out().rank() == 3 ? 3 : 1;
            m.addStatement("$T.forward(new $T[] {$L}, $L, $L)", op("Concat"), INDARRAY, String.join(", ", names),
                    axis, out);
        });
        on(primitives, Op.Elementwise.class, (m, e, index, out, train) -> m.addStatement("$T.$L($L, $L, $L)",
                ELEMENTWISE, e.op().name().toLowerCase(java.util.Locale.ROOT), em.v(e.a()), em.v(e.b()), out));
        on(primitives, Op.Scale.class, (m, s, index, out, train) -> m.addStatement("$T.scale($L, $L, $L)", ELEMENTWISE,
                em.v(s.in()), lit(s.factor()), out));
        on(primitives, Op.GumbelGate.class, this::gumbelGate);
        on(primitives, Op.ParentMixture.class, (m, p, index, out, train) -> BranchEmitter.forward(m, em, p, index, out, train));
        on(primitives, Op.GatedResidual.class, this::gatedResidual);
        on(primitives, TaskPolicy.class, (m, p, index, out, train) -> em.shares.policy(m, p, index, out, train));
        on(primitives, PolicyMix.class, (m, x, index, out, train) -> em.shares.mix(m, x, out));
        on(fused, FusedOp.BatchNormRelu.class, (m, f, index, out, train) -> {
            em.comment(m, f.relu());
            em.fusedWith(m, f.batchNorm());
            m.addStatement("$T $L = $L", INDARRAY, out, em.alloc("v" + f.out().id(), f.out().shape()));
            batchNorm(m, f.batchNorm(), em.index(f.batchNorm()), op("FusedBatchNormRelu"), out, train);
        });
        on(fused, FusedOp.AddRelu.class, (m, f, index, out, train) -> addRelu(m, f, null, train));
        on(fused, FusedOp.AddReluPool.class, (m, f, index, out, train) -> addRelu(m, f.addRelu(), f.pool(), train));
        // computed by the residual kernel that wrote its input
        on(fused, FusedOp.PooledInKernel.class, (m, f, index, out, train) -> { });
        on(fused, FusedOp.ConvBatchNormAddInto.class, (m, f, index, out, train) -> {
            em.inference.convIntoShortcut(m, f);
            addedIntoShortcut(m, f.sum(), f.relu(), f.shortcut());
        });
        on(fused, FusedOp.ConvBatchNorm.class, (m, f, index, out, train) -> convBatchNorm(m, f));
        on(fused, FusedOp.FlattenDense.class, (m, f, index, out, train) -> {
            Op.Dense d = f.dense();
            Op.Flatten flat = f.flatten();
            em.comment(m, d);
            m.addComment("on the image before $L at $L, which is not copied", commentText(flat.path()),
                    flat.origin() == null ? "?" : commentText(flat.origin().toString()));
            m.addStatement("$T $L = $L", INDARRAY, out, em.alloc("v" + d.out().id(), d.out().shape()));
            m.addStatement("$T.flattenDense($L, $L, $L, $L)", op("ChannelsLast"), em.v(flat.in()), em.param(d.weight()),
                    em.param(d.bias()), out);
        });
        on(fused, FusedOp.GateHead.class, (m, f, index, out, train) -> gateHead(m, f));
        on(fused, FusedOp.GatedResidualRelu.class, (m, f, index, out, train) -> {
            em.comment(m, f.gate());
            em.inference.gatedResidualRelu(m, f.gate(), f.relu(), null);
        });
        on(fused, FusedOp.GatedResidualInPlace.class, (m, f, index, out, train) -> {
            em.comment(m, f.gate());
            em.inference.gatedResidualRelu(m, f.gate(), f.relu(), f);
        });
    }

    private static <T extends Op> void on(Map<Class<? extends Op>, Forward<Op>> table, Class<T> kind, Forward<T> f) {
        table.put(kind, (m, op, index, out, train) -> f.emit(m, kind.cast(op), index, out, train));
    }

    private void layerNorm(MethodSpec.Builder m, Op.LayerNorm l, int index, String out, boolean train) {
        if (train) {
            long[] s = l.in().shape();
            long[] rows = java.util.Arrays.copyOf(s, s.length - 1);
            m.addStatement("$T $L = $L", INDARRAY, em.saveMean(l), em.alloc("mean" + index, rows));
            m.addStatement("$T $L = $L", INDARRAY, em.saveInvStd(l), em.alloc("invstd" + index, rows));
            m.addStatement("$T.forward($L, $L, $L, $L, $L, $L, $L)", op("LayerNorm"), em.v(l.in()),
                    em.param(l.gamma()), em.param(l.beta()), lit(l.eps()), out, em.saveMean(l), em.saveInvStd(l));
        } else {
            m.addStatement("$T.forward($L, $L, $L, $L, $L, null, null)", op("LayerNorm"), em.v(l.in()),
                    em.param(l.gamma()), em.param(l.beta()), lit(l.eps()), out);
        }
    }

    /** A gate's decision: a Gumbel-softmax sample in training, the argmax (or a sample) at inference. */
    private void gumbelGate(MethodSpec.Builder m, Op.GumbelGate g, int index, String out, boolean train) {
        if (train) {
            m.addStatement("$T $L = $L", INDARRAY, em.soft(g), em.alloc("soft" + index, new long[] {2}));
            m.addStatement("$T.forward($L, $L, $T.Estimator.$L, seedFor(context.seed(), $L), true, $L, $L)", GUMBEL,
                    em.v(g.logits()), temperature(g), GUMBEL, g.estimator().name(), index, out, em.soft(g));
        } else {
            m.addStatement("$T.inference($L, $L, seedFor(inferenceSeed.getAndIncrement(), $L), $L)", GUMBEL, em.v(g.logits()),
                    g.sampleAtInference(), index, out);
            m.beginControlFlow("if (gateMode == $T.ALL_OPEN)", GATE_MODE);
            m.addStatement("$T.allOpen($L)", GUMBEL, out);
            m.endControlFlow();
        }
    }

    /** A gated residual without a fused ReLU: every row in training, the open rows scattered back at inference. */
    private void gatedResidual(MethodSpec.Builder m, Op.GatedResidual g, int index, String out, boolean train) {
        if (train) {
            m.addStatement("$T.trainForward($L, $L, $L, false, $L)", GATED_RESIDUAL, em.v(g.shortcut()), em.v(g.body()),
                    em.v(g.gate()), out);
        } else {
            m.beginControlFlow("if (gateMode == $T.MASK)", GATE_MODE);
            m.addStatement("$T.trainForward($L, $L, $L, false, $L)", GATED_RESIDUAL, em.v(g.shortcut()), em.inference.subOut(g),
                    em.v(g.gate()), out);
            m.nextControlFlow("else");
            m.addStatement("$T.scatterResidual($L, $L, $L, false, $L)", COMPACTION, em.v(g.shortcut()), em.inference.subOut(g),
                    em.inference.openRows(g), out);
            m.endControlFlow();
        }
    }

    /**
     * An add and its ReLU as one {@code Elementwise.addRelu} where the add was; at channels-last inference with
     * {@code pool}, the pooling of its result, when not null ({@code PoolInKernel}).
     */
    private void addRelu(MethodSpec.Builder m, FusedOp.AddRelu f, Op.GlobalAvgPool pool, boolean train) {
        Op.Elementwise e = f.add();
        Op.Activation relu = f.relu();
        em.comment(m, relu);
        em.fusedWith(m, e);
        m.addStatement("$T $L = $L", INDARRAY, em.v(relu.out()), em.alloc("v" + relu.out().id(), relu.out().shape()));
        String pooled = train ? null : em.inference.earlyPool(m, pool);
        if (pooled != null) {
            m.addStatement("$T.addRelu($L, $L, $L, $L)", ELEMENTWISE, em.v(e.a()), em.v(e.b()), em.v(relu.out()), pooled);
        } else {
            m.addStatement("$T.addRelu($L, $L, $L)", ELEMENTWISE, em.v(e.a()), em.v(e.b()), em.v(relu.out()));
        }
        m.addComment("the sum is not stored: the ReLU's backward reads its output, of the same sign");
        m.addStatement("$T $L = $L", INDARRAY, em.v(e.out()), em.v(relu.out()));
    }

    /**
     * A residual add (with its ReLU, if fused) that the convolution before it computed by adding into the
     * shortcut's array: its values are that array.
     */
    private void addedIntoShortcut(MethodSpec.Builder m, Op add, Op relu, Value shortcut) {
        m.addComment("$L at $L: added into $L by the convolution before", commentText(add.path()),
                add.origin() == null ? "?" : commentText(add.origin().toString()), em.v(shortcut));
        if (relu != null) {
            m.addStatement("$T $L = $L", INDARRAY, em.v(relu.out()), em.v(shortcut));
        }
        m.addStatement("$T $L = $L", INDARRAY, em.v(add.out()), em.v(shortcut));
    }

    /** A batchnorm folded into its convolution ({@code ChannelsLast.convBatchNorm}), with its ReLU as the post-op. */
    private void convBatchNorm(MethodSpec.Builder m, FusedOp.ConvBatchNorm f) {
        Op.BatchNorm b = f.batchNorm();
        Op.Conv2d c = f.conv();
        if (f.relu() != null) {
            em.comment(m, f.relu());
            em.fusedWith(m, b);
        } else {
            em.comment(m, b);
        }
        String out = em.v(f.out());
        m.addStatement("$T $L = $L", INDARRAY, out, em.alloc("v" + f.out().id(), f.out().shape()));
        m.addComment("folded with $L at $L", commentText(c.path()),
                c.origin() == null ? "?" : commentText(c.origin().toString()));
        m.addStatement("$T.convBatchNorm($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"),
                em.v(c.in()), em.param(c.weight()), em.param(c.bias()), em.geometry.get(em.index(c)),
                em.param(b.gamma()), em.param(b.beta()), em.bufferField.get(b.runningMean().name()),
                em.bufferField.get(b.runningVar().name()), lit(b.eps()), f.relu() != null, out);
    }

    /**
     * The channels-last form of an op on images, if it differs from the channels-first one (element-wise ops,
     * dropout and the gated residual's row kernels do not; concat only changes its axis); false otherwise.
     */
    private boolean channelsLastOp(MethodSpec.Builder m, int index, Op op, String out) {
        ClassName cl = op("ChannelsLast");
        if (op instanceof Op.Conv2d c) {
            m.addStatement("$T.conv2d($L, $L, $L, $L, $L)", cl, em.v(c.in()), em.param(c.weight()), em.param(c.bias()),
                    em.geometry.get(index), out);
        } else if (op instanceof Op.Pool2d p) {
            m.addStatement("$T.pool2d($L, $L, $L, $L)", cl, em.v(p.in()), em.geometry.get(index),
                    p.pool() == Op.PoolKind.MAX, out);
        } else if (op instanceof Op.GlobalAvgPool g) {
            m.addStatement("$T.globalAvgPool($L, $L)", cl, em.v(g.in()), out);
        } else if (op instanceof Op.Flatten f) {
            m.addStatement("$T.flatten($L, $L)", cl, em.v(f.in()), out);
        } else {
            return false;
        }
        return true;
    }

    /** A gate head's four ops as one kernel ({@code GateHead.inference}). */
    private void gateHead(MethodSpec.Builder m, FusedOp.GateHead f) {
        Op.Dense first = f.first();
        Op.BatchNorm b = f.batchNorm();
        Op.Dense last = f.last();
        em.comment(m, last);
        for (Op part : List.of(first, b, f.relu())) {
            em.fusedWith(m, part);
        }
        String out = em.v(last.out());
        m.addStatement("$T $L = $L", INDARRAY, out, em.alloc("v" + last.out().id(), last.out().shape()));
        m.addStatement("$T.inference($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", ClassName.get(ADAPTIVE, "GateHead"),
                em.v(first.in()), em.param(first.weight()), em.param(first.bias()), em.param(b.gamma()), em.param(b.beta()),
                em.bufferField.get(b.runningMean().name()), em.bufferField.get(b.runningVar().name()), lit(b.eps()),
                em.param(last.weight()), em.param(last.bias()), out);
    }

    /**
     * A batchnorm (op {@code index}) into {@code out} through {@code kernel} ({@code BatchNorm}, or
     * {@code FusedBatchNormRelu} when its ReLU runs with it): batch statistics saved for the backward in training,
     * running statistics at inference.
     */
    private void batchNorm(MethodSpec.Builder m, Op.BatchNorm b, int index, ClassName kernel, String out, boolean train) {
        String rm = em.bufferField.get(b.runningMean().name());
        String rv = em.bufferField.get(b.runningVar().name());
        boolean relu = kernel.simpleName().equals("FusedBatchNormRelu");
        if (train) {
            long[] c = {b.in().dim(0)};
            m.addStatement("$T $L = $L", INDARRAY, em.saveMean(b), em.allocUnbatched("mean" + index, c));
            m.addStatement("$T $L = $L", INDARRAY, em.saveInvStd(b), em.allocUnbatched("invstd" + index, c));
            if (em.nhwc && b.in().rank() == 3) {
                m.addStatement("$T.batchNormTrain($L, $L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", CL_TRAINING, em.v(b.in()),
                        em.param(b.gamma()), em.param(b.beta()), rm, rv, lit(b.momentum()), lit(b.eps()), relu, out,
                        em.saveMean(b), em.saveInvStd(b));
            } else {
                m.addStatement("$T.trainForward($L, $L, $L, $L, $L, $L, $L, $L, $L, $L)", kernel, em.v(b.in()),
                        em.param(b.gamma()), em.param(b.beta()), rm, rv, lit(b.momentum()), lit(b.eps()), out, em.saveMean(b),
                        em.saveInvStd(b));
            }
        } else if (em.nhwc && b.in().rank() == 3) {
            m.addStatement("$T.batchNorm($L, $L, $L, $L, $L, $L, $L, $L)", op("ChannelsLast"), em.v(b.in()),
                    em.param(b.gamma()), em.param(b.beta()), rm, rv, lit(b.eps()), relu, out);
        } else {
            m.addStatement("$T.inference($L, $L, $L, $L, $L, $L, $L)", kernel, em.v(b.in()), em.param(b.gamma()),
                    em.param(b.beta()), rm, rv, lit(b.eps()), out);
        }
    }

    static ClassName activation(Op.ActivationKind k) {
        return switch (k) {
            case RELU -> op("Relu");
            case GELU -> op("Gelu");
            case SIGMOID -> op("Sigmoid");
            case TANH -> op("Tanh");
            case SOFTMAX -> op("Softmax");
        };
    }

    /** A gate's temperature: the train section's (fixed or annealed over training) or the gate's own. */
    String temperature(Op.GumbelGate g) {
        TrainSpec.Temperature t = em.graph.training() == null ? null : em.graph.training().temperature();
        if (t == null) {
            return lit(g.temperature());
        }
        return t.from() == t.to() ? lit(t.from()) : "temperature";
    }
}
