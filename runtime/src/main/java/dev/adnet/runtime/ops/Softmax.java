package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Softmax over the last axis, computed stably (the row maximum is subtracted before exponentiating). */
public final class Softmax {
    private Softmax() {}

    public static void forward(INDArray x, INDArray out) {
        Check.sameShape("out", x, out);
        int d = Math.toIntExact(x.size(x.rank() - 1));
        int rows = Math.toIntExact(x.length() / d);
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int r = 0; r < rows; r++) {
                int base = r * d;
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < d; j++) {
                    max = Math.max(max, xd.get(base + j));
                }
                double sum = 0;
                for (int j = 0; j < d; j++) {
                    double e = Math.exp(xd.get(base + j) - max);
                    od.set(base + j, e);
                    sum += e;
                }
                double inv = 1 / sum;
                for (int j = 0; j < d; j++) {
                    od.set(base + j, od.get(base + j) * inv);
                }
            }
        }
    }

    /**
     * Uses {@code out} only ({@code x} may be null): {@code y * (dy - sum(dy * y))} per row. In FLOAT, {@code out}
     * holds the rounded forward values, which is what the VJP then uses.
     */
    public static void backward(INDArray x, INDArray out, INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.sameShape("gradOut", out, gradOut);
        Check.sameShape("gradIn", out, gradIn);
        int d = Math.toIntExact(out.size(out.rank() - 1));
        int rows = Math.toIntExact(out.length() / d);
        try (Direct y = Direct.in(out); Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int r = 0; r < rows; r++) {
                int base = r * d;
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += g.get(base + j) * y.get(base + j);
                }
                for (int j = 0; j < d; j++) {
                    gi.set(base + j, y.get(base + j) * (g.get(base + j) - dot));
                }
            }
        }
    }
}
