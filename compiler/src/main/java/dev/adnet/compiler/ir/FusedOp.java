package dev.adnet.compiler.ir;

import java.util.ArrayList;
import java.util.List;

/**
 * The fused ops the rewrite passes build ({@link Op.Fused}): each keeps the checked ops it stands for, so that the
 * emitter names, comments and indexes them as the checked IR does.
 */
public final class FusedOp {
    private FusedOp() {}

    /** A rank-4 batchnorm and the ReLU that alone reads it: one pass each way, no intermediate array. */
    public record BatchNormRelu(Op.BatchNorm batchNorm, Op.Activation relu) implements Op.Fused {
        @Override
        public List<Op> parts() {
            return List.of(batchNorm, relu);
        }

        @Override
        public Value out() {
            return relu.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(batchNorm.in());
        }

        @Override
        public String kind() {
            return "batchnorm_relu";
        }
    }

    /** An add and the ReLU that alone reads it, placed where the add was: the sum is never stored. */
    public record AddRelu(Op.Elementwise add, Op.Activation relu) implements Op.Fused {
        @Override
        public List<Op> parts() {
            return List.of(add, relu);
        }

        @Override
        public Value out() {
            return relu.out();
        }

        @Override
        public List<Value> inputs() {
            return add.inputs();
        }

        @Override
        public String kind() {
            return "add_relu";
        }
    }

    /**
     * Channels-last inference: a batchnorm folded into the convolution right before it, which it alone reads
     * (scaled weights and a bias), with the ReLU after it as oneDNN's post-op when {@code relu} is not null.
     */
    public record ConvBatchNorm(Op.Conv2d conv, Op.BatchNorm batchNorm, Op.Activation relu) implements Op.Fused {
        @Override
        public List<Op> parts() {
            List<Op> parts = new ArrayList<>(List.of(conv, batchNorm));
            if (relu != null) {
                parts.add(relu);
            }
            return List.copyOf(parts);
        }

        @Override
        public Value out() {
            return relu == null ? batchNorm.out() : relu.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(conv.in());
        }

        @Override
        public String kind() {
            return relu == null ? "conv_batchnorm" : "conv_batchnorm_relu";
        }
    }

    /** Channels-last inference: a dense layer that reads an image as it is, so its flattened copy is never made. */
    public record FlattenDense(Op.Flatten flatten, Op.Dense dense) implements Op.Fused {
        @Override
        public List<Op> parts() {
            return List.of(flatten, dense);
        }

        @Override
        public Value out() {
            return dense.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(flatten.in());
        }

        @Override
        public String kind() {
            return "flatten_dense";
        }
    }

    /**
     * Inference: a gated residual read only by a ReLU (ConvNet-AIG's {@code gate residual F -> relu}), the ReLU
     * inside the kernel that adds the open rows back; a construct still, with the gate's regions.
     */
    public record GatedResidualRelu(Op.GatedResidual gate, Op.Activation relu) implements Op.Fused, Op.RegionOp {
        @Override
        public List<Op> parts() {
            return List.of(gate, relu);
        }

        @Override
        public Value out() {
            return relu.out();
        }

        @Override
        public List<Value> inputs() {
            return gate.inputs();
        }

        @Override
        public List<Region> regions() {
            return gate.regions();
        }

        @Override
        public List<String> regionNames() {
            return gate.regionNames();
        }

        @Override
        public List<Value> operands() {
            return gate.operands();
        }

        @Override
        public GatedResidualRelu withRegions(List<Region> regions) {
            return new GatedResidualRelu(gate.withRegions(regions), relu);
        }

        @Override
        public String kind() {
            return "gated_residual_relu";
        }
    }

    /**
     * Inference: a gate head's {@code dense -> batchnorm -> relu -> dense} into its decision as one kernel; as four
     * ops on {@code [B, 16]} arrays their dispatch would cost more than their arithmetic.
     */
    public record GateHead(Op.Dense first, Op.BatchNorm batchNorm, Op.Activation relu, Op.Dense last)
            implements Op.Fused {
        @Override
        public List<Op> parts() {
            return List.of(first, batchNorm, relu, last);
        }

        @Override
        public Value out() {
            return last.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(first.in());
        }

        @Override
        public String kind() {
            return "gate_head";
        }
    }

