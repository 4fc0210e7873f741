package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The mean over the spatial axes: {@code [B, C, H, W] -> [B, C]}. Plain loops (one pass each way). */
public final class GlobalAvgPool {
    private GlobalAvgPool() {}

    public static void forward(INDArray x, INDArray out) {
        Check.rank("x", x, 4);
        Check.shape("out", out, x.size(0), x.size(1));
        int planes = Math.toIntExact(x.size(0) * x.size(1));
        int hw = Math.toIntExact(x.size(2) * x.size(3));
        try (Direct xd = Direct.in(x); Direct od = Direct.out(out)) {
            for (int p = 0; p < planes; p++) {
                double sum = 0;
                for (int s = p * hw; s < (p + 1) * hw; s++) {
                    sum += xd.get(s);
                }
                od.set(p, sum / hw);
            }
        }
    }

    public static void backward(INDArray gradOut, INDArray gradIn) {
        if (gradIn == null) {
            return;
        }
        Check.rank("gradIn", gradIn, 4);
        Check.shape("gradOut", gradOut, gradIn.size(0), gradIn.size(1));
        int planes = Math.toIntExact(gradIn.size(0) * gradIn.size(1));
        int hw = Math.toIntExact(gradIn.size(2) * gradIn.size(3));
        try (Direct g = Direct.in(gradOut); Direct gi = Direct.out(gradIn)) {
            for (int p = 0; p < planes; p++) {
                double v = g.get(p) / hw;
                for (int s = p * hw; s < (p + 1) * hw; s++) {
                    gi.set(s, v);
                }
            }
        }
    }
}
