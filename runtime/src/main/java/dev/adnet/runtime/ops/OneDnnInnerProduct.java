package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_inner_product_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.lang.ref.Reference;
import org.bytedeco.dnnl.dnnl_inner_product_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A dense layer on the flattened channels-last image before it, {@code out = flatten(x) · w + b} for {@code x} of
 * {@code [B, H, W, C]} and {@code w} of {@code [C * H * W, N]} (rows in channels-first order, as the network was
 * declared and trained), as one oneDNN inner product: oneDNN reads the NHWC image as it is and the weights through a
 * stride description of their layout, so no flattened copy of the image is made. Why not libnd4j's matmul: right
 * after oneDNN's convolutions a libnd4j call took 0.35-0.5 ms for an exit head's {@code [256, 784] x [784, 10]},
 * and the flatten that reorders the image 0.3 ms more; the whole head now costs less than half (docs/benchmarks.md,
 * session 7). Inference only; the weights are reordered into the primitive's layout when their values change
 * ({@link OneDnnWeights}).
 */
final class OneDnnInnerProduct {
    private OneDnnInnerProduct() {}

    /** Whether {@link #forward} takes these arrays as they are (else the caller flattens and multiplies). */
    static boolean accepts(INDArray x, INDArray w, INDArray b, INDArray out) {
        return OneDnn.available() && x.rank() == 4 && w.rank() == 2 && OneDnn.takes(x) && OneDnn.takes(w)
                && OneDnn.takes(out) && (b == null || OneDnn.takes(b));
    }

    /** Primitives by batch, image and output size; a sub-batch size is a shape of its own. */
    private static final OneDnn.Cache<Key, Forward> CACHE = new OneDnn.Cache<>(Forward::new);

    private record Key(long n, long h, long w, long c, long outputs, boolean bias) {
        long multiplyAdds() {
            return n * h * w * c * outputs;
        }
    }

    /**
     * Products up to this many multiply-adds run on one OpenMP thread ({@link OneDnn#executeOnOneThread}): measured
     * on this machine, right after a convolution, one thread was 1.5-2.9x faster up to 2M (the exit heads' [48..256,
     * 784] x [784, 10]), 0.9-1.2x from 4M to 20M, slower from 25M ({@code ExitHeadBenchmark}; docs/benchmarks.md,
     * session 8).
     */
    static final long ONE_THREAD_MAX_MULTIPLY_ADDS = 1L << 22;

    /** The limit in force: benchmarks move it to compare (-1: every product on all threads). */
    static volatile long oneThreadLimit = ONE_THREAD_MAX_MULTIPLY_ADDS;

    /** One shape's inner product, with memory objects re-pointed at each call's arrays. */
    private static final class Forward {
        final dnnl_primitive primitive;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory_desc_t weightMd;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory bias;

        Forward(Key k) {
            dnnl_memory_desc_t srcMd = OneDnn.desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            // the weights [C*H*W, N] as oneDNN's logical (N, C, H, W): row (c, h, w), column o
            userWeightMd = new dnnl_memory_desc_t();
            OneDnn.check(dnnl_memory_desc_init_by_strides(userWeightMd, 4, new long[] {k.outputs(), k.c(), k.h(), k.w()},
                    dnnl_f32, new long[] {1, k.h() * k.w() * k.outputs(), k.w() * k.outputs(), k.outputs()}),
                    "inner product weights descriptor");
            dnnl_memory_desc_t anyWeights = OneDnn.desc(new long[] {k.outputs(), k.c(), k.h(), k.w()}, dnnl_format_tag_any);
            dnnl_memory_desc_t biasMd = k.bias() ? OneDnn.desc(new long[] {k.outputs()}, dnnl_a) : null;
            dnnl_memory_desc_t dstMd = OneDnn.desc(new long[] {k.n(), k.outputs()}, dnnl_nc);
            dnnl_inner_product_desc_t d = new dnnl_inner_product_desc_t();
            OneDnn.check(dnnl_inner_product_forward_desc_init(d, dnnl_forward_inference, srcMd, anyWeights, biasMd, dstMd),
                    "inner product descriptor");
            dnnl_primitive_desc pd = OneDnn.primitiveDesc(d);
            primitive = OneDnn.primitive(pd);
            weightMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            src = OneDnn.memory(srcMd, null);
            dst = OneDnn.memory(dstMd, null);
            bias = biasMd == null ? null : OneDnn.memory(biasMd, null);
        }
    }

    /** {@code out = flatten(x) · w + b} (b may be null) for arrays accepted by {@link #accepts}. */
    static void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
        Key key = new Key(x.size(0), x.size(1), x.size(2), x.size(3), w.size(1), b != null);
        Forward f = CACHE.get(key);
        OneDnnWeights weights = OneDnnWeights.of(w, f.userWeightMd, f.weightMd);
        weights.update(w);
        OneDnn.point(f.src, x);
        OneDnn.point(f.dst, out);
        if (b != null) {
            OneDnn.point(f.bias, b);
        }
        int[] args = {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST};
        dnnl_memory[] memories = {f.src, weights.memory, b == null ? null : f.bias, f.dst};
        if (key.multiplyAdds() <= oneThreadLimit) {
            OneDnn.executeOnOneThread(f.primitive, args, memories);
        } else {
            OneDnn.execute(f.primitive, args, memories);
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(out);
    }
}
