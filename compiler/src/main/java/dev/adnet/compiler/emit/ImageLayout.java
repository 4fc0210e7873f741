package dev.adnet.compiler.emit;

import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.ir.Op;
import dev.adnet.compiler.ir.Value;

/**
 * Whether a network runs channels-last, in inference and training ({@code dev.adnet.runtime.ops.ChannelsLast},
 * {@code ChannelsLastTraining}): only when every op that touches an image-shaped value (rank 3 per sample) has a
 * channels-last form (and its VJP), and no network output is image-shaped (outputs keep the declared channels-first
 * shape without a conversion). The parameters are the same in both layouts, so checkpoints do not depend on it.
 */
final class ImageLayout {
    private ImageLayout() {}

    static boolean channelsLast(Graph graph) {
        for (Graph.Port p : graph.outputs()) {
            if (p.value().rank() == 3) {
                return false;
            }
        }
        boolean images = false;
        for (Op op : graph.ops()) {
            if (!touchesImages(op)) {
                continue;
            }
            images = true;
            if (!supported(op)) {
                return false;
            }
        }
        return images;
    }

    private static boolean touchesImages(Op op) {
        if (op.out().rank() == 3) {
            return true;
        }
        for (Value v : op.inputs()) {
            if (v.rank() == 3) {
                return true;
            }
        }
        return false;
    }

    private static boolean supported(Op op) {
        if (op instanceof Op.Conv2d c) {
            return c.groups() == 1;
        }
        if (op instanceof Op.Activation a) {
            return a.activation() != Op.ActivationKind.SOFTMAX; // element-wise ones only
        }
        return op instanceof Op.BatchNorm || op instanceof Op.Pool2d || op instanceof Op.GlobalAvgPool
                || op instanceof Op.Flatten || op instanceof Op.Dropout || op instanceof Op.Concat
                || op instanceof Op.Elementwise || op instanceof Op.Scale || op instanceof Op.GatedResidual
                || op instanceof Op.Exit || op instanceof Op.ParentMixture;
    }
}
