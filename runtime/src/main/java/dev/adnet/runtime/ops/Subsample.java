package dev.adnet.runtime.ops;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Strided subsampling of NCHW maps ({@code x[:, :, ::sH, ::sW]}) and its adjoint (scatter into zeros), for the
 * backward of unpadded strided 1x1 convolutions (residual projections), which {@link Conv2d} runs as the backward of
 * a stride-1 convolution of the subsampled input. FLOAT arrays go through heap tiles of whole planes (bulk copies,
 * two threads), others through ND4J views.
 */
final class Subsample {
    private Subsample() {}

    /** Floats per bulk copy (whole planes; at least one). */
    private static final int TILE = 1 << 14;

    /** {@code x[:, :, ::sH, ::sW]} as a new dense array of spatial size {@code oh x ow}. */
    static INDArray gather(INDArray x, int sH, int sW, int oh, int ow) {
        int h = (int) x.size(2);
        int w = (int) x.size(3);
        if (x.dataType() != DataType.FLOAT || !Direct.isDense(x)) {
            return x.get(all(), all(), interval(0, sH, h), interval(0, sW, w)).dup('c');
        }
        INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.size(0), x.size(1), oh, ow);
        FloatBuffer xb = x.data().asNioFloat();
        int xo = Math.toIntExact(x.offset());
        FloatBuffer ob = out.data().asNioFloat();
        int planes = Math.toIntExact(x.size(0) * x.size(1));
        int tile = Math.max(1, TILE / (h * w)); // planes per bulk copy: one call per plane costs more than the copy
        Parallel.forRange(planes, (long) planes * h * w, (part, from, to) -> {
            float[] in = new float[tile * h * w];
            float[] o = new float[tile * oh * ow];
            for (int p0 = from; p0 < to; p0 += tile) {
                int k = Math.min(tile, to - p0);
                xb.get(xo + p0 * h * w, in, 0, k * h * w);
                for (int p = 0; p < k; p++) {
                    for (int r = 0; r < oh; r++) {
                        int src = p * h * w + r * sH * w;
                        int dst = (p * oh + r) * ow;
                        for (int c = 0; c < ow; c++) {
                            o[dst + c] = in[src + c * sW];
                        }
                    }
                }
                ob.put(p0 * oh * ow, o, 0, k * oh * ow);
            }
        });
        Reference.reachabilityFence(x);
        return out;
    }

    /**
     * Overwrites {@code target} ({@code [N, C, H, W]}) with zeros except {@code target[:, :, ::sH, ::sW] = sub}
     * ({@code sub} dense, {@code [N, C, oh, ow]}).
     */
    static void scatter(INDArray sub, int sH, int sW, INDArray target) {
        int h = (int) target.size(2);
        int w = (int) target.size(3);
        if (target.dataType() != DataType.FLOAT || sub.dataType() != DataType.FLOAT || !Direct.isDense(target)
                || !Direct.isDense(sub)) {
            target.assign(0);
            target.get(all(), all(), interval(0, sH, h), interval(0, sW, w)).assign(sub);
            return;
        }
        int oh = (int) sub.size(2);
        int ow = (int) sub.size(3);
        FloatBuffer sb = sub.data().asNioFloat();
        int so = Math.toIntExact(sub.offset());
        FloatBuffer tb = target.data().asNioFloat();
        int to0 = Math.toIntExact(target.offset());
        int planes = Math.toIntExact(target.size(0) * target.size(1));
        int tile = Math.max(1, TILE / (h * w));
        Parallel.forRange(planes, (long) planes * h * w, (part, from, to) -> {
            float[] in = new float[tile * oh * ow];
            float[] o = new float[tile * h * w]; // positions off the stride grid stay zero
            for (int p0 = from; p0 < to; p0 += tile) {
                int k = Math.min(tile, to - p0);
                sb.get(so + p0 * oh * ow, in, 0, k * oh * ow);
                for (int p = 0; p < k; p++) {
                    for (int r = 0; r < oh; r++) {
                        int src = (p * oh + r) * ow;
                        int dst = p * h * w + r * sH * w;
                        for (int c = 0; c < ow; c++) {
                            o[dst + c * sW] = in[src + c];
                        }
                    }
                }
                tb.put(to0 + p0 * h * w, o, 0, k * h * w);
            }
        });
        Reference.reachabilityFence(sub);
        Reference.reachabilityFence(target);
    }
}
