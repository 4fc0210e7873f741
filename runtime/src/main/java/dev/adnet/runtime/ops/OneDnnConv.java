package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.lang.ref.Reference;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The convolution forward through oneDNN directly ({@link OneDnn}), FLOAT, no groups, in both layouts:
 * channels-last inference runs on the NHWC arrays as they are (oneDNN's kernels take them directly), with an
 * optional ReLU applied as the result is written; channels-first (training, and inference of networks that are not
 * channels-last) runs on the layouts oneDNN picks (blocked), the NCHW arrays staged in and out
 * ({@link OneDnnStaged}). Against libnd4j's {@code conv2d} (which also runs oneDNN, an older one), each shape keeps
 * its primitive instead of building its descriptors on every call, and the weights are reordered into the
 * primitive's layout once per change of their values ({@link OneDnnWeights}). The backward is
 * {@link OneDnnConvBackward}.
 */
final class OneDnnConv {
    private OneDnnConv() {}

    /** Whether {@link #forward} takes these channels-last arrays as they are (else the caller uses libnd4j). */
    static boolean accepts(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        return g.groups() == 1 && OneDnn.available() && OneDnn.takes(x) && OneDnn.takes(w) && OneDnn.takes(out)
                && (b == null || OneDnn.takes(b));
    }

    /**
     * Primitives by shape, layout, ReLU and accumulation (the result added to what the destination holds); a
     * sub-batch size is a shape of its own.
     */
    private static final OneDnn.Cache<Key, Forward> CACHE = new OneDnn.Cache<>(Forward::new);

    private record Key(ConvShape shape, boolean channelsLast, boolean relu, boolean accumulate) {
        Key(ConvShape shape, boolean channelsLast, boolean relu) {
            this(shape, channelsLast, relu, false);
        }
    }

    /** One shape's convolution, with memory objects re-pointed at each call's arrays. */
    private static final class Forward {
        final dnnl_primitive_desc pd;
        final dnnl_primitive conv;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory_desc_t weightMd;
        final OneDnnStaged src;
        final OneDnnStaged dst;
        final dnnl_memory bias;

        Forward(Key key) {
            ConvShape k = key.shape();
            int userTag = key.channelsLast() ? dnnl_nhwc : dnnl_nchw;
            pd = descriptor(key, key.channelsLast() ? dnnl_forward_inference : dnnl_forward_training);
            conv = OneDnn.primitive(pd);
            userWeightMd = OneDnn.desc(k.weightDims(), dnnl_oihw);
            weightMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            src = new OneDnnStaged(OneDnn.desc(k.srcDims(), userTag), dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0),
                    true, OneDnnStaged.SRC);
            dst = new OneDnnStaged(OneDnn.desc(k.dstDims(), userTag), dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0),
                    false, OneDnnStaged.DST);
            bias = k.bias() ? OneDnn.memory(k.biasMd(), null) : null;
        }
    }

    /**
     * The training forward's primitive descriptor of a shape: the hint the backward primitives of that shape are
     * built with. Channels-first: the forward's own (it runs in training mode); channels-last: a descriptor of its
     * own, as the channels-last forward is built for inference (the backward caches its primitives, so this runs
     * once per shape).
     */
    static dnnl_primitive_desc trainingDesc(ConvShape k, boolean channelsLast) {
        return channelsLast ? descriptor(new Key(k, true, false), dnnl_forward_training) : CACHE.get(new Key(k, false, false)).pd;
    }

    private static dnnl_primitive_desc descriptor(Key key, int propKind) {
        ConvShape k = key.shape();
        // channels-last: the kernels run on NHWC as given; channels-first: in the layout oneDNN prefers
        int opTag = key.channelsLast() ? dnnl_nhwc : dnnl_format_tag_any;
        dnnl_convolution_desc_t cd = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_dilated_convolution_forward_desc_init(cd, propKind, dnnl_convolution_direct,
                OneDnn.desc(k.srcDims(), opTag), OneDnn.desc(k.weightDims(), dnnl_format_tag_any),
                k.bias() ? k.biasMd() : null, OneDnn.desc(k.dstDims(), opTag), k.strides(), k.dilation(),
                k.padBefore(), k.padAfter()), "convolution forward descriptor");
        return OneDnn.primitiveDesc(cd, OneDnn.postOps(key.accumulate(), key.relu()), null,
                stridedPointwiseInference(key, propKind) ? "jit:" : "jit");
    }

    /**
     * Whether a shape is a channels-last inference of a strided 1x1 convolution (a residual projection), for which
     * the direct JIT kernel ({@code jit:avx512_common}) is preferred to oneDNN's first JIT choice, its 1x1 kernel
     * ({@code jit_1x1}), which first copies the strided input into a dense one: 8 -> 16 channels, 28x28 -> 14x14,
     * batch 256, 1.66 ms median in a network's inference against 0.14-0.2 ms (docs/benchmarks.md, TaskBenchmark).
     */
    private static boolean stridedPointwiseInference(Key key, int propKind) {
        ConvGeometry g = key.shape().g();
        return key.channelsLast() && propKind == dnnl_forward_inference && g.kernelH() == 1 && g.kernelW() == 1
                && (g.strideH() > 1 || g.strideW() > 1);
    }

    /** {@code out = conv(x, w) + b} for {@code [B, H, W, C]} arrays accepted by {@link #accepts}. */
    static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        forward(x, w, b, g, false, out);
    }

    /** {@code out = relu?(conv(x, w) + b)}, channels-last, the ReLU applied by oneDNN as the result is written. */
    static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, boolean relu, INDArray out) {
        run(new Key(ConvShape.channelsLast(x, w, b, g, out), true, relu), x, w, b, out, -1);
    }

    /** {@link #forward(INDArray, INDArray, INDArray, ConvGeometry, boolean, INDArray)} with folded parameters. */
    static void forward(INDArray x, FoldedConv f, ConvGeometry g, boolean relu, INDArray out) {
        run(new Key(ConvShape.channelsLast(x, f.weights, f.bias, g, out), true, relu), x, f.weights, f.bias, out,
                f.version());
    }

    /**
     * {@code target = relu?(conv(x, w) + b + target)}, channels-last: a residual block's last convolution added into
     * its shortcut by oneDNN as the result is written (a sum post-op), with no pass of its own over the arrays.
     */
    static void forwardAdd(INDArray x, FoldedConv f, ConvGeometry g, boolean relu, INDArray target) {
        run(new Key(ConvShape.channelsLast(x, f.weights, f.bias, g, target), true, relu, true), x, f.weights, f.bias,
                target, f.version());
    }

    /** {@code out = conv(x, w) + b}, all NCHW FLOAT (see {@link OneDnnConvBackward#accepts}; views are copied). */
    static void forwardChannelsFirst(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        INDArray o = OneDnn.target(out);
        INDArray xd = OneDnn.dense(x);
        INDArray wd = OneDnn.dense(w);
        run(new Key(ConvShape.channelsFirst(xd, wd, b, g, o), false, false), xd, wd, OneDnn.dense(b), o, -1);
        OneDnn.writeBack(o, out);
    }

    /** Runs a shape's primitive; the weights are compared with the last reordered ones unless a version is given. */
    private static void run(Key key, INDArray x, INDArray w, INDArray b, INDArray out, long version) {
        Forward f = CACHE.get(key);
        OneDnnWeights weights = OneDnnWeights.of(w, f.userWeightMd, f.weightMd);
        weights.update(w, version);
        dnnl_memory s = f.src.in(x);
        dnnl_memory d = f.dst.target(out);
        if (b != null) {
            OneDnn.point(f.bias, b);
        }
        OneDnn.execute(f.conv, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                new dnnl_memory[] {s, weights.memory, b == null ? null : f.bias, d});
        f.dst.out();
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(out);
    }
}
