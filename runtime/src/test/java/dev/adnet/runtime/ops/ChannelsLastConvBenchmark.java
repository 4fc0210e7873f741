package dev.adnet.runtime.ops;

import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The forward of every convolution shape of the Fashion-MNIST samples through libnd4j's {@code conv2d}, NCHW (the
 * training layout) against NHWC (the inference layout, {@link ChannelsLast#conv2d}), same weights, alternated
 * round by round; medians of 9 rounds of 5 calls, and the two results compared.
 *
 * <pre>
 * ./mvnw -q -o -pl runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_WAIT_POLICY=PASSIVE java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.ChannelsLastConvBenchmark [batch]
 * </pre>
 */
public final class ChannelsLastConvBenchmark {
    private ChannelsLastConvBenchmark() {}

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        // in channels, out channels, size, kernel, stride, padding
        int[][] shapes = {{1, 16, 28, 3, 1, 1}, {16, 16, 28, 3, 1, 1}, {16, 32, 28, 3, 2, 1}, {16, 32, 28, 1, 2, 0},
            {32, 32, 14, 3, 1, 1}, {32, 64, 14, 3, 2, 1}, {32, 64, 14, 1, 2, 0}, {64, 64, 7, 3, 1, 1}};
        for (int[] s : shapes) {
            ConvGeometry g = ConvGeometry.of(s[3], s[4], s[5]);
            INDArray x = Nd4j.rand(DataType.FLOAT, n, s[0], s[2], s[2]);
            INDArray w = Nd4j.rand(DataType.FLOAT, s[1], s[0], s[3], s[3]);
            long[] shape = g.outputShape(x.shape(), s[1]);
            INDArray first = Nd4j.create(DataType.FLOAT, shape);
            INDArray xl = Nd4j.create(DataType.FLOAT, n, s[2], s[2], s[0]);
            ChannelsLast.fromChannelsFirst(x, xl);
            INDArray last = Nd4j.create(DataType.FLOAT, shape[0], shape[2], shape[3], shape[1]);
            double[][] ms = new double[2][9];
            for (int r = -1; r < 9; r++) {
                double a = ConvLayoutBenchmark.time(() -> Conv2d.forward(x, w, null, g, first));
                double b = ConvLayoutBenchmark.time(() -> ChannelsLast.conv2d(xl, w, null, g, last));
                if (r >= 0) {
                    ms[0][r] = a;
                    ms[1][r] = b;
                }
            }
            if (!first.permute(0, 2, 3, 1).equalsWithEps(last, 1e-2)) {
                throw new IllegalStateException("the layouts disagree");
            }
            double f = ConvLayoutBenchmark.median(ms[0]);
            double l = ConvLayoutBenchmark.median(ms[1]);
            double gflop = 2.0 * n * shape[1] * shape[2] * shape[3] * s[0] * s[3] * s[3] / 1e9;
            System.out.printf(Locale.ROOT, "RESULT %2d -> %2d, %2dx%-2d k%d s%d: NCHW %.2f ms, NHWC %.2f ms (%.2fx; NHWC %.0f"
                    + " GFLOP/s)%n", s[0], s[1], s[2], s[2], s[3], s[4], f, l, f / l, gflop / (l / 1e3));
        }
    }
}
