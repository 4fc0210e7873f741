package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The channels-last layout: activations {@code [B, H, W, C]} instead of {@code [B, C, H, W]}, weights unchanged
 * ({@code [outC, inC, kH, kW]}), so one set of parameters serves both layouts. Inference ops here, training's
 * batchnorm and pooling VJPs in {@link ChannelsLastTraining}.
 *
 * <p>Why: libnd4j hands oneDNN NCHW tensors, which oneDNN reorders to its blocked layout and back on every call;
 * on NHWC it runs its brgemm convolution in place. Measured forward, batch 256, float, 2 threads: 2.1-2.8x faster
 * for the 3x3 convolutions of the 28x28 and 14x14 stages, 3.1x for stride 2, 4.4-5.3x for strided 1x1 projections,
 * 1.3x at 7x7 (docs/benchmarks.md). The gain is largest on large maps with few channels, where a network spends the
 * time its early exits and ungated stem cannot save. The backward is faster too once oneDNN is called directly on
 * the NHWC arrays ({@link #conv2dBackward}): no reorder to and from a blocked layout (docs/benchmarks.md).
 *
 * <p>Everything per sample stays contiguous, so batch compaction (gathers, scatters) and element-wise kernels are
 * layout-agnostic; the compiler emits these ops only for networks whose every rank-4 op is listed here (see
 * {@code JavaEmitter}), and a flatten restores the channels-first order the dense weights were trained on.
 */
public final class ChannelsLast {
    private ChannelsLast() {}

    /**
     * Whether FLOAT convolutions go through oneDNN directly ({@link OneDnnConv}) when it is loaded; not final so that
     * benchmarks can compare it with libnd4j's {@code conv2d} in one process.
     */
    static boolean oneDnn = true;

    /** libnd4j's data-format argument for NHWC (conv2d, pooling). */
    private static final long NHWC = 1;

    /** {@code [B, C, H, W]} into a caller-allocated {@code [B, H, W, C]}. */
    public static void fromChannelsFirst(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(2), x.size(3), x.size(1));
        out.assign(x.permute(0, 2, 3, 1));
    }

    /** 2-D convolution of {@code [B, H, W, inC]} into {@code [B, oH, oW, outC]}; no groups. */
    public static void conv2d(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray out) {
        Check.rank("x", x, 4);
        Check.rank("w", w, 4);
        if (g.groups() != 1) {
            throw new IllegalArgumentException("channels-last convolution has no groups, got " + g.groups());
        }
        long outC = w.size(0);
        Check.shape("w", w, outC, x.size(3), g.kernelH(), g.kernelW());
        if (b != null) {
            Check.shape("b", b, outC);
        }
        long[] nchw = g.outputShape(first(x.shape()), outC);
        Check.shape("out", out, last(nchw));
        if (oneDnn && OneDnnConv.accepts(x, w, b, g, out)) {
            OneDnnConv.forward(x, w, b, g, out);
            return;
        }
        long[] args = g.nativeArgs();
        args[9] = NHWC;
        INDArray o = Native.denseTarget(out);
        INDArray[] in = b == null ? new INDArray[] {x, w} : new INDArray[] {x, w, b};
        if (g.dilationH() > 1 || g.dilationW() > 1) {
            Native.execWithoutHelpers("conv2d", in, new INDArray[] {o}, args);
        } else {
            Native.exec("conv2d", in, new INDArray[] {o}, args);
        }
        Native.writeBack(o, out);
    }

    /**
     * The VJP of {@link #conv2d}: overwrites the gradients with respect to the input ({@code [B, H, W, inC]}), the
     * weights and the bias (only when {@code b != null}); null gradient outputs are skipped. FLOAT runs oneDNN on the
     * NHWC arrays as they are ({@link OneDnnConvBackward}); DOUBLE (gradient checks) libnd4j's {@code conv2d_bp}.
     */
    public static void conv2dBackward(INDArray x, INDArray w, INDArray b, INDArray gradOut, ConvGeometry g,
            INDArray gradIn, INDArray gradW, INDArray gradB) {
        Check.rank("x", x, 4);
        Check.sameShape("gradIn", x, gradIn);
        Check.sameShape("gradW", w, gradW);
        Check.sameShape("gradB", b, gradB);
        if (g.groups() != 1) {
            throw new IllegalArgumentException("channels-last convolution has no groups, got " + g.groups());
        }
        Check.shape("w", w, w.size(0), x.size(3), g.kernelH(), g.kernelW());
        Check.shape("gradOut", gradOut, last(g.outputShape(first(x.shape()), w.size(0))));
        if (gradIn == null && gradW == null && (b == null || gradB == null)) {
            return;
        }
        if (oneDnn && OneDnnConvBackward.accepts(x, w, b, g, gradOut, gradIn, gradW, gradB)) {
            OneDnnConvBackward.backwardChannelsLast(x, w, b, gradOut, g, gradIn, gradW, gradB);
            return;
        }
        long[] args = g.nativeArgs();
        args[9] = NHWC;
        Conv2d.conv2dBp(x, w, b, gradOut, g, args, gradIn, gradW, gradB);
    }

    /**
     * Inference of a convolution and the batchnorm after it as one convolution: the batchnorm's affine map
     * {@code y * scale[c] + shift[c]} (running statistics) folds into the weights ({@code w[c] * scale[c]}) and the bias
     * ({@code b[c] * scale[c] + shift[c]}), and the ReLU, if asked, runs inside oneDNN as the result is written: no
     * pass over the activation after the convolution. The folded parameters are recomputed on every call (a few
     * microseconds), so updated parameters and statistics are always seen. Without oneDNN (DOUBLE, views): the
     * convolution, then {@link #batchNorm} in place.
     */
    public static void convBatchNorm(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray gamma, INDArray beta,
            INDArray runningMean, INDArray runningVar, double eps, boolean relu, INDArray out) {
        if (!oneDnn || !OneDnnConv.accepts(x, w, b, g, out)) {
            conv2d(x, w, b, g, out);
            batchNorm(out, gamma, beta, runningMean, runningVar, eps, relu, out);
            return;
        }
        FoldedConv f = FoldedConv.of(w, b, gamma, beta, runningMean, runningVar, eps);
        OneDnnConv.forward(x, f, g, relu, out);
    }

    /**
     * A residual block's last convolution and batchnorm ({@link #convBatchNorm}) added into its shortcut, and the
     * ReLU after the add if asked: {@code target = relu?(target + bn(conv(x)))}. oneDNN adds the result into target
     * as it writes it (a sum post-op), so the residual add costs no pass over the activations; the generated code
     * uses it when nothing reads the shortcut afterwards. Without oneDNN: {@link #convBatchNorm} into a temporary,
     * then the add.
     */
    public static void convBatchNormAdd(INDArray x, INDArray w, INDArray b, ConvGeometry g, INDArray gamma,
            INDArray beta, INDArray runningMean, INDArray runningVar, double eps, boolean relu, INDArray target) {
        if (!oneDnn || !OneDnnConv.accepts(x, w, b, g, target)) {
            INDArray f = Nd4j.createUninitialized(target.dataType(), target.shape(), 'c');
            convBatchNorm(x, w, b, g, gamma, beta, runningMean, runningVar, eps, false, f);
            if (relu) {
                Elementwise.addRelu(target, f, target);
            } else {
                Elementwise.add(target, f, target);
            }
            return;
        }
        FoldedConv f = FoldedConv.of(w, b, gamma, beta, runningMean, runningVar, eps);
        OneDnnConv.forwardAdd(x, f, g, relu, target);
    }

    /**
     * Max pooling (padded positions never win), or average pooling over the real positions of each window. FLOAT
     * with explicit padding runs a Java kernel (libnd4j's NHWC pooling took 8 ms for a 4x4 average over
     * [256, 28, 28, 16], the kernel a fraction of that); "same" padding and DOUBLE run libnd4j's.
     */
    public static void pool2d(INDArray x, PoolGeometry g, boolean max, INDArray out) {
        Check.rank("x", x, 4);
        long[] shape = last(g.outputShape(first(x.shape())));
        Check.shape("out", out, shape);
        if (oneDnn && OneDnnPool.accepts(x, g, out)) {
            OneDnnPool.forward(x, g, max, out);
            return;
        }
        if (!g.same() && x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && Direct.isDense(out)
                && g.padH() < g.kernelH() && g.padW() < g.kernelW()) {
            INDArray xd = BatchNorm.dense(x);
            ChannelsLastKernels.poolLast(xd.data().asNioFloat(), BnKernels.off(xd), out.data().asNioFloat(),
                    BnKernels.off(out), (int) x.size(0), (int) x.size(1), (int) x.size(2), (int) x.size(3),
                    (int) shape[1], (int) shape[2], g.kernelH(), g.kernelW(), g.strideH(), g.strideW(), g.padH(),
                    g.padW(), max);
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(out);
            return;
        }
        long[] args = g.nativeArgs(0); // extraParam0 0: an average divides by the real positions only
        args[10] = NHWC;
        INDArray o = Native.denseTarget(out);
        Native.exec(max ? "maxpool2d" : "avgpool2d", new INDArray[] {x}, new INDArray[] {o}, args);
        Native.writeBack(o, out);
    }

    /**
     * Batchnorm with the running statistics, {@code out = x * scale[c] + shift[c]}, then ReLU if asked; the channel
     * is the innermost axis.
     */
    public static void batchNorm(INDArray x, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps, boolean relu, INDArray out) {
        Check.sameShape("out", x, out);
        int c = Math.toIntExact(x.size(x.rank() - 1));
        int n = Math.toIntExact(x.length());
        double[][] affine = BnKernels.affine(gamma, beta, runningMean, runningVar, eps, c);
        double[] scale = affine[0];
        double[] shift = affine[1];
        INDArray xd = BatchNorm.dense(x);
        if (!Direct.isDense(out)) {
            throw new IllegalArgumentException("out must be a dense c-order array, got " + out.shapeInfoToString());
        }
        try {
            if (x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && c <= FloatKernels.TILE) {
                ChannelsLastKernels.applyLast(xd.data().asNioFloat(), BnKernels.off(xd), out.data().asNioFloat(),
                        BnKernels.off(out), n / c, c, scale, shift, relu);
                return;
            }
            try (Direct xs = Direct.in(xd); Direct os = Direct.out(out)) {
                for (int i = 0; i < n; i++) {
                    int ch = i % c;
                    double v = xs.get(i) * scale[ch] + shift[ch];
                    os.set(i, relu ? Bits.relu(v) : v);
                }
            }
        } finally {
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * {@link #globalAvgPool} at inference where no kernel of adnet has to give the same bits (a pooling of its own,
     * not one fused into a residual kernel): oneDNN's average pooling over the whole image, on oneDNN's threads, when it
     * takes the arrays (FLOAT, dense). With OpenMP's workers spinning and the Java kernels on the calling thread (the
     * inference setting of docs/benchmarks.md) a Java pooling would run on one core; this one runs on both.
     */
    public static void pooledMeans(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(3));
        if (oneDnn && x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && Direct.isDense(out)) {
            long c = out.size(1);
            // [B, C] seen as [B, 1, 1, C]: the same memory
            INDArray image = Nd4j.create(out.data(), new long[] {out.size(0), 1, 1, c}, new long[] {c, c, c, 1},
                    out.offset(), 'c');
            PoolGeometry g = new PoolGeometry(Math.toIntExact(x.size(1)), Math.toIntExact(x.size(2)), 1, 1, 0, 0, false);
            if (OneDnnPool.accepts(x, g, image)) {
                OneDnnPool.forward(x, g, false, image);
                return;
            }
        }
        globalAvgPool(x, out);
    }

    /** The mean over the spatial axes: {@code [B, H, W, C] -> [B, C]}. */
    public static void globalAvgPool(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(3));
        int batch = Math.toIntExact(x.size(0));
        int h = Math.toIntExact(x.size(1));
        int w = Math.toIntExact(x.size(2));
        int c = Math.toIntExact(x.size(3));
        INDArray xd = BatchNorm.dense(x);
        if (!Direct.isDense(out)) {
            throw new IllegalArgumentException("out must be a dense c-order array, got " + out.shapeInfoToString());
        }
        try {
            if (x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && w * c <= FloatKernels.TILE) {
                ChannelsLastKernels.pixelMeans(xd.data().asNioFloat(), BnKernels.off(xd), out.data().asNioFloat(),
                        BnKernels.off(out), batch, h, w * c, c);
                return;
            }
            try (Direct xs = Direct.in(xd); Direct os = Direct.out(out)) {
                int hw = h * w;
                for (int b = 0; b < batch; b++) {
                    for (int ch = 0; ch < c; ch++) {
                        double sum = 0;
                        for (int p = 0; p < hw; p++) {
                            sum += xs.get((b * hw + p) * c + ch);
                        }
                        os.set(b * c + ch, sum / hw);
                    }
                }
            }
        } finally {
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(out);
        }
    }

    /**
     * {@code [B, H, W, C] -> [B, C * H * W]} in channels-first order, the order the weights of a dense layer after
     * the flatten were trained on.
     */
    public static void flatten(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(1) * x.size(2) * x.size(3));
        if (x.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT && Direct.isDense(out)) {
            // a Java transpose per sample: libnd4j's assign from a permuted view took 7.5 ms for [256, 7, 7, 16]
            INDArray xd = BatchNorm.dense(x);
            ChannelsLastKernels.transposeSamples(xd.data().asNioFloat(), BnKernels.off(xd), out.data().asNioFloat(),
                    BnKernels.off(out), (int) x.size(0), (int) (x.size(1) * x.size(2)), (int) x.size(3));
            Reference.reachabilityFence(xd);
            Reference.reachabilityFence(out);
            return;
        }
        out.reshape('c', x.size(0), x.size(3), x.size(1), x.size(2)).assign(x.permute(0, 3, 1, 2));
    }

    /**
     * A dense layer on the flattened image, {@code out = flatten(x) · w + b} ({@link #flatten}'s order; b may be
     * null), without the flattened copy: one oneDNN inner product on the NHWC array when it takes the arrays
     * ({@link OneDnnInnerProduct}), else {@link #flatten} into a temporary and {@link Dense#forward}. Inference.
     */
    public static void flattenDense(INDArray x, INDArray w, INDArray b, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("w", w, x.size(1) * x.size(2) * x.size(3), w.size(1));
        Check.shape("out", out, x.size(0), w.size(1));
        if (b != null) {
            Check.shape("b", b, w.size(1));
        }
        if (oneDnn && OneDnnInnerProduct.accepts(x, w, b, out)) {
            OneDnnInnerProduct.forward(x, w, b, out);
            return;
        }
        INDArray flat = Nd4j.createUninitialized(x.dataType(), x.size(0), w.size(0));
        flatten(x, flat);
        Dense.forward(flat, w, b, out);
    }

    private static long[] first(long[] nhwc) {
        return new long[] {nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
    }

    private static long[] last(long[] nchw) {
        return new long[] {nchw[0], nchw[2], nchw[3], nchw[1]};
    }
}
