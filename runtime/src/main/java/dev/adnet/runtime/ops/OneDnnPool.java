package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_avg_exclude_padding;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_v2_forward_desc_init;

import java.lang.ref.Reference;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_pooling_v2_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Channels-last pooling at inference through oneDNN: max (padded positions never win) or the average over each
 * window's real positions, on the NHWC arrays as they are. Why: an exit head's 4x4 pooling of
 * {@code [256, 28, 28, 16]} (12.8 MB) ran at about 13-15 GB/s in the Java kernel, about 21-24 GB/s in oneDNN's
 * (530-620 us against 840-960 in the exit network; docs/benchmarks.md, session 7).
 */
final class OneDnnPool {
    private OneDnnPool() {}

    /** Whether {@link #forward} takes these arrays (FLOAT, dense, explicit padding oneDNN can express). */
    static boolean accepts(INDArray x, PoolGeometry g, INDArray out) {
        if (!OneDnn.available() || g.same() || x.rank() != 4 || !OneDnn.takes(x) || !OneDnn.takes(out)) {
            return false;
        }
        return padAfter(x.size(1), out.size(1), g.kernelH(), g.strideH(), g.padH()) >= 0
                && padAfter(x.size(2), out.size(2), g.kernelW(), g.strideW(), g.padW()) >= 0;
    }

    /**
     * The padding after the input that makes oneDNN's output size {@code out}: none when the windows stop inside the
     * input (the last rows or columns no window reaches are left out, as {@link PoolGeometry} does); -1 if none fits.
     */
    private static long padAfter(long in, long out, int kernel, int stride, int pad) {
        long after = Math.max(0, (out - 1) * stride + kernel - in - pad);
        return (in + pad + after - kernel) / stride + 1 == out && after < kernel ? after : -1;
    }

    private static final OneDnn.Cache<Key, Forward> CACHE = new OneDnn.Cache<>(Forward::new);

    private record Key(long n, long h, long w, long c, long oh, long ow, PoolGeometry g, boolean max) {}

    private static final class Forward {
        final dnnl_primitive primitive;
        final dnnl_memory src;
        final dnnl_memory dst;

        Forward(Key k) {
            PoolGeometry g = k.g();
            dnnl_memory_desc_t srcMd = OneDnn.desc(new long[] {k.n(), k.c(), k.h(), k.w()}, dnnl_nhwc);
            dnnl_memory_desc_t dstMd = OneDnn.desc(new long[] {k.n(), k.c(), k.oh(), k.ow()}, dnnl_nhwc);
            dnnl_pooling_v2_desc_t d = new dnnl_pooling_v2_desc_t();
            OneDnn.check(dnnl_pooling_v2_forward_desc_init(d, dnnl_forward_inference,
                    k.max() ? dnnl_pooling_max : dnnl_pooling_avg_exclude_padding, srcMd, dstMd,
                    new long[] {g.strideH(), g.strideW()}, new long[] {g.kernelH(), g.kernelW()}, new long[] {0, 0},
                    new long[] {g.padH(), g.padW()},
                    new long[] {padAfter(k.h(), k.oh(), g.kernelH(), g.strideH(), g.padH()),
                            padAfter(k.w(), k.ow(), g.kernelW(), g.strideW(), g.padW())}),
                    "pooling descriptor");
            primitive = OneDnn.primitive(OneDnn.primitiveDesc(d));
            src = OneDnn.memory(srcMd, null);
            dst = OneDnn.memory(dstMd, null);
        }
    }

    /** Pools {@code x} into {@code out}, arrays accepted by {@link #accepts}. */
    static void forward(INDArray x, PoolGeometry g, boolean max, INDArray out) {
        Key key = new Key(x.size(0), x.size(1), x.size(2), x.size(3), out.size(1), out.size(2), g, max);
        Forward f = CACHE.get(key);
        OneDnn.point(f.src, x);
        OneDnn.point(f.dst, out);
        OneDnn.execute(f.primitive, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, new dnnl_memory[] {f.src, f.dst});
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(out);
    }
}
