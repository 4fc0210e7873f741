package dev.adnet.runtime.ops;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * libnd4j's {@code conv2d} and {@code conv2d_bp} (oneDNN) on the same 3x3 convolution in NCHW (what the runtime uses)
 * and in NHWC, alternated, medians: whether a channels-last runtime would make the few-channel, large-map
 * convolutions (the stage every sample runs before the first exit or gate) faster.
 *
 * <pre>
 * java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.ConvLayoutBenchmark BATCH CHANNELS SIZE [rounds]
 * </pre>
 */
public final class ConvLayoutBenchmark {
    private ConvLayoutBenchmark() {}

    public static void main(String[] args) {
        int n = Integer.parseInt(args[0]);
        int c = Integer.parseInt(args[1]);
        int hw = Integer.parseInt(args[2]);
        int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 9;
        INDArray xc = Nd4j.rand(DataType.FLOAT, n, c, hw, hw);
        INDArray wc = Nd4j.rand(DataType.FLOAT, c, c, 3, 3);
        INDArray oc = Nd4j.create(DataType.FLOAT, n, c, hw, hw);
        INDArray gc = Nd4j.rand(DataType.FLOAT, n, c, hw, hw);
        INDArray xn = xc.permute(0, 2, 3, 1).dup('c');
        INDArray wn = wc.permute(2, 3, 1, 0).dup('c'); // [kH, kW, iC, oC], libnd4j's weight format 0
        INDArray on = Nd4j.create(DataType.FLOAT, n, hw, hw, c);
        INDArray gn = gc.permute(0, 2, 3, 1).dup('c');
        long[] nchw = {3, 3, 1, 1, 1, 1, 1, 1, 0, 0, 1};
        long[] nhwc = {3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 0};
        double[][] ms = new double[4][rounds];
        for (int r = -1; r < rounds; r++) {
            double[] t = {
                time(() -> Native.exec("conv2d", new INDArray[] {xc, wc}, new INDArray[] {oc}, nchw)),
                time(() -> Native.exec("conv2d", new INDArray[] {xn, wn}, new INDArray[] {on}, nhwc)),
                time(() -> Native.exec("conv2d_bp", new INDArray[] {xc, wc, gc}, new INDArray[] {xc.ulike(), wc.ulike()}, nchw)),
                time(() -> Native.exec("conv2d_bp", new INDArray[] {xn, wn, gn}, new INDArray[] {xn.ulike(), wn.ulike()}, nhwc))};
            for (int k = 0; r >= 0 && k < 4; k++) {
                ms[k][r] = t[k];
            }
        }
        if (!oc.permute(0, 2, 3, 1).equalsWithEps(on, 1e-2)) {
            throw new IllegalStateException("the two layouts disagree");
        }
        System.out.printf(Locale.ROOT, "RESULT [%d, %d, %d, %d] 3x3: forward NCHW %.2f ms, NHWC %.2f ms; backward NCHW %.2f ms, "
                + "NHWC %.2f ms (medians of %d)%n", n, c, hw, hw, median(ms[0]), median(ms[1]), median(ms[2]), median(ms[3]), rounds);
    }

    static double time(Runnable r) {
        long t = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            r.run();
        }
        return (System.nanoTime() - t) / 5e6;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
