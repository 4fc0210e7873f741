package dev.adnet.compiler.pass;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.HaltingMean;
import dev.adnet.compiler.ir.Op;
import java.util.List;

/**
 * The passes that build a program from the checked graph, in order. Inference and training differ: the training
 * step's backward needs the values a folded or fused-away op would not store, so training fuses only what its
 * kernels differentiate as one (batchnorm + ReLU, add + ReLU), and channels-last inference does everything.
 *
 * @param passes the passes, each run on the previous one's result
 */
public record Pipeline(List<Pass> passes) {
    public Pipeline {
        passes = List.copyOf(passes);
    }

    /**
     * The inference program's passes; the folds, the flatten into a dense layer, the convolutions adding into their
     * shortcut and the poolings inside residual kernels only for channels-last.
     */
    public static Pipeline inference(boolean channelsLast) {
        return channelsLast
                ? new Pipeline(List.of(new FuseGateHead(), new FuseBatchNormRelu(), new FoldConvBatchNorm(),
                        new FuseAddRelu(), new FuseGatedResidualRelu(), new FuseFlattenDense(), new AddGatedRowsInPlace(),
                        new AddConvIntoShortcut(), new PoolInKernel(), new AddGatedConvIntoRows()))
                : new Pipeline(List.of(new FuseGateHead(), new FuseBatchNormRelu(), new FuseAddRelu(),
                        new FuseGatedResidualRelu(), new AddGatedRowsInPlace()));
    }

    /** The training program's passes. */
    public static Pipeline training() {
        return new Pipeline(List.of(new FuseBatchNormRelu(), new FuseAddRelu()));
    }

    /** The program the passes make of {@code checked}. */
    public Graph run(Graph checked) {
        if (checked.ops().stream().anyMatch(op -> op instanceof HaltingMean)) {
            // A halting loop is unrolled before the passes and its emitter finds each step by the checked step's
            // length; a fusion inside a step would change that length, so such networks run unfused until the
            // passes rewrite the loop's region instead of its unrolled steps.
            return checked;
        }
        Graph g = checked;
        for (Pass p : passes) {
            g = p.run(g);
        }
        return g;
    }
}
