package dev.adnet.runtime.ops;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/** Argument checks shared by the primitives; failures name the offending argument. */
final class Check {
    private Check() {}

    static void sameShape(String what, INDArray a, INDArray b) {
        if (a != null && b != null && !Arrays.equals(a.shape(), b.shape())) {
            throw new IllegalArgumentException(
                    what + ": shape " + Arrays.toString(a.shape()) + " != " + Arrays.toString(b.shape()));
        }
    }

    static void shape(String what, INDArray a, long... expected) {
        if (a != null && !Arrays.equals(a.shape(), expected)) {
            throw new IllegalArgumentException(what + ": expected shape " + Arrays.toString(expected) + ", got "
                    + Arrays.toString(a.shape()));
        }
    }

    static void rank(String what, INDArray a, int rank) {
        if (a.rank() != rank) {
            throw new IllegalArgumentException(what + ": expected rank " + rank + ", got " + a.rank());
        }
    }
}
