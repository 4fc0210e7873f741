package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_auto;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_data_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_backward_weights_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_dilated_convolution_forward_desc_init;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_diff_weights_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_dst_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_src_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_weights_md;

import java.lang.ref.Reference;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_convolution_desc_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The channels-first convolution (training, and inference when it is not channels-last) through oneDNN directly
 * ({@link OneDnn}): the NCHW arrays are reordered into the layouts oneDNN picks (blocked), and the backward runs as
 * two primitives, input gradient (direct algorithm) and weight gradient (oneDNN's choice), each computed only when
 * asked for.
 * libnd4j's {@code conv2d_bp} computes both in one call with one algorithm (Winograd at 16 samples or more per call,
 * slow for the input gradient), reorders the output gradient twice and builds its descriptors on every call: for
 * [128, 16, 28, 28] 3x3 -> 16, forward 2.2 against 3.5 ms, backward 4.7 against 9.6 ms (docs/benchmarks.md).
 */
final class OneDnnBlockedConv {
    private OneDnnBlockedConv() {}

    /**
     * Whether a convolution of these arrays (and gradients, outputs of the same type) goes through oneDNN: FLOAT and
     * no groups; views are copied to dense arrays on the way (see {@link OneDnn#dense}), else the caller uses libnd4j.
     */
    static boolean accepts(INDArray x, INDArray w, INDArray b, ConvGeometry g) {
        return g.groups() == 1 && OneDnn.available() && x.dataType() == DataType.FLOAT && w.dataType() == DataType.FLOAT
                && (b == null || b.dataType() == DataType.FLOAT);
    }

    private static final Map<ConvShape, Forward> FORWARD = OneDnn.lruCache();
    private static final Map<ConvShape, Backward> BACKWARD = OneDnn.lruCache();

    /**
     * Per thread, the scratch buffers of oneDNN's layouts by role (forward input and output; backward output gradient
     * for each primitive, input gradient, input, weight gradient): a call's staged copies live only during the call,
     * so all shapes share them and memory grows with the largest shape, not with the number of shapes (sub-batch
     * sizes would otherwise each keep buffers of their own).
     */
    private static final int ROLES = 7;

    private static final ThreadLocal<OneDnn.Buffer[]> SCRATCH = ThreadLocal.withInitial(() -> new OneDnn.Buffer[ROLES]);

    private static Pointer scratch(int role, long bytes) {
        OneDnn.Buffer[] b = SCRATCH.get();
        if (b[role] == null || b[role].bytes() < bytes) {
            b[role] = OneDnn.alignedBuffer(bytes);
        }
        return b[role].data();
    }

    /** A user NCHW array reordered into (or out of) a layout oneDNN picked, through this thread's scratch. */
    private static final class Staged {
        final dnnl_memory user;
        final dnnl_memory inner;
        final dnnl_primitive reorder;
        final int role;
        final long bytes;

        Staged(dnnl_memory_desc_t userMd, dnnl_memory_desc_t innerMd, boolean into, int role) {
            this.role = role;
            user = OneDnn.memory(userMd, null);
            bytes = dnnl_memory_desc_get_size(innerMd);
            if (dnnl_memory_desc_equal(userMd, innerMd) == 1) {
                inner = user;
                reorder = null;
            } else {
                inner = OneDnn.memory(innerMd, null);
                reorder = OneDnn.primitive(into ? OneDnn.reorderDesc(userMd, innerMd) : OneDnn.reorderDesc(innerMd, userMd));
            }
        }

        /** Points at a and copies it in. */
        dnnl_memory in(INDArray a) {
            OneDnn.point(user, a);
            if (reorder != null) {
                OneDnn.pointAt(inner, scratch(role, bytes));
                OneDnn.execute(reorder, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {user, inner});
            }
            return inner;
        }

        /** Points at a, to receive {@link #out()}. */
        dnnl_memory target(INDArray a) {
            OneDnn.point(user, a);
            if (reorder != null) {
                OneDnn.pointAt(inner, scratch(role, bytes));
            }
            return inner;
        }

        /** Copies the primitive's result into the array given to {@link #target}. */
        void out() {
            if (reorder != null) {
                OneDnn.execute(reorder, new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, new dnnl_memory[] {inner, user});
            }
        }
    }

    private static dnnl_convolution_desc_t forwardDesc(ConvShape k) {
        dnnl_convolution_desc_t d = new dnnl_convolution_desc_t();
        OneDnn.check(dnnl_dilated_convolution_forward_desc_init(d, dnnl_forward_training, dnnl_convolution_direct,
                any(k.srcDims()), any(k.weightDims()), k.bias() ? biasMd(k) : null, any(k.dstDims()), k.strides(),
                k.dilation(), k.padBefore(), k.padAfter()), "convolution forward descriptor");
        return d;
    }

