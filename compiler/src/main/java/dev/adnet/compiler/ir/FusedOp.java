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
}
