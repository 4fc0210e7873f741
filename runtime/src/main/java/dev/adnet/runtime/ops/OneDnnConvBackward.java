package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_auto;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nhwc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.lang.ref.Reference;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The convolution's backward through oneDNN directly ({@link OneDnn}; the forward is {@link OneDnnConv}), in both
 * layouts: channels-first on the layouts oneDNN picks (blocked), the NCHW arrays staged in and out
 * ({@link OneDnnStaged}); channels-last on the NHWC arrays as they are (oneDNN's kernels take them directly, so
 * only the small weight arrays are reordered). Two primitives, each run only when its gradient is wanted, the input
 * gradient with the direct algorithm and the weight gradient with oneDNN's choice, the output gradient staged once
 * for both when they take one layout.
 * libnd4j's {@code conv2d_bp} computes both in one call with one algorithm (Winograd at 16 samples or more per call,
 * slow for the input gradient), reorders the output gradient twice and builds its descriptors on every call: for
 * [128, 16, 28, 28] 3x3 -> 16, backward 5.9 against 11.4 ms (docs/benchmarks.md).
 */
final class OneDnnConvBackward {
    private OneDnnConvBackward() {}

    /**
     * Whether a channels-first convolution of these arrays (and of its outputs or gradients, null ones skipped) goes
     * through oneDNN: all FLOAT, no groups; views are copied to dense arrays on the way (see {@link OneDnn#dense}),
     * else the caller uses libnd4j.
     */
    static boolean accepts(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray... others) {
        if (g.groups() != 1 || !OneDnn.available() || !isFloat(x) || !isFloat(w) || !isFloat(b)) {
            return false;
        }
        for (INDArray a : others) {
            if (!isFloat(a)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isFloat(INDArray a) {
        return a == null || a.dataType() == DataType.FLOAT;
    }

    private static final OneDnn.Cache<Key, Backward> BACKWARD = new OneDnn.Cache<>(Backward::new);

    private record Key(ConvShape shape, boolean channelsLast) {}

    private static dnnl_memory_desc_t any(long[] dims) {
        return OneDnn.desc(dims, dnnl_format_tag_any);
    }

    private static final class Backward {
        final dnnl_primitive data;
        final dnnl_primitive weights;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory_desc_t dataWeightMd;
        final OneDnnStaged gradOutForData;
        /** The output gradient for the weight gradient: null when it takes the data primitive's layout. */
        final OneDnnStaged gradOutForWeights;
        final OneDnnStaged gradIn;
        final OneDnnStaged src;
        final OneDnnStaged gradW;
        final dnnl_memory gradB;

        Backward(Key key) {
            ConvShape k = key.shape();
            dnnl_primitive_desc hint = OneDnnConv.trainingDesc(k, key.channelsLast());
            int userTag = key.channelsLast() ? dnnl_nhwc : dnnl_nchw;
            dnnl_memory_desc_t userSrc = OneDnn.desc(k.srcDims(), userTag);
            dnnl_memory_desc_t userDst = OneDnn.desc(k.dstDims(), userTag);
            userWeightMd = OneDnn.desc(k.weightDims(), dnnl_oihw);
            // channels-last: the activations and their gradients stay NHWC (as given); else oneDNN's choice
            dnnl_memory_desc_t srcMd = key.channelsLast() ? userSrc : any(k.srcDims());
            dnnl_memory_desc_t dstMd = key.channelsLast() ? userDst : any(k.dstDims());

            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            OneDnn.check(dnnl_dilated_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, srcMd,
                    any(k.weightDims()), dstMd, k.strides(), k.dilation(), k.padBefore(), k.padAfter()),
                    "convolution backward data descriptor");
            dnnl_primitive_desc dpd = OneDnn.primitiveDesc(dd, hint);
            data = OneDnn.primitive(dpd);
            dataWeightMd = dnnl_primitive_desc_query_md(dpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dataGradOut = dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_dst_md, 0);
            gradOutForData = new OneDnnStaged(userDst, dataGradOut, true, OneDnnStaged.GRAD_OUT_FOR_DATA);
            gradIn = new OneDnnStaged(userSrc, dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_src_md, 0), false,
                    OneDnnStaged.GRAD_IN);

            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            // the weight gradient lets oneDNN choose its algorithm (Winograd where it applies, 4.60 against 4.89 ms for
            // 64 channels at 7x7); the input gradient stays direct (Winograd took 2.31 against 1.42 ms at 16 channels).
            // Winograd needs its buffers 64-byte aligned: on ND4J's 16-byte-aligned buffers it crashed the process.
            OneDnn.check(dnnl_dilated_convolution_backward_weights_desc_init(wd, dnnl_convolution_auto,
                    srcMd, any(k.weightDims()), k.bias() ? k.biasMd() : null, dstMd, k.strides(),
                    k.dilation(), k.padBefore(), k.padAfter()), "convolution backward weights descriptor");
            dnnl_primitive_desc wpd = OneDnn.primitiveDesc(wd, hint);
            weights = OneDnn.primitive(wpd);
            dnnl_memory_desc_t weightsGradOut = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_dst_md, 0);
            gradOutForWeights = dnnl_memory_desc_equal(weightsGradOut, dataGradOut) == 1 ? null
                    : new OneDnnStaged(userDst, weightsGradOut, true, OneDnnStaged.GRAD_OUT_FOR_WEIGHTS);
            src = new OneDnnStaged(userSrc, dnnl_primitive_desc_query_md(wpd, dnnl_query_src_md, 0), true,
                    OneDnnStaged.SRC_FOR_WEIGHTS);
            gradW = new OneDnnStaged(userWeightMd, dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0), false,
                    OneDnnStaged.GRAD_WEIGHTS);
            gradB = k.bias() ? OneDnn.memory(k.biasMd(), null) : null;
        }
    }

    /**
     * The VJP, all NCHW FLOAT (see {@link #accepts}): overwrites gradIn and gradW (each skipped when null) and gradB
     * (only with a bias; null skips it).
     */
    static void backward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g, INDArray gradIn,
            INDArray gradW, INDArray gradB) {
        backward(x, w, b, gradOut, g, gradIn, gradW, gradB, false);
    }

    /** {@link #backward} of a channels-last convolution: x, gradOut and gradIn are {@code [B, H, W, C]}. */
    static void backwardChannelsLast(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        backward(x, w, b, gradOut, g, gradIn, gradW, gradB, true);
    }

    private static void backward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g, INDArray gradIn,
            INDArray gradW, INDArray gradB, boolean channelsLast) {
        INDArray gi = OneDnn.target(gradIn);
        INDArray gw = OneDnn.target(gradW);
        INDArray gb = b == null ? null : OneDnn.target(gradB);
        INDArray xd = OneDnn.dense(x);
        INDArray wd = OneDnn.dense(w);
        INDArray gd = OneDnn.dense(gradOut);
        ConvShape k = channelsLast ? ConvShape.channelsLast(xd, wd, b, g, gd) : ConvShape.channelsFirst(xd, wd, b, g, gd);
        backwardDense(new Key(k, channelsLast), xd, wd, OneDnn.dense(b), gd, gi, gw, gb);
        OneDnn.writeBack(gi, gradIn);
        OneDnn.writeBack(gw, gradW);
        OneDnn.writeBack(gb, gradB);
    }

    private static void backwardDense(Key key, INDArray x, INDArray w, INDArray b, INDArray gradOut,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        Backward p = BACKWARD.get(key);
        OneDnnWeights weights = gradIn == null ? null : OneDnnWeights.of(w, p.userWeightMd, p.dataWeightMd);
        boolean biasGrad = b != null && gradB != null;
        boolean weightGrads = gradW != null || biasGrad;
        // the data primitive's copy of the output gradient also serves the weight gradient if their layouts agree
        dnnl_memory dy = gradIn != null || (weightGrads && p.gradOutForWeights == null)
                ? p.gradOutForData.in(gradOut) : null;
        if (gradIn != null) {
            weights.update(w);
            dnnl_memory dx = p.gradIn.target(gradIn);
            OneDnn.execute(p.data, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                    new dnnl_memory[] {dy, weights.memory, dx});
            p.gradIn.out();
        }
        if (weightGrads) {
            INDArray gw = gradW != null ? gradW : w.ulike();
            INDArray gb = b == null ? null : biasGrad ? gradB : b.ulike();
            dnnl_memory dyw = p.gradOutForWeights == null ? dy : p.gradOutForWeights.in(gradOut);
            dnnl_memory xs = p.src.in(x);
            dnnl_memory dw = p.gradW.target(gw);
            if (gb != null) {
                OneDnn.point(p.gradB, gb);
            }
            OneDnn.execute(p.weights, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS,
                DNNL_ARG_DIFF_BIAS}, new dnnl_memory[] {xs, dyw, dw, gb == null ? null : p.gradB});
            p.gradW.out();
            Reference.reachabilityFence(gw);
            Reference.reachabilityFence(gb);
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(gradOut);
        Reference.reachabilityFence(gradIn);
        Reference.reachabilityFence(gradW);
        Reference.reachabilityFence(gradB);
    }
}