    private static dnnl_memory_desc_t any(long[] dims) {
        return OneDnn.desc(dims, dnnl_format_tag_any);
    }

    private static dnnl_memory_desc_t biasMd(ConvShape k) {
        return OneDnn.desc(new long[] {k.oc()}, dnnl_a);
    }

    private static final class Forward {
        final dnnl_primitive_desc pd;
        final dnnl_primitive conv;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory_desc_t weightMd;
        final Staged src;
        final Staged dst;
        final dnnl_memory bias;

        Forward(ConvShape k) {
            pd = OneDnn.primitiveDesc(forwardDesc(k));
            conv = OneDnn.primitive(pd);
            userWeightMd = OneDnn.desc(k.weightDims(), dnnl_oihw);
            weightMd = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
            src = new Staged(OneDnn.desc(k.srcDims(), dnnl_nchw), dnnl_primitive_desc_query_md(pd, dnnl_query_src_md, 0), true, 0);
            dst = new Staged(OneDnn.desc(k.dstDims(), dnnl_nchw), dnnl_primitive_desc_query_md(pd, dnnl_query_dst_md, 0), false, 1);
            bias = k.bias() ? OneDnn.memory(biasMd(k), null) : null;
        }
    }

    private static ConvShape shape(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        return new ConvShape(x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), out.size(2), out.size(3), g, b != null);
    }

    /** {@code out = conv(x, w) + b}, all NCHW FLOAT (see {@link #accepts}). */
    static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        INDArray o = OneDnn.target(out);
        forwardDense(OneDnn.dense(x), OneDnn.dense(w), OneDnn.dense(b), g, o);
        OneDnn.writeBack(o, out);
    }

    private static void forwardDense(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        ConvShape k = shape(x, w, b, g, out);
        Forward f;
        synchronized (FORWARD) {
            f = FORWARD.computeIfAbsent(k, Forward::new);
        }
        OneDnnWeights weights = OneDnnWeights.of(w, f.userWeightMd, f.weightMd);
        synchronized (f) {
            weights.update(w);
            dnnl_memory s = f.src.in(x);
            dnnl_memory d = f.dst.target(out);
            if (b != null) {
                OneDnn.point(f.bias, b);
                OneDnn.execute(f.conv, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST},
                        new dnnl_memory[] {s, weights.memory, f.bias, d});
            } else {
                OneDnn.execute(f.conv, new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST},
                        new dnnl_memory[] {s, weights.memory, d});
            }
            f.dst.out();
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(out);
    }

    private static final class Backward {
        final dnnl_primitive data;
        final dnnl_primitive weights;
        final dnnl_memory_desc_t userWeightMd;
        final dnnl_memory_desc_t dataWeightMd;
        final Staged gradOutForData;
        /** The output gradient for the weight gradient: the data primitive's copy when both use one layout. */
        final Staged gradOutForWeights;
        final Staged gradIn;
        final Staged src;
        final Staged gradW;
        final dnnl_memory gradB;

        Backward(ConvShape k) {
            dnnl_primitive_desc hint = OneDnn.primitiveDesc(forwardDesc(k));
            dnnl_memory_desc_t userSrc = OneDnn.desc(k.srcDims(), dnnl_nchw);
            dnnl_memory_desc_t userDst = OneDnn.desc(k.dstDims(), dnnl_nchw);
            userWeightMd = OneDnn.desc(k.weightDims(), dnnl_oihw);

            dnnl_convolution_desc_t dd = new dnnl_convolution_desc_t();
            OneDnn.check(dnnl_dilated_convolution_backward_data_desc_init(dd, dnnl_convolution_direct, any(k.srcDims()),
                    any(k.weightDims()), any(k.dstDims()), k.strides(), k.dilation(), k.padBefore(), k.padAfter()),
                    "convolution backward data descriptor");
            dnnl_primitive_desc dpd = OneDnn.primitiveDesc(dd, hint);
            data = OneDnn.primitive(dpd);
            dataWeightMd = dnnl_primitive_desc_query_md(dpd, dnnl_query_weights_md, 0);
            dnnl_memory_desc_t dataGradOut = dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_dst_md, 0);
            gradOutForData = new Staged(userDst, dataGradOut, true, 2);
            gradIn = new Staged(userSrc, dnnl_primitive_desc_query_md(dpd, dnnl_query_diff_src_md, 0), false, 3);

            dnnl_convolution_desc_t wd = new dnnl_convolution_desc_t();
            // the weight gradient lets oneDNN choose its algorithm (Winograd where it applies, 4.60 against 4.89 ms for
            // 64 channels at 7x7); the input gradient stays direct (Winograd took 2.31 against 1.42 ms at 16 channels).
            // Winograd needs its buffers 64-byte aligned: on ND4J's 16-byte-aligned buffers it crashed the process.
            OneDnn.check(dnnl_dilated_convolution_backward_weights_desc_init(wd, dnnl_convolution_auto,
                    any(k.srcDims()), any(k.weightDims()), k.bias() ? biasMd(k) : null, any(k.dstDims()), k.strides(),
                    k.dilation(), k.padBefore(), k.padAfter()), "convolution backward weights descriptor");
            dnnl_primitive_desc wpd = OneDnn.primitiveDesc(wd, hint);
            weights = OneDnn.primitive(wpd);
            dnnl_memory_desc_t weightsGradOut = dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_dst_md, 0);
            gradOutForWeights = dnnl_memory_desc_equal(weightsGradOut, dataGradOut) == 1 ? null
                    : new Staged(userDst, weightsGradOut, true, 4);
            src = new Staged(userSrc, dnnl_primitive_desc_query_md(wpd, dnnl_query_src_md, 0), true, 5);
            gradW = new Staged(userWeightMd, dnnl_primitive_desc_query_md(wpd, dnnl_query_diff_weights_md, 0), false, 6);
            gradB = k.bias() ? OneDnn.memory(biasMd(k), null) : null;
        }
    }

    /**
     * The VJP, all NCHW FLOAT (see {@link #accepts}): overwrites gradIn and gradW (each skipped when null) and gradB
     * (only with a bias; null skips it).
     */
    static void backward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g, INDArray gradIn,
            INDArray gradW, INDArray gradB) {
        INDArray gi = OneDnn.target(gradIn);
        INDArray gw = OneDnn.target(gradW);
        INDArray gb = b == null ? null : OneDnn.target(gradB);
        backwardDense(OneDnn.dense(x), OneDnn.dense(w), OneDnn.dense(b), OneDnn.dense(gradOut), g, gi, gw, gb);
        OneDnn.writeBack(gi, gradIn);
        OneDnn.writeBack(gw, gradW);
        OneDnn.writeBack(gb, gradB);
    }

    private static void backwardDense(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        ConvShape k = shape(x, w, b, g, gradOut);
        Backward p;
        synchronized (BACKWARD) {
            p = BACKWARD.computeIfAbsent(k, Backward::new);
        }
        OneDnnWeights weights = gradIn == null ? null : OneDnnWeights.of(w, p.userWeightMd, p.dataWeightMd);
        synchronized (p) {
            dnnl_memory dy = p.gradOutForData.in(gradOut);
            if (gradIn != null) {
                weights.update(w);
                dnnl_memory dx = p.gradIn.target(gradIn);
                OneDnn.execute(p.data, new int[] {DNNL_ARG_DIFF_DST, DNNL_ARG_WEIGHTS, DNNL_ARG_DIFF_SRC},
                        new dnnl_memory[] {dy, weights.memory, dx});
                p.gradIn.out();
            }
            boolean biasGrad = b != null && gradB != null;
            if (gradW != null || biasGrad) {
                INDArray gw = gradW != null ? gradW : w.ulike();
                INDArray gb = b == null ? null : biasGrad ? gradB : b.ulike();
                dnnl_memory dyw = p.gradOutForWeights == null ? dy : p.gradOutForWeights.in(gradOut);
                dnnl_memory xs = p.src.in(x);
                dnnl_memory dw = p.gradW.target(gw);
                if (gb != null) {
                    OneDnn.point(p.gradB, gb);
                    OneDnn.execute(p.weights, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS,
                        DNNL_ARG_DIFF_BIAS}, new dnnl_memory[] {xs, dyw, dw, p.gradB});
                } else {
                    OneDnn.execute(p.weights, new int[] {DNNL_ARG_SRC, DNNL_ARG_DIFF_DST, DNNL_ARG_DIFF_WEIGHTS},
                            new dnnl_memory[] {xs, dyw, dw});
                }
                p.gradW.out();
                Reference.reachabilityFence(gw);
                Reference.reachabilityFence(gb);
            }
        }
        Reference.reachabilityFence(x);
        Reference.reachabilityFence(w);
        Reference.reachabilityFence(gradOut);
        Reference.reachabilityFence(gradIn);
        Reference.reachabilityFence(gradW);
        Reference.reachabilityFence(gradB);
    }
}
