package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/** Runs a libnd4j custom op with caller-provided outputs, so the shape function allocates nothing. */
final class Native {
    private Native() {}

    private static final Object HELPERS_LOCK = new Object();

    /**
     * Runs the op with libnd4j's platform helpers (oneDNN) disabled. Why: in 1.0.0-M2.1 the oneDNN path of
     * {@code conv2d}/{@code conv2d_bp} fails on FLOAT input with any dilation > 1 ("could not create a descriptor
     * for a dilated convolution forward propagation primitive"); the built-in implementation is correct. The switch
     * is process-wide, so other threads' ops running meanwhile also skip oneDNN (slower, still correct).
     */
    static void execWithoutHelpers(String op, INDArray[] inputs, INDArray[] outputs, long... iArgs) {
        synchronized (HELPERS_LOCK) {
            var env = Nd4j.getEnvironment();
            boolean before = env.helpersAllowed();
            env.allowHelpers(false);
            try {
                exec(op, inputs, outputs, iArgs);
            } finally {
                env.allowHelpers(before);
            }
        }
    }

    static void exec(String op, INDArray[] inputs, INDArray[] outputs, long... iArgs) {
        DynamicCustomOp.DynamicCustomOpsBuilder b = DynamicCustomOp.builder(op).addInputs(inputs).addOutputs(outputs);
        if (iArgs.length > 0) {
            int[] ints = new int[iArgs.length];
            for (int i = 0; i < ints.length; i++) {
                ints[i] = Math.toIntExact(iArgs[i]);
            }
            b.addIntegerArguments(ints);
        }
        if (OpProfile.ENABLED) {
            long t = System.nanoTime();
            Nd4j.exec(b.build());
            OpProfile.record(op, inputs, System.nanoTime() - t);
        } else {
            Nd4j.exec(b.build());
        }
    }

    /** A dense c-order array to use as an op output, the target itself when it already is one. */
    static INDArray denseTarget(INDArray target) {
        return Direct.isDense(target) ? target : target.ulike();
    }

    /** Copies a temporary back into the real output when {@link #denseTarget} had to substitute one. */
    static void writeBack(INDArray tmp, INDArray target) {
        if (tmp != target) {
            target.assign(tmp);
        }
    }
}
