package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution's weights and bias with the following batchnorm folded in ({@link ChannelsLast#convBatchNorm}):
 * buffers of their own per weights array, recomputed when the values they come from change. Each call compares
 * those values with a copy taken at the last folding (one bulk copy and one vectorised comparison: ~10 us for 37k
 * weights, where folding and the value check of the folded weights took ~80 us per call, 3-4% of an exit network's
 * inference; docs/benchmarks.md, session 7), so new parameter values are always used; {@link #version} tells
 * {@link OneDnnWeights} whether to reorder.
 */
final class FoldedConv {
    /** By the weights' native address (ND4J arrays and buffers compare by value, not identity). */
    private static final Map<Long, FoldedConv> BY_WEIGHTS = new HashMap<>();

    /** Folding versions, unique in the process: a reorder keyed by a freed buffer's address is never reused. */
    private static final AtomicLong VERSIONS = new AtomicLong();

    final INDArray weights;
    final INDArray bias;
    /** The version of {@link #weights}' values: a new one on each folding. */
    private long version = -1;
    /** The source values at the last folding (w, b, gamma, beta, mean, variance), and a buffer for this call's. */
    private float[] seen;
    private float[] scratch = new float[0];
    private double seenEps = Double.NaN;

    private FoldedConv(INDArray w) {
        weights = Nd4j.createUninitialized(DataType.FLOAT, w.shape(), 'c');
        bias = Nd4j.createUninitialized(DataType.FLOAT, w.size(0));
    }

    static FoldedConv of(INDArray w) {
        synchronized (BY_WEIGHTS) {
            FoldedConv f = BY_WEIGHTS.get(w.data().address());
            if (f != null && f.weights.length() == w.length() && f.bias.length() == w.size(0)) {
                return f;
            }
            if (BY_WEIGHTS.size() >= OneDnn.CAPACITY) {
                BY_WEIGHTS.clear(); // arrays come and go (tests, many networks): start over rather than grow
            }
            f = new FoldedConv(w);
            BY_WEIGHTS.put(w.data().address(), f);
            return f;
        }
    }

    /** The folded parameters of a convolution and the inference batchnorm after it, as of their values now. */
    static FoldedConv of(INDArray w, INDArray b, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps) {
        FoldedConv f = of(w);
        f.refresh(w, b, gamma, beta, runningMean, runningVar, eps);
        return f;
    }

    long version() {
        return version;
    }

    private synchronized void refresh(INDArray w, INDArray b, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps) {
        INDArray[] sources = {w, b, gamma, beta, runningMean, runningVar};
        long length = 0;
        for (INDArray a : sources) {
            length += a == null ? 0 : a.length();
        }
        if (scratch.length != length) {
            scratch = new float[Math.toIntExact(length)];
        }
        boolean copied = true;
        int at = 0;
        for (INDArray a : sources) {
            if (a != null) {
                copied &= copy(a, scratch, at);
                at += (int) a.length();
            }
        }
        if (copied && seen != null && eps == seenEps && Arrays.equals(scratch, seen)) {
            return;
        }
        double[][] affine = BnKernels.affine(gamma, beta, runningMean, runningVar, eps, Math.toIntExact(w.size(0)));
        fold(w, b, affine[0], affine[1]);
        version = VERSIONS.incrementAndGet();
        seenEps = eps;
        if (copied) {
            float[] t = seen == null || seen.length != scratch.length ? new float[scratch.length] : seen;
            seen = scratch;
            scratch = t;
        } else {
            seen = null; // values not copied (not dense FLOAT): folded on every call
        }
    }

    /** Copies a dense FLOAT array into {@code to} from {@code at}; false (nothing copied) for any other. */
    private static boolean copy(INDArray a, float[] to, int at) {
        if (a.dataType() != DataType.FLOAT || !Direct.isDense(a)) {
            return false;
        }
        a.data().asNioFloat().get(BnKernels.off(a), to, at, (int) a.length());
        java.lang.ref.Reference.reachabilityFence(a);
        return true;
    }

    /** weights[o] = w[o] * scale[o]; bias[o] = b[o] * scale[o] + shift[o] (b null: 0). */
    private synchronized void fold(INDArray w, INDArray b, double[] scale, double[] shift) {
        int oc = scale.length;
        int per = Math.toIntExact(w.length() / oc);
        FloatBuffer src = w.data().asNioFloat();
        FloatBuffer dst = weights.data().asNioFloat();
        float[] row = new float[per];
        for (int o = 0; o < oc; o++) {
            src.get(o * per, row);
            float s = (float) scale[o];
            for (int i = 0; i < per; i++) {
                row[i] *= s;
            }
            dst.put(o * per, row);
        }
        FloatBuffer bb = bias.data().asNioFloat();
        for (int o = 0; o < oc; o++) {
            double bo = b == null ? 0 : b.getDouble(o);
            bb.put(o, (float) (bo * scale[o] + shift[o]));
        }
    }
}
