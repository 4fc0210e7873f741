package dev.adnet.runtime.ops;

import java.lang.ref.Reference;
import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A fully connected layer {@code out = x · w + b} with {@code x [B, in]}, {@code w [in, out]}, {@code b [out]}.
 *
 * <p>Uses {@code Nd4j.gemm} straight into the caller's c-order arrays: {@code a.mmul(b)} would return an f-order
 * result and cost a slow copy.
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
        if (x.dataType() == DataType.FLOAT && w.dataType() == DataType.FLOAT && out.dataType() == DataType.FLOAT
                && Direct.isDense(x) && Direct.isDense(w) && Direct.isDense(out)
                && x.size(0) * x.size(1) * w.size(1) <= SMALL_MACS) {
            FloatKernels.smallProduct(x.data().asNioFloat(), BnKernels.off(x), w.data().asNioFloat(), BnKernels.off(w),
                    out.data().asNioFloat(), BnKernels.off(out), (int) x.size(0), (int) x.size(1), (int) w.size(1));
            Reference.reachabilityFence(x);
            Reference.reachabilityFence(w);
            Reference.reachabilityFence(out);
        } else {
            Nd4j.gemm(x, w, out, false, false, 1.0, 0.0);
        }
        if (b != null) {
            addBias(out, b);
        }
    }

    /**
     * Products up to this many multiply-adds run as a Java loop: a gate head's [256, 16] x [16, 16] took ~0.2 ms
     * through libnd4j's matmul dispatch, tens of microseconds in the loop.
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
            Nd4j.gemm(x, gradOut, gradW, true, false, 1.0, 0.0);
        }
        if (gradIn != null) {
            Nd4j.gemm(gradOut, w, gradIn, false, true, 1.0, 0.0);
        }
        if (gradB != null) {
            Check.shape("gradB", gradB, w.size(1));
            gradOut.sum(gradB, 0);
        }
    }
}
