package dev.adnet.runtime.ops;

import java.nio.FloatBuffer;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A convolution's weights and bias with the following batchnorm folded in ({@link ChannelsLast#convBatchNorm}):
 * buffers of their own per weights array, rewritten on every call (so that new parameter values are always used;
 * {@link OneDnnWeights} then reorders only when the folded values changed).
 */
final class FoldedConv {
    /** By the weights' native address (ND4J arrays and buffers compare by value, not identity). */
    private static final Map<Long, FoldedConv> BY_WEIGHTS = new HashMap<>();

    final INDArray weights;
    final INDArray bias;

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

    /** The folded parameters of a convolution and the inference batchnorm after it, computed now. */
    static FoldedConv of(INDArray w, INDArray b, INDArray gamma, INDArray beta, INDArray runningMean,
            INDArray runningVar, double eps) {
        double[][] affine = BnKernels.affine(gamma, beta, runningMean, runningVar, eps, Math.toIntExact(w.size(0)));
        FoldedConv f = of(w);
        f.fold(w, b, affine[0], affine[1]);
        return f;
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
