package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Same-shape elementwise arithmetic as loops over the direct buffers (no broadcasting). The VJPs of {@code add}
 * and {@code sub} are the identity and negation of {@code gradOut}, so generated code routes or
 * {@link #scale}s gradients instead of calling a backward.
 */
public final class Elementwise {
    private Elementwise() {}

    public static void add(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        try (Direct x = Direct.in(a); Direct y = Direct.in(b); Direct o = Direct.out(out)) {
            for (int i = 0; i < x.length; i++) {
                o.set(i, x.get(i) + y.get(i));
            }
        }
    }

    public static void sub(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        try (Direct x = Direct.in(a); Direct y = Direct.in(b); Direct o = Direct.out(out)) {
            for (int i = 0; i < x.length; i++) {
                o.set(i, x.get(i) - y.get(i));
            }
        }
    }

    public static void mul(INDArray a, INDArray b, INDArray out) {
        same(a, b, out);
        try (Direct x = Direct.in(a); Direct y = Direct.in(b); Direct o = Direct.out(out)) {
            for (int i = 0; i < x.length; i++) {
                o.set(i, x.get(i) * y.get(i));
            }
        }
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
        try (Direct x = Direct.in(a); Direct o = Direct.out(out)) {
            for (int i = 0; i < x.length; i++) {
                o.set(i, x.get(i) * s);
            }
        }
    }

    /** {@code target += addend}: the one accumulating primitive, for gradients of values used more than once. */
    public static void accumulate(INDArray target, INDArray addend) {
        Check.sameShape("addend", target, addend);
        try (Direct t = Direct.out(target); Direct x = Direct.in(addend)) {
            for (int i = 0; i < t.length; i++) {
                t.set(i, t.get(i) + x.get(i));
            }
        }
    }

    private static void same(INDArray a, INDArray b, INDArray out) {
        Check.sameShape("b", a, b);
        Check.sameShape("out", a, out);
    }
}
