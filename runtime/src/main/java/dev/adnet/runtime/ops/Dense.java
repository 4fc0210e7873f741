package dev.adnet.runtime.ops;

import static org.bytedeco.dnnl.global.dnnl.dnnl_sgemm;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer {@code out = x · w + b} with {@code x [B, in]}, {@code w [in, out]}, {@code b [out]}.
 *
 * <p>Products run straight into the caller's c-order arrays (oneDNN's sgemm, else {@code Nd4j.gemm}):
 * {@code a.mmul(b)} would return an f-order result and cost a slow copy.
 */
public final class Dense {
    private Dense() {}

    static {
        // OpenBLAS (behind Nd4j.gemm) on one thread unless -Dadnet.blas.threads says otherwise: the products here are
        // small (classifier heads, the dense layers' backward), and OpenBLAS's worker threads keep spinning after a
        // call, taking the two cores from oneDNN's threads and the Java kernels (docs/benchmarks.md, session 6)
        Nd4j.factory().blas().setMaxThreads(Integer.getInteger("adnet.blas.threads", 1));
    }

    public static void forward(INDArray x, INDArray w, INDArray b, INDArray out) {
        Check.rank("x", x, 2);
        Check.rank("w", w, 2);
        Check.shape("out", out, x.size(0), w.size(1));
        if (b != null) {
            Check.shape("b", b, w.size(1));
        }
        if (!oneDnn(x, w, out) && x.dataType() == DataType.FLOAT && w.dataType() == DataType.FLOAT
                && out.dataType() == DataType.FLOAT && Direct.isDense(x) && Direct.isDense(w) && Direct.isDense(out)
                && x.size(0) * x.size(1) * w.size(1) <= SMALL_MACS) {
            // without oneDNN only: its call costs less than this loop's copies and transposes at any size
            FloatKernels.smallProduct(x.data().asNioFloat(), BnKernels.off(x), w.data().asNioFloat(), BnKernels.off(w),
                    out.data().asNioFloat(), BnKernels.off(out), (int) x.size(0), (int) x.size(1), (int) w.size(1));
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(w);
            Reference.reachabilityFence(out);
        } else if (b != null && fillRows(out, b)) {
            // the product accumulates onto the bias rows: one pass over the output less than adding the bias after it
            product(x, false, w, false, out, 1f);
            return;
        } else {
            product(x, false, w, false, out, 0f);
        }
        if (b != null) {
            addBias(out, b);
        }
    }

    /**
     * {@code c = op(a) · op(b) + beta c} for 2-d c-order arrays, {@code op} transposing when asked. FLOAT arrays that
     * oneDNN takes as they are go to oneDNN's row-major {@code dnnl_sgemm}, which costs about 4 us per call beyond
     * its arithmetic where {@code Nd4j.gemm} costs about 50 us (libnd4j's op dispatch): that was most of a
     * [100, 256] x [256, 256] product's time in a halting loop's step (docs/benchmarks.md). Everything else
     * {@code Nd4j.gemm}.
     */
    private static void product(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c, float beta) {
        if (oneDnn(a, b, c)) {
            long m = c.size(0);
            long n = c.size(1);
            long k = ta ? a.size(0) : a.size(1);
            int status = dnnl_sgemm((byte) (ta ? 'T' : 'N'), (byte) (tb ? 'T' : 'N'), m, n, k, 1f,
                    (FloatPointer) a.data().addressPointer(), a.size(1), (FloatPointer) b.data().addressPointer(), b.size(1),
                    beta, (FloatPointer) c.data().addressPointer(), n);
            Reference.reachabilityFence(a);
            Reference.reachabilityFence(b);
            Reference.reachabilityFence(c);
            if (status == dnnl_success) {
                return;
            }
            throw new IllegalStateException("oneDNN sgemm failed with status " + status + " for " + m + " x " + k + " x " + n);
        }
        Nd4j.gemm(a, b, c, ta, tb, 1.0, beta);
    }

