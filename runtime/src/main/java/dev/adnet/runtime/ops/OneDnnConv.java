package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.lang.ref.Reference;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The channels-last convolution forward (inference) through oneDNN directly ({@link OneDnn}), for FLOAT dense
 * arrays without groups. Against libnd4j's {@code conv2d} (which also runs oneDNN, an older one), it keeps each
 * shape's primitive instead of building its descriptors on every call, and reorders the weights into the
 * primitive's layout once per change of their values instead of on every call (see {@link OneDnnWeights}).
 */
final class OneDnnConv {
    private OneDnnConv() {}

    /** Whether {@link #forward} takes these arrays (else the caller uses libnd4j). */
    static boolean accepts(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        return g.groups() == 1 && OneDnn.available() && OneDnn.takes(x) && OneDnn.takes(w) && OneDnn.takes(out)
                && (b == null || OneDnn.takes(b));
    }

    /** Primitives by shape, geometry and ReLU; a sub-batch size is a shape of its own. */
    private static final Map<Key, Entry> CACHE = OneDnn.lruCache();

    private record Key(ConvShape shape, boolean relu) {}

    /** One shape's convolution, with memory objects re-pointed at each call's arrays. */
    private static final class Entry {
        final dnnl_primitive conv;
        final dnnl_memory_desc_t weightMd;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_memory bias;

        Entry(Key key) {
            ConvShape k = key.shape();
            long[] weightDims = k.weightDims();
            dnnl_memory_desc_t srcMd = OneDnn.desc(k.srcDims(), dnnl_nhwc);
            dnnl_memory_desc_t dstMd = OneDnn.desc(k.dstDims(), dnnl_nhwc);
            dnnl_memory_desc_t anyWeights = OneDnn.desc(weightDims, dnnl_format_tag_any);
            dnnl_memory_desc_t biasMd = k.bias() ? OneDnn.desc(new long[] {k.oc()}, dnnl_a) : null;
            dnnl_convolution_desc_t cd = new dnnl_convolution_desc_t();
            OneDnn.check(dnnl_dilated_convolution_forward_desc_init(cd, dnnl_forward_inference, dnnl_convolution_direct, srcMd,
                    anyWeights, biasMd, dstMd, k.strides(), k.dilation(), k.padBefore(), k.padAfter()), "convolution descriptor");
            dnnl_primitive_desc pd = OneDnn.primitiveDesc(cd, key.relu() ? OneDnn.reluAfter() : null, null);
            weightMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            conv = OneDnn.primitive(pd);
            userWeightMd = OneDnn.desc(weightDims, dnnl_oihw);
            src = OneDnn.memory(srcMd, null);
            dst = OneDnn.memory(dstMd, null);
            bias = k.bias() ? OneDnn.memory(biasMd, null) : null;
        }
    }

    /** {@code out = conv(x, w) + b} for {@code [B, H, W, C]} arrays accepted by {@link #accepts}. */
    static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        forward(x, w, b, g, false, out);
    }

    /** {@code out = relu?(conv(x, w) + b)}, the ReLU applied by oneDNN as the result is written. */
    static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, boolean relu, INDArray out) {
        Key key = new Key(new ConvShape(x.size(0), x.size(3), x.size(1), x.size(2), out.size(3), out.size(1), out.size(2),
                g, b != null), relu);
        Entry e;
        OneDnnWeights wc;
        synchronized (CACHE) {
            e = CACHE.computeIfAbsent(key, Entry::new);
        }
        wc = OneDnnWeights.of(w, e.userWeightMd, e.weightMd);
        synchronized (e) {
            wc.update(w);
            OneDnn.point(e.src, x);
            OneDnn.point(e.dst, out);
            if (b != null) {
                OneDnn.point(e.bias, b);
                OneDnn.execute(e.conv, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new dnnl_memory[] {e.src, wc.memory, e.bias, e.dst});
            } else {
                OneDnn.execute(e.conv, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                        new dnnl_memory[] {e.src, wc.memory, e.dst});
            }
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(out);
    }
}
