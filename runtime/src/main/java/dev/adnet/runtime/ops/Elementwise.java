package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Same-shape elementwise arithmetic (no broadcasting) with libnd4j's pairwise and scalar ops into the caller's
 * arrays: vectorised and multi-threaded, measured 0.33-0.39 ms on [64,16,28,28] float against about 1.5 ms for a
 * Java loop through the generic accessor. The VJPs of {@code add} and {@code sub} are the identity and negation of
 * {@code gradOut}, so generated code routes or {@link #scale}s gradients instead of calling a backward.
 */
public final class Elementwise {
    private Elementwise() {}

    /** Dense FLOAT arrays in a Java pass (no op dispatch: most of the cost for a loop step's [100, 256]); others libnd4j. */
    public static void add(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        if (a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT
                && Direct.isDense(a) && Direct.isDense(b) && Direct.isDense(out)) {
            FloatKernels.add(a.data().asNioFloat(), BnKernels.off(a), b.data().asNioFloat(), BnKernels.off(b),
                    out.data().asNioFloat(), BnKernels.off(out), Math.toIntExact(a.length()));
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(out);
            return;
        }
        Nd4j.exec(new AddOp(a, b, out));
    }

    /**
     * {@code out = max(a + b, 0)}: a residual add and the ReLU after it. Dense FLOAT arrays run one fused pass
     * ({@link FloatKernels#addRelu}), others {@link #add} then {@link Relu#forward} in place. Since
     * {@code out > 0} exactly where {@code a + b > 0}, {@link Relu#backward} may be given out in place of the sum.
     */
    public static void addRelu(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        if (a.dataType() == DataType.FLOAT && b.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT
                && Direct.isDense(a) && Direct.isDense(b) && Direct.isDense(out)) {
            FloatKernels.addRelu(a.data().asNioFloat(), BnKernels.off(a), b.data().asNioFloat(), BnKernels.off(b),
                    out.data().asNioFloat(), BnKernels.off(out), Math.toIntExact(a.length()));
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(out);
            return;
        }
        add(a, b, out);
        Relu.forward(out, out);
    }

    /**
     * {@link #addRelu} on channels-last images ({@code [B, H, W, C]}) that also writes the per-channel means of out
     * into {@code means} ({@code [B, C]}) in the same pass, the bits {@code ChannelsLast.globalAvgPool(out, means)}
     * would give (see {@link PixelMeans}): the pooling after a stage's last residual block reads nothing again.
     * Other than dense FLOAT arrays: the two separate kernels.
     */
    public static void addRelu(INDArray a, INDArray b, INDArray out, INDArray means) {
        same(a, b, out);
        Check.rank("out", out, 4);
        Check.shape("means", means, out.size(0), out.size(3));
        DataType t = out.dataType();
        boolean dense = Direct.isDense(a) && Direct.isDense(b) && Direct.isDense(out) && Direct.isDense(means);
        if (!dense || t != DataType.FLOAT || a.dataType() != t || b.dataType() != t || means.dataType() != t) {
            addRelu(a, b, out);
            ChannelsLast.globalAvgPool(out, means);
            return;
        }
        int batch = Math.toIntExact(out.size(0));
        int h = Math.toIntExact(out.size(1));
        int w = Math.toIntExact(out.size(2));
        int c = Math.toIntExact(out.size(3));
        int inner = h * w * c;
        int ao = BnKernels.off(a);
        int bo = BnKernels.off(b);
        int oo = BnKernels.off(out);
        int mo = BnKernels.off(means);
        Parallel.forRange(batch, 3L * batch * inner, (part, from, to) -> {
            PixelMeans acc = new PixelMeans(h, w, c);
            int len = acc.rowLength();
            FloatBuffer ab = a.data().asNioFloat();
            FloatBuffer bb = b.data().asNioFloat();
            FloatBuffer ob = out.data().asNioFloat();
            FloatBuffer mb = means.data().asNioFloat();
            float[] ta = new float[len];
            float[] tb = new float[len];
            for (int n = from; n < to; n++) {
                acc.start();
                for (int r = 0; r < h; r++) {
                    int at = n * inner + r * len;
                    ab.get(ao + at, ta, 0, len);
                    bb.get(bo + at, tb, 0, len);
                    FloatKernels.addRelu(ta, tb, len);
                    ob.put(oo + at, ta, 0, len);
                    acc.addRow(ta);
                }
                acc.finish(mb, mo + n * c);
            }
        });
        Reference.reachabilityFence(a);
        Reference.reachabilityFence(b);
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(means);
    }

    public static void sub(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        Nd4j.exec(new SubOp(a, b, out));
    }

    public static void mul(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        Nd4j.exec(new MulOp(a, b, out));
    }

    /** {@code gradA = gradOut * b}, {@code gradB = gradOut * a}; either may be null. */
    public static void mulBackward(INDArray a, INDArray b, INDArray gradOut, INDArray gradA, INDArray gradB) {
        same(a, b, gradOut);
        if (gradA != null) {
            mul(gradOut, b, gradA);
        }
        if (gradB != null) {
            mul(gradOut, a, gradB);
        }
    }

    public static void scale(INDArray a, double s, INDArray out) {
        Check.sameShape("out", a, out);
        Nd4j.exec(new ScalarMultiplication(a, null, out, s));
    }

    /** {@code target += addend}: the one accumulating primitive, for gradients of values used more than once. */
    public static void accumulate(INDArray target, INDArray addend) {
        Check.sameShape("addend", target, addend);
        Nd4j.exec(new AddOp(target, addend, target));
    }

    private static void same(INDArray a, INDArray b, INDArray out) {
        Check.sameShape("b", a, b);
        Check.sameShape("out", a, out);
    }
}