    /**
     * Inference: a gated residual + ReLU ({@link GatedResidualRelu}) whose shortcut is a ReLU's output that nothing
     * reads afterwards: the open rows are added into the shortcut's array ({@code Compaction.addRowsInPlace}), whose
     * closed rows already are the result, so a closed row costs nothing.
     *
     * @param pool at channels-last inference, the global average pooling of the result that the kernel computes in
     *     the same pass (it stands later as a {@link PooledInKernel}); null when none
     * @param closedPool with {@code pool}, the earlier pooling of the shortcut (the gate head's) whose rows the
     *     closed rows' means copy; null when none
     * @param lastConvAdds at channels-last inference, whether the body's last op, a folded convolution + batchnorm,
     *     adds into the shortcut's open rows when they are one range of the batch, with the ReLU as oneDNN's post-op
     */
    public record GatedResidualInPlace(GatedResidualRelu residual, Op.GlobalAvgPool pool, Op.GlobalAvgPool closedPool,
            boolean lastConvAdds) implements Op.InPlace, Op.RegionOp {
        public Op.GatedResidual gate() {
            return residual.gate();
        }

        public Op.Activation relu() {
            return residual.relu();
        }

        /** The same op computing {@code pool} (and copying {@code closedPool}'s rows) in its kernel. */
        public GatedResidualInPlace withPools(Op.GlobalAvgPool pool, Op.GlobalAvgPool closedPool) {
            return new GatedResidualInPlace(residual, pool, closedPool, lastConvAdds);
        }

        /** The same op with its body's last convolution adding into the open rows. */
        public GatedResidualInPlace withLastConvAdding() {
            return new GatedResidualInPlace(residual, pool, closedPool, true);
        }

        @Override
        public Value overwrites() {
            return gate().shortcut();
        }

        @Override
        public List<Op> parts() {
            return residual.parts();
        }

        @Override
        public Value out() {
            return residual.out();
        }

        @Override
        public List<Value> inputs() {
            return residual.inputs();
        }

        @Override
        public List<Region> regions() {
            return residual.regions();
        }

        @Override
        public List<String> regionNames() {
            return residual.regionNames();
        }

        @Override
        public List<Value> operands() {
            return residual.operands();
        }

        @Override
        public GatedResidualInPlace withRegions(List<Region> regions) {
            return new GatedResidualInPlace(residual.withRegions(regions), pool, closedPool, lastConvAdds);
        }

        @Override
        public String kind() {
            return "gated_residual_relu_in_place";
        }
    }

    /**
     * Channels-last inference: a residual add (or {@link AddRelu}) of a folded convolution + batchnorm that only the
     * add reads to a shortcut that nothing reads afterwards, computed by the convolution adding into the shortcut's
     * array as it writes its result ({@code ChannelsLast.convBatchNormAdd}: oneDNN's sum post-op, the add's ReLU
     * after it), so the add costs no pass over three arrays. It stands where the add was.
     *
     * @param add an {@link Op.Elementwise} add or an {@link AddRelu}
     * @param shortcut the add's other operand, whose array holds the result
     */
    public record ConvBatchNormAddInto(ConvBatchNorm conv, Op add, Value shortcut) implements Op.InPlace {
        /** The add's ReLU, or null. */
        public Op.Activation relu() {
            return add instanceof AddRelu f ? f.relu() : null;
        }

        /** The add itself. */
        public Op.Elementwise sum() {
            return add instanceof AddRelu f ? f.add() : (Op.Elementwise) add;
        }

        @Override
        public Value overwrites() {
            return shortcut;
        }

        @Override
        public List<Op> parts() {
            List<Op> parts = new ArrayList<>(conv.parts());
            parts.addAll(add instanceof Op.Fused f ? f.parts() : List.of(add));
            return List.copyOf(parts);
        }

        @Override
        public Value out() {
            return add.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(conv.conv().in(), shortcut);
        }

        @Override
        public String kind() {
            return add instanceof AddRelu ? "conv_batchnorm_add_relu_into" : "conv_batchnorm_add_into";
        }
    }

    /**
     * Channels-last inference: an {@link AddRelu} that also writes the global average pooling of its result
     * ({@code Elementwise.addRelu} with means), which stands later as a {@link PooledInKernel}: the pooling does
     * not read the block's output again.
     */
    public record AddReluPool(AddRelu addRelu, Op.GlobalAvgPool pool) implements Op.Fused {
        @Override
        public List<Op> parts() {
            return addRelu.parts();
        }

        @Override
        public Value out() {
            return addRelu.out();
        }

        @Override
        public List<Value> inputs() {
            return addRelu.inputs();
        }

        @Override
        public String kind() {
            return "add_relu_pool";
        }
    }

    /**
     * A global average pooling that the residual kernel before it computed ({@link AddReluPool},
     * {@link GatedResidualInPlace#pool()}): its value is that kernel's means, so it runs nothing where it stands.
     */
    public record PooledInKernel(Op.GlobalAvgPool pool) implements Op.Fused {
        @Override
        public List<Op> parts() {
            return List.of(pool);
        }

        @Override
        public Value out() {
            return pool.out();
        }

        @Override
        public List<Value> inputs() {
            return List.of(pool.in());
        }

        @Override
        public String kind() {
            return "pooled_in_kernel";
        }
    }
}
