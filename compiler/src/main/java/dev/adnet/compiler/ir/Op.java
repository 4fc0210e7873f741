package dev.adnet.compiler.ir;

import dev.adnet.compiler.source.Span;
import java.util.List;

/**
 * One runtime primitive applied to values. Every op knows its dotted {@code path} (for names and the describe
 * table) and the source {@code origin} it was written at. The ops of a construct of their own (loops, solvers,
 * shares) are top-level types of this package, listed here with the nested ones.
 */
public sealed interface Op permits Op.RegionOp, Op.Fused, Op.Conv2d, Op.Dense, Op.BatchNorm, Op.LayerNorm,
        Op.Activation, Op.Pool2d, Op.GlobalAvgPool, Op.Flatten, Op.Dropout, Op.Concat, Op.Elementwise, Op.GumbelGate,
        TaskPolicy, PolicyMix, Op.Scale, Op.ParentMixture, State, HaltingMean {
    /**
     * An op that owns nested regions and combines their results: a gated block, an exit (and, as the language grows,
     * a loop or a fixed point). In a {@link Region#schedule() schedule} its regions' ops come right before it.
     */
    sealed interface RegionOp extends Op permits GatedResidual, Exit, HaltingLoop, FixedPoint, Ode, ShareUnit,
            FusedOp.GatedResidualRelu, FusedOp.GatedResidualInPlace {
        /** The nested regions, in the order they run. */
        List<Region> regions();

        /** The regions' names, in the same order, for the printed IR. */
        List<String> regionNames();

        /** The values the construct reads from its surroundings (its regions' arguments come from them). */
        List<Value> operands();

        /** The same construct with {@code regions} in place of its own, in the same order: what a rewrite pass builds. */
        RegionOp withRegions(List<Region> regions);

        /**
         * Values the construct itself defines for its regions to read: a halting loop's state, which each step binds to
         * the previous step's result; a fixed point's iterate. Region arguments that come from no operand.
         */
        default List<Value> bound() {
            return List.of();
        }
    }

    /**
     * Ops that a rewrite pass ({@code dev.adnet.compiler.pass}) found to run as one runtime kernel. It stands where
     * the pass placed it in its region, defines the value of its last part, reads what its parts read from outside,
     * and the values between its parts are never stored.
     */
    sealed interface Fused extends Op permits FusedOp.BatchNormRelu, FusedOp.AddRelu, FusedOp.ConvBatchNorm,
            FusedOp.FlattenDense, FusedOp.GateHead, FusedOp.GatedResidualRelu, InPlace, FusedOp.AddReluPool,
            FusedOp.PooledInKernel {
        /** The ops it stands for, in the order the checked IR ran them. */
        List<Op> parts();

        @Override
        default String path() {
            return String.join("+", parts().stream().map(Op::path).toList());
        }

        @Override
        default Span origin() {
            return parts().get(0).origin();
        }

        @Override
        default List<ParamDecl> params() {
            return parts().stream().flatMap(p -> p.params().stream()).toList();
        }
    }

    /**
     * A fused op whose result is stored in the array of one of its operands ({@link #overwrites()}), which it
     * accumulates into: no array of its own, no pass that copies the operand. The operand is dead from here on: no
     * op after this one reads it and it is no network output or region result ({@link IrVerifier} checks it), so
     * the overwrite is invisible to the program's meaning.
     */
    sealed interface InPlace extends Fused permits FusedOp.GatedResidualInPlace, FusedOp.ConvBatchNormAddInto {
        /** The operand whose array this op's result reuses. */
        Value overwrites();
    }

    Value out();

    List<Value> inputs();

    String path();

    Span origin();

    /** Parameters in a fixed order: weight first, then bias or gamma, beta. */
    default List<ParamDecl> params() {
        return List.of();
    }

    /** The layer kind as users write it, for the describe table. */
    String kind();

    record Conv2d(Value in, Value out, ParamDecl weight, ParamDecl bias, int kernelH, int kernelW, int strideH,
            int strideW, int padH, int padW, int dilationH, int dilationW, int groups, String path, Span origin)
            implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        @Override
        public String kind() {
            return "conv";
        }
    }

    /** {@code out = in @ weight + bias}, weight {@code [in, out]}. */
    record Dense(Value in, Value out, ParamDecl weight, ParamDecl bias, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return bias == null ? List.of(weight) : List.of(weight, bias);
        }

        @Override
        public String kind() {
            return "dense";
        }
    }

    record BatchNorm(Value in, Value out, ParamDecl gamma, ParamDecl beta, BufferDecl runningMean,
            BufferDecl runningVar, double momentum, double eps, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(gamma, beta);
        }

        @Override
        public String kind() {
            return "batchnorm";
        }
    }

    /** Normalises over the last dimension. */
    record LayerNorm(Value in, Value out, ParamDecl gamma, ParamDecl beta, double eps, String path, Span origin)
            implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(gamma, beta);
        }

        @Override
        public String kind() {
            return "layernorm";
        }
    }

    enum ActivationKind {
        RELU,
        GELU,
        SIGMOID,
        TANH,
        SOFTMAX
    }

    record Activation(ActivationKind activation, Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return activation.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum PoolKind {
        MAX,
        AVG
    }

    /** Max or average pooling; padding is never counted in an average. */
    record Pool2d(PoolKind pool, Value in, Value out, int kernelH, int kernelW, int strideH, int strideW, int padH,
            int padW, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return pool == PoolKind.MAX ? "max_pool" : "avg_pool";
        }
    }

    /** [C, H, W] to [C]. */
    record GlobalAvgPool(Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "global_avg_pool";
        }
    }

    record Flatten(Value in, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "flatten";
        }
    }

    /** Inverted dropout in training, identity at inference. */
    record Dropout(Value in, Value out, double rate, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "dropout";
        }
    }

    /** Concatenation along the first per-sample (channel) dimension. */
    record Concat(List<Value> ins, Value out, String path, Span origin) implements Op {
        public Concat {
            ins = List.copyOf(ins);
        }

        @Override
        public List<Value> inputs() {
            return ins;
        }

        @Override
        public String kind() {
            return "concat";
        }
    }

    enum ElementwiseKind {
        ADD,
        SUB,
        MUL
    }

    /** Same-shape elementwise {@code a op b}. */
    record Elementwise(ElementwiseKind op, Value a, Value b, Value out, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(a, b);
        }

        @Override
        public String kind() {
            return op.name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    enum GateEstimator {
        /** Hard 0/1 decisions forward, the soft sample's gradient backward. */
        STRAIGHT_THROUGH,
        /** The soft sample itself, forward and backward. */
        SOFT
    }

    /**
     * The per-sample decision of a gate from its two logits ({@code [skip, execute]}): a Gumbel-softmax sample in
     * training, the argmax (or a sample, when asked) at inference. The output has per-sample shape {@code [1]}.
     *
     * @param gateIndex the gate's position among the network's gates, from 0
     * @param temperature the fixed temperature, unless the train section anneals it
     */
    record GumbelGate(Value logits, Value out, int gateIndex, double temperature, GateEstimator estimator,
            boolean sampleAtInference, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(logits);
        }

        @Override
        public String kind() {
            return "gumbel_gate";
        }
    }

    /**
     * {@code out = shortcut + z[n] * body}: a gated residual block. Its {@code head} region computes the per-sample
     * decision {@code z} (ending in a {@link GumbelGate}), its {@code bodyRegion} the block {@code F} and its
     * {@code shortcutRegion} the shortcut (no ops for an identity), each from {@code input} alone. At inference the
     * body runs only on the samples whose gate is open, and its result is added back into their rows.
     *
     * @param input the block's input (what every region reads)
     * @param target the gate's declared execution-rate target
     */
    record GatedResidual(Value input, Region head, Region bodyRegion, Region shortcutRegion, Value out, int gateIndex,
            double target, String path, Span origin) implements RegionOp {
        /** The gate's decision, {@code [1]} per sample: the head's result. */
        public Value gate() {
            return head.result();
        }

        /** The block's output before it is gated: the body's result. */
        public Value body() {
            return bodyRegion.result();
        }

        public Value shortcut() {
            return shortcutRegion.result();
        }

        @Override
        public List<Value> inputs() {
            return List.of(shortcut(), body(), gate());
        }

        @Override
        public List<Region> regions() {
            return List.of(head, bodyRegion, shortcutRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("head", "body", "shortcut");
        }

        @Override
        public List<Value> operands() {
            return List.of(input);
        }

        @Override
        public GatedResidual withRegions(List<Region> regions) {
            return new GatedResidual(input, regions.get(0), regions.get(1), regions.get(2), out, gateIndex, target, path,
                    origin);
        }

        @Override
        public String kind() {
            return "gated_residual";
        }
    }

    /** How an exit decides; a budget is a confidence threshold that {@code adnet calibrate} chooses. */
    enum ExitPolicyKind {
        NONE,
        CONFIDENCE,
        ENTROPY,
        PATIENCE,
        BUDGET
    }

    /**
     * An early exit: its {@code headRegion} computes {@code head} (a classifier over the network output it stands for)
     * from {@code stream} alone, and the op decides per sample whether it leaves there. Its {@code out} is the
     * per-sample decision ({@code [1]}); nothing in the network reads it, the stream goes on unchanged. Training
     * evaluates every head on every sample; inference lets the samples whose policy fires leave the batch.
     *
     * @param threshold the confidence, entropy or patience the policy compares with; for a budget, the fraction of
     *     the full network's FLOPs to calibrate for
     * @param thresholdBuffer the threshold inference uses, as state that checkpoints carry: the declared one, or for a
     *     budget 1 (no sample leaves) until {@code adnet calibrate} stores one
     * @param weight the exit's weight in the training loss, relative to the output's own loss terms
     * @param output the network output this exit stands for
     */
    record Exit(Value stream, Region headRegion, Value out, int exitIndex, String name, ExitPolicyKind policy,
            double threshold, BufferDecl thresholdBuffer, double weight, String output, String path, Span origin)
            implements RegionOp {
        /** The head's logits: the region's result. */
        public Value head() {
            return headRegion.result();
        }

        @Override
        public List<Value> inputs() {
            return List.of(head());
        }

        @Override
        public List<Region> regions() {
            return List.of(headRegion);
        }

        @Override
        public List<String> regionNames() {
            return List.of("head");
        }

        @Override
        public List<Value> operands() {
            return List.of(stream);
        }

        @Override
        public Exit withRegions(List<Region> regions) {
            return new Exit(stream, regions.get(0), out, exitIndex, name, policy, threshold, thresholdBuffer, weight,
                    output, path, origin);
        }

        @Override
        public String kind() {
            return "exit";
        }
    }

    /** {@code out = factor * in}. */
    record Scale(Value in, Value out, double factor, String path, Span origin) implements Op {
        @Override
        public List<Value> inputs() {
            return List.of(in);
        }

        @Override
        public String kind() {
            return "scale";
        }
    }

    /**
     * The input of a node of a learned multi-task tree ({@code branch tree(tau)}, Learning to Branch): in training
     * {@code out = sum_k w_k parents[k]} with {@code w = softmax((logits + g) / temperature)}, Gumbel noise {@code g}
     * drawn once per step; at inference the argmax parent alone. {@code parents} are the previous layer's nodes, one
     * per task, in the order of the network's tasks.
     *
     * @param logits the node's parent logits, {@code [parents.size()]}
     * @param temperature the starting temperature, unless the train section anneals it
     */
    record ParentMixture(List<Value> parents, Value out, ParamDecl logits, double temperature, String path, Span origin)
            implements Op {
        public ParentMixture {
            parents = List.copyOf(parents);
        }

        @Override
        public List<Value> inputs() {
            return parents;
        }

        @Override
        public List<ParamDecl> params() {
            return List.of(logits);
        }

        @Override
        public String kind() {
            return "parent_mixture";
        }
    }
}
