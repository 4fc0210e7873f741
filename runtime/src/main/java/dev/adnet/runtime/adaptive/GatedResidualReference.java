package dev.adnet.runtime.adaptive;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The unfused compositions of separate libnd4j ops that {@link GatedResidual} and {@link Compaction} are tested
 * and benchmarked against, and the shared reference a per-backend kernel (e.g. CUDA) is checked with. Same
 * signatures and conventions as the fused kernels; the ops write into the caller's arrays (in place where
 * possible), so the comparison measures the passes, not allocation. Arrays must be dense c-order, all of one
 * type, and z of the same type.
 */
public final class GatedResidualReference {
    private GatedResidualReference() {}

    /** broadcast multiply, add, relu: three passes. */
    public static void trainForward(INDArray shortcut, INDArray f, INDArray z, boolean relu, INDArray out) {
        Nd4j.exec(new BroadcastMulOp(f, vector(z), out, 0));
        Nd4j.exec(new AddOp(out, shortcut, out));
        if (relu) {
            Nd4j.exec(new RectifiedLinear(out, out, 0.0));
        }
    }

    /**
     * relu_bp (or a copy), multiply and sum for gradZ, broadcast multiply for gradF. Uses gradShortcut as the
     * storage of g when it is given, else a temporary.
     */
    public static void backward(INDArray f, INDArray z, INDArray out, INDArray gradOut, INDArray gradShortcut,
            INDArray gradF, INDArray gradZ) {
        INDArray g = gradShortcut != null ? gradShortcut : gradOut.ulike();
        if (out != null) {
            Nd4j.exec(DynamicCustomOp.builder("relu_bp").addInputs(out, gradOut).addOutputs(g)
                    .addFloatingPointArguments(0.0).build());
        } else {
            g.assign(gradOut);
        }
        if (gradZ != null) {
            INDArray prod = gradF != null ? gradF : gradOut.ulike();
            Nd4j.exec(new MulOp(g, f, prod));
            Nd4j.exec(new Sum(prod, vector(gradZ), sampleDims(prod)));
        }
        if (gradF != null) {
            Nd4j.exec(new BroadcastMulOp(g, vector(z), gradF, 0));
        }
    }

    /** The gather of {@link Compaction#gather} with libnd4j's {@code gather} op (int32 indices, axis 0). */
    public static void gather(INDArray x, int[] rows, INDArray out) {
        if (rows.length == 0) {
            return;
        }
        Nd4j.exec(DynamicCustomOp.builder("gather").addInputs(x, Nd4j.createFromArray(rows)).addOutputs(out)
                .addIntegerArguments(0).build());
    }

    /** out = shortcut; scatter_add of the sub-batch; relu in place: three passes (plus the index array). */
    public static void scatterResidual(INDArray shortcut, INDArray fSub, int[] rows, boolean relu, INDArray out) {
        out.assign(shortcut);
        if (rows.length > 0) {
            Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(out, Nd4j.createFromArray(rows), fSub)
                    .addOutputs(out).build());
        }
        if (relu) {
            Nd4j.exec(new RectifiedLinear(out, out, 0.0));
        }
    }

    /**
     * The unfused form of {@link Compaction#addRowsInPlace}: libnd4j's {@code scatter_add} into target in place, then
     * relu in place over all of target (libnd4j has no ReLU on a row subset short of another gather and scatter; on
     * a non-negative target, the case the fused kernel is for, the result is the same). Two passes (plus the index
     * array), no copy.
     */
    public static void addRowsInPlace(INDArray target, INDArray fSub, int[] rows, boolean relu) {
        if (rows.length == 0) {
            return;
        }
        Nd4j.exec(DynamicCustomOp.builder("scatter_add").addInputs(target, Nd4j.createFromArray(rows), fSub)
                .addOutputs(target).build());
        if (relu) {
            Nd4j.exec(new RectifiedLinear(target, target, 0.0));
        }
    }

    /** The inference of ConvNet-AIG's official code: F on every sample, multiplied by the 0/1 gate. */
    public static void maskedResidual(INDArray shortcut, INDArray fAll, INDArray z, boolean relu, INDArray out) {
        trainForward(shortcut, fAll, z.dataType() == out.dataType() ? z : z.castTo(out.dataType()), relu, out);
    }

    private static INDArray vector(INDArray z) {
        return z.rank() == 1 ? z : z.reshape(z.length());
    }

    private static int[] sampleDims(INDArray a) {
        int[] d = new int[a.rank() - 1];
        for (int i = 0; i < d.length; i++) {
            d[i] = i + 1;
        }
        return d;
    }
}