    /** Whether {@link #product} hands these arrays to oneDNN as they are. */
    private static boolean oneDnn(INDArray a, INDArray b, INDArray c) {
        return OneDnn.available() && OneDnn.takes(a) && OneDnn.takes(b) && OneDnn.takes(c);
    }

    /** Writes {@code b} into every row of {@code out} when both are dense FLOAT arrays; false (nothing written) otherwise. */
    private static boolean fillRows(INDArray out, INDArray b) {
        if (out.dataType() != DataType.FLOAT || b.dataType() != DataType.FLOAT || !Direct.isDense(out) || !Direct.isDense(b)) {
            return false;
        }
        int cols = Math.toIntExact(b.length());
        int rows = Math.toIntExact(out.size(0));
        float[] bv = new float[cols];
        b.data().asNioFloat().get(BnKernels.off(b), bv, 0, cols);
        FloatBuffer ob = out.data().asNioFloat();
        int off = BnKernels.off(out);
        for (int r = 0; r < rows; r++) {
            ob.put(off + r * cols, bv, 0, cols);
        }
        Reference.reachabilityFence(out);
        Reference.reachabilityFence(b);
        return true;
    }

    /**
     * Without oneDNN, products up to this many multiply-adds run as a Java loop: a gate head's [256, 16] x [16, 16]
     * took ~0.2 ms through libnd4j's matmul dispatch, tens of microseconds in the loop.
     */
    static final long SMALL_MACS = 1 << 18;

    /**
     * {@code out[n] += b} for every row: a loop over the direct buffers when both are dense (ND4J's broadcast
     * {@code addiRowVector} cost ~0.2 ms even for a gate head's [256, 16], more than the product).
     */
    private static void addBias(INDArray out, INDArray b) {
        if (!Direct.isDense(out) || !Direct.isDense(b) || out.dataType() != b.dataType()) {
            out.addiRowVector(b);
            return;
        }
        int cols = Math.toIntExact(b.length());
        int n = Math.toIntExact(out.length());
        if (out.dataType() == DataType.FLOAT) {
            // bulk copies: the generic accessor costs a few ns an element, more than the product for a gate head
            float[] o = new float[n];
            float[] bv = new float[cols];
            FloatBuffer ob = out.data().asNioFloat();
            ob.get(BnKernels.off(out), o, 0, n);
            b.data().asNioFloat().get(BnKernels.off(b), bv, 0, cols);
            for (int r = 0; r < n; r += cols) {
                for (int j = 0; j < cols; j++) {
                    o[r + j] = (float) ((double) o[r + j] + bv[j]);
                }
            }
            ob.put(BnKernels.off(out), o, 0, n);
            Reference.reachabilityFence(out);
            Reference.reachabilityFence(b);
            return;
        }
        try (Direct o = Direct.out(out); Direct bias = Direct.in(b)) {
            double[] bv = new double[cols];
            for (int j = 0; j < cols; j++) {
                bv[j] = bias.get(j);
            }
            for (int i = 0; i < n; i++) {
                o.set(i, o.get(i) + bv[i % cols]);
            }
        }
    }

    /** The VJP: overwrites each non-null gradient output; null ones are skipped. */
    public static void backward(INDArray x, INDArray w, INDArray gradOut, INDArray gradIn, INDArray gradW,
            INDArray gradB) {
        Check.shape("gradOut", gradOut, x.size(0), w.size(1));
        Check.sameShape("gradIn", x, gradIn);
        Check.sameShape("gradW", w, gradW);
        if (gradW != null) {
            product(x, true, gradOut, false, gradW, 0f);
        }
        if (gradIn != null) {
            product(gradOut, false, w, true, gradIn, 0f);
        }
        if (gradB != null) {
            Check.shape("gradB", gradB, w.size(1));
            gradOut.sum(gradB, 0);
        }
    }
}
