package dev.adnet.runtime.ops;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * 2-D convolution (cross-correlation, as PyTorch), NCHW input, weights {@code [outC, inC/groups, kH, kW]}, optional
 * bias {@code [outC]}.
 *
 * <p>FLOAT convolutions without groups run through oneDNN directly ({@link OneDnnConv}, {@link OneDnnConvBackward}); the rest (DOUBLE,
 * groups, views) use libnd4j's {@code conv2d} / {@code conv2d_bp} (oneDNN-backed). libnd4j has no grouped convolution: a
 * depthwise convolution ({@code groups == inC}, any channel multiplier) runs as {@code depthwise_conv2d}, whose
 * output channel {@code ic * multiplier + m} is PyTorch's order; other {@code groups > 1} run one convolution per
 * group on dense copies of the group's channels. Dilated convolutions run without oneDNN (see
 * {@link Native#execWithoutHelpers}).
 */
public final class Conv2d {
    private Conv2d() {}

    public static void forward(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        checkShapes(x, w, b, g, out);
        if (oneDnn && OneDnnConvBackward.accepts(x, w, b, g, out)) {
            OneDnnConv.forwardChannelsFirst(x, w, b, g, out);
            return;
        }
        long[] args = g.nativeArgs();
        if (g.groups() == 1) {
            INDArray o = Native.denseTarget(out);
            run(g, "conv2d", b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b}, new INDArray[] {o},
                    args);
            Native.writeBack(o, out);
            return;
        }
        if (isDepthwise(x, g)) {
            INDArray o = Native.denseTarget(out);
            INDArray wd = depthwiseWeights(w, x.size(1));
            run(g, "depthwise_conv2d", b == null ? new INDArray[] {x, wd} : new INDArray[] {x, wd, b},
                    new INDArray[] {o}, args);
            Native.writeBack(o, out);
            return;
        }
        int groups = g.groups();
        long icg = x.size(1) / groups;
        long ocg = w.size(0) / groups;
        for (int gi = 0; gi < groups; gi++) {
            INDArray xs = x.get(all(), interval(gi * icg, (gi + 1) * icg), all(), all()).dup('c');
            INDArray ws = w.get(interval(gi * ocg, (gi + 1) * ocg), all(), all(), all()).dup('c');
            INDArray os = out.get(all(), interval(gi * ocg, (gi + 1) * ocg), all(), all()).ulike();
            INDArray[] in = b == null ? new INDArray[] {xs, ws}
                    : new INDArray[] {xs, ws, b.get(interval(gi * ocg, (gi + 1) * ocg)).dup('c')};
            run(g, "conv2d", in, new INDArray[] {os}, args);
            out.get(all(), interval(gi * ocg, (gi + 1) * ocg), all(), all()).assign(os);
        }
    }

    /**
     * The VJP: overwrites the gradients with respect to the input, the weights and the bias (only when
     * {@code b != null}); null gradient outputs are skipped.
     */
    public static void backward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        backward(x, w, b, gradOut, g, gradIn, gradW, gradB, MAX_GRAD_OUT_PER_CALL);
    }

    /** {@link #backward}, splitting the batch when the output gradient has more than {@code maxGradOut} elements. */
    static void backward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g, INDArray gradIn,
            INDArray gradW, INDArray gradB, long maxGradOut) {
        Check.sameShape("gradIn", x, gradIn);
        Check.sameShape("gradW", w, gradW);
        Check.sameShape("gradB", b, gradB);
        if (gradIn == null && gradW == null && (b == null || gradB == null)) {
            return;
        }
        checkShapes(x, w, b, g, gradOut);
        boolean withBias = b != null;
        if (subsampleStridedPointwise && isStridedPointwise(g)) {
            INDArray xs = Subsample.gather(x, g.strideH(), g.strideW(), (int) gradOut.size(2), (int) gradOut.size(3));
            INDArray gis = gradIn == null ? null : xs.ulike();
            backward(xs, w, b, gradOut, POINTWISE, gis, gradW, gradB, maxGradOut);
            if (gradIn != null) {
                INDArray t = Native.denseTarget(gradIn);
                Subsample.scatter(gis, g.strideH(), g.strideW(), t);
                Native.writeBack(t, gradIn);
            }
            return;
        }
        if (gradIn == null && javaWeightGrad && ConvWeightGrad.applies(x, w, gradOut, g)
                && (gradW == null || gradW.dataType() == DataType.FLOAT)
                && (!withBias || gradB == null || gradB.dataType() == DataType.FLOAT)) {
            ConvWeightGrad.compute(x, gradOut, g, gradW, withBias ? gradB : null);
            return;
        }
        if (oneDnn && OneDnnConvBackward.accepts(x, w, b, g, gradOut, gradIn, gradW, gradB)) {
            OneDnnConvBackward.backward(x, w, b, gradOut, g, gradIn, gradW, gradB);
            return;
        }
        long[] args = g.nativeArgs();
        if (g.groups() == 1 && Direct.isDense(x) && Direct.isDense(gradOut)
                && gradOut.length() > maxGradOut && x.size(0) > 1) {
            backwardInParts(x, w, b, gradOut, g, gradIn, gradW, gradB, args, maxGradOut);
            return;
        }
        if (g.groups() == 1) {
            conv2dBp(x, w, b, gradOut, g, args, gradIn, gradW, gradB);
            return;
        }
        if (isDepthwise(x, g)) {
            INDArray wd = depthwiseWeights(w, x.size(1));
            INDArray gi = gradIn == null ? x.ulike() : Native.denseTarget(gradIn);
            INDArray gw = wd.ulike();
            INDArray gb = withBias ? (gradB == null ? b.ulike() : Native.denseTarget(gradB)) : null;
            run(g, "depthwise_conv2d_bp", withBias ? new INDArray[] {x, wd, b, gradOut} : new INDArray[] {x, wd, gradOut},
                    withBias ? new INDArray[] {gi, gw, gb} : new INDArray[] {gi, gw}, args);
            if (gradIn != null) {
                Native.writeBack(gi, gradIn);
            }
            if (gradW != null) {
                // [m, C, kH, kW] back to PyTorch's [C * m, 1, kH, kW]
                gradW.assign(gw.permute(1, 0, 2, 3).dup('c').reshape('c', gradW.shape()));
            }
            if (withBias && gradB != null) {
                Native.writeBack(gb, gradB);
            }
            return;
        }
        int groups = g.groups();
        long icg = x.size(1) / groups;
        long ocg = w.size(0) / groups;
        for (int k = 0; k < groups; k++) {
            var ci = interval(k * icg, (k + 1) * icg);
            var co = interval(k * ocg, (k + 1) * ocg);
            INDArray xs = x.get(all(), ci, all(), all()).dup('c');
            INDArray ws = w.get(co, all(), all(), all()).dup('c');
            INDArray gos = gradOut.get(all(), co, all(), all()).dup('c');
            INDArray gis = xs.ulike();
            INDArray gws = ws.ulike();
            if (withBias) {
                INDArray bs = b.get(co).dup('c');
                INDArray gbs = bs.ulike();
                run(g, "conv2d_bp", new INDArray[] {xs, ws, bs, gos}, new INDArray[] {gis, gws, gbs}, args);
                if (gradB != null) {
                    gradB.get(co).assign(gbs);
                }
            } else {
                run(g, "conv2d_bp", new INDArray[] {xs, ws, gos}, new INDArray[] {gis, gws}, args);
            }
            if (gradIn != null) {
                gradIn.get(all(), ci, all(), all()).assign(gis);
            }
            if (gradW != null) {
                gradW.get(co, all(), all(), all()).assign(gws);
            }
        }
    }

    /**
     * Output gradients larger than this many elements run {@code conv2d_bp} on sub-batches. Why: measured on a
     * 2-core AVX-512 machine with oneDNN, {@code conv2d_bp} on [128,16,28,28] (3x3, 16 -> 16) took 13.6 ms in one
     * call but 5.9 ms as two calls on 64 samples each (the stem's 1 -> 16 likewise 13.2 -> 5.4 ms), while shapes with
     * gradients of at most 2^20 elements ([128,32,14,14], [128,64,7,7]) ran slightly slower when split.
     */
    static final long MAX_GRAD_OUT_PER_CALL = 1L << 20;

    /**
     * Whether the backward of an unpadded strided 1x1 convolution (a residual projection) runs as the backward of a
     * stride-1 convolution of the subsampled input ({@link Subsample}), the input gradient scattered back. Why:
     * {@code conv2d_bp} reorders the whole input (and its gradient) to oneDNN's blocked layout although only every
     * stride-th pixel takes part. Measured in one process at load ~3 (min of 11 rounds), [128,16,28,28] 1x1 stride 2
     * -> 32: 9.67 ms directly, 8.08 ms subsampled; [128,32,14,14] -> 64: 4.29 / 4.12 ms; same values exactly. Not
     * for the forward, where the subsampled path measured slower (2.05 -> 2.36 ms, 1.26 -> 1.68 ms). Not final so
     * that benchmarks can compare both paths in one process.
     */
    static boolean subsampleStridedPointwise = true;

    private static final ConvGeometry POINTWISE = ConvGeometry.of(1, 1, 0);

    /** A 1x1 convolution with a stride above 1 and explicit zero padding, one group. */
    private static boolean isStridedPointwise(ConvGeometry g) {
        return g.groups() == 1 && g.kernelH() == 1 && g.kernelW() == 1 && (g.strideH() > 1 || g.strideW() > 1)
                && !g.same() && g.padH() == 0 && g.padW() == 0;
    }

    /**
     * Whether FLOAT convolutions without groups go through oneDNN directly ({@link OneDnnConv}, {@link OneDnnConvBackward}) when it is
     * loaded; not final so that benchmarks can compare it with libnd4j's ops in one process.
     */
    static boolean oneDnn = true;

    /**
     * Whether a backward pass without input gradient may use {@link ConvWeightGrad} (few input channels, stride 1);
     * not final so that benchmarks can compare both paths in one process.
     */
    static boolean javaWeightGrad = true;

    /**
     * {@code conv2d_bp} over contiguous sub-batches (views along axis 0): the input gradient is written part by part,
     * the weight and bias gradients are summed over the parts.
     */
    private static void backwardInParts(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g,
            INDArray gradIn, INDArray gradW, INDArray gradB, long[] args, long maxGradOut) {
        long batch = x.size(0);
        int parts = (int) Math.min(batch, (gradOut.length() + maxGradOut - 1) / maxGradOut);
        boolean withBias = b != null;
        INDArray gi = gradIn == null ? null : Native.denseTarget(gradIn);
        INDArray gw = gradW == null ? w.ulike() : Native.denseTarget(gradW);
        INDArray gb = withBias ? (gradB == null ? b.ulike() : Native.denseTarget(gradB)) : null;
        INDArray gwPart = parts > 1 ? w.ulike() : null;
        INDArray gbPart = withBias && parts > 1 ? b.ulike() : null;
        INDArray giScratch = null;
        for (int p = 0; p < parts; p++) {
            long from = batch * p / parts;
            long to = batch * (p + 1) / parts;
            INDArray xs = x.get(interval(from, to), all(), all(), all());
            INDArray gos = gradOut.get(interval(from, to), all(), all(), all());
            INDArray gis;
            if (gi != null) {
                gis = gi.get(interval(from, to), all(), all(), all());
            } else {
                if (giScratch == null || giScratch.size(0) != to - from) {
                    giScratch = xs.ulike();
                }
                gis = giScratch;
            }
            INDArray gws = p == 0 ? gw : gwPart;
            INDArray gbs = withBias ? (p == 0 ? gb : gbPart) : null;
            run(g, "conv2d_bp", withBias ? new INDArray[] {xs, w, b, gos} : new INDArray[] {xs, w, gos},
                    withBias ? new INDArray[] {gis, gws, gbs} : new INDArray[] {gis, gws}, args);
            if (p > 0) {
                Elementwise.accumulate(gw, gwPart);
                if (withBias) {
                    Elementwise.accumulate(gb, gbPart);
                }
            }
        }
        writeBack(gi, gradIn, gw, gradW, gb, gradB);
    }

    private static boolean isDepthwise(INDArray x, ConvGeometry g) {
        return g.groups() > 1 && g.groups() == x.size(1);
    }

    /**
     * PyTorch's depthwise weights {@code [C * m, 1, kH, kW]} (output channel {@code c * m + j}) in libnd4j's
     * weight format 1, {@code [m, C, kH, kW]}: a free reshape when {@code m == 1}, else a small permuted copy.
     */
    private static INDArray depthwiseWeights(INDArray w, long channels) {
        INDArray dense = Direct.isDense(w) ? w : w.dup('c');
        long m = w.size(0) / channels;
        if (m == 1) {
            return dense.reshape('c', 1, channels, w.size(2), w.size(3));
        }
        return dense.reshape('c', channels, m, w.size(2), w.size(3)).permute(1, 0, 2, 3).dup('c');
    }

    /**
     * libnd4j's {@code conv2d_bp} in one call (layout and geometry in {@code args}; channels-last passes its data
     * format there): null gradient outputs get scratch arrays, views are written through dense copies.
     */
    static void conv2dBp(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g, long[] args,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        boolean withBias = b != null;
        INDArray gi = gradIn == null ? x.ulike() : Native.denseTarget(gradIn);
        INDArray gw = gradW == null ? w.ulike() : Native.denseTarget(gradW);
        INDArray gb = withBias ? (gradB == null ? b.ulike() : Native.denseTarget(gradB)) : null;
        run(g, "conv2d_bp", withBias ? new INDArray[] {x, w, b, gradOut} : new INDArray[] {x, w, gradOut},
                withBias ? new INDArray[] {gi, gw, gb} : new INDArray[] {gi, gw}, args);
        writeBack(gi, gradIn, gw, gradW, gb, gradB);
    }

    /** Each computed gradient into its output, where the caller wants it (a null output is skipped). */
    private static void writeBack(INDArray gi, INDArray gradIn, INDArray gw, INDArray gradW, INDArray gb,
            INDArray gradB) {
        if (gradIn != null) {
            Native.writeBack(gi, gradIn);
        }
        if (gradW != null) {
            Native.writeBack(gw, gradW);
        }
        if (gb != null && gradB != null) {
            Native.writeBack(gb, gradB);
        }
    }

    /** Dilated convolutions bypass oneDNN, whose dilated FLOAT path fails in this ND4J version. */
    private static void run(ConvGeometry g, String op, INDArray[] in, INDArray[] out, long[] args) {
        if (g.dilationH() > 1 || g.dilationW() > 1) {
            Native.execWithoutHelpers(op, in, out, args);
        } else {
            Native.exec(op, in, out, args);
        }
    }

    private static void checkShapes(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        Check.rank("x", x, 4);
        Check.rank("w", w, 4);
        long outC = w.size(0);
        Check.shape("w", w, outC, x.size(1) / g.groups(), g.kernelH(), g.kernelW());
        if (b != null) {
            Check.shape("b", b, outC);
        }
        Check.shape("out", out, g.outputShape(x.shape(), outC));
    }
}
