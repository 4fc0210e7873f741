package dev.adnet.runtime.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Ways of computing a FLOAT convolution's backward (and its forward), alternated in one process (rounds of 3 calls
 * each; min and median ms per call), with the largest deviation of each variant's gradient from {@code conv2d_bp}'s:
 * <ul>
 *   <li>{@code bp/channels-last}, {@code forward/channels-last}: the same convolution on NHWC copies of the arrays
 *       ({@link ChannelsLast#conv2dBackward}, {@link ChannelsLast#conv2d}), as channels-last training runs it;
 *   <li>{@code bp/current}: {@link Conv2d#backward} as the runtime runs it (oneDNN directly, {@link OneDnnConvBackward});
 *       {@code forward/current} and {@code forward/libnd4j}: {@link Conv2d#forward} with and without it;
 *   <li>{@code bp/libnd4j/mbK}: libnd4j's {@code conv2d_bp} with the batch split into calls of K samples
 *       ({@code bp/libnd4j}: its split before oneDNN was called directly);
 *   <li>{@code dW only (conv2d_bp)}, {@code dW only (oneDNN)} and {@code dW only (Java)}: no input gradient wanted,
 *       {@code conv2d_bp} against oneDNN's weight-gradient primitive alone and {@link ConvWeightGrad} (only where it
 *       applies);
 *   <li>stride 1 only: {@code dX as conv2d}, the input gradient as a forward convolution of the output gradient with
 *       the transposed, flipped kernel; {@code dW via deconv2d_bp}, the weight gradient from libnd4j's transposed
 *       convolution backward (which also runs a wasted forward convolution).
 * </ul>
 *
 * <pre>
 * OMP_WAIT_POLICY=PASSIVE java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.ConvBackwardBenchmark BATCH IN_CHANNELS OUT_CHANNELS SIZE KERNEL STRIDE [rounds] [chunks]
 * </pre>
 */
public final class ConvBackwardBenchmark {
    private ConvBackwardBenchmark() {}

    public static void main(String[] a) {
        int n = Integer.parseInt(a[0]);
        int ic = Integer.parseInt(a[1]);
        int oc = Integer.parseInt(a[2]);
        int hw = Integer.parseInt(a[3]);
        int k = Integer.parseInt(a[4]);
        int s = Integer.parseInt(a[5]);
        int rounds = a.length > 6 ? Integer.parseInt(a[6]) : 9;
        int[] chunks = a.length > 7 ? Arrays.stream(a[7].split(",")).mapToInt(Integer::parseInt).toArray()
                : new int[] {n, n / 2, 8};
        int p = k / 2;
        ConvGeometry g = ConvGeometry.of(k, s, p);
        INDArray x = Nd4j.rand(DataType.FLOAT, n, ic, hw, hw).subi(0.5);
        INDArray w = Nd4j.rand(DataType.FLOAT, oc, ic, k, k).subi(0.5);
        long[] os = g.outputShape(x.shape(), oc);
        INDArray gy = Nd4j.rand(DataType.FLOAT, os).subi(0.5);
        long per = os[1] * os[2] * os[3];
        INDArray giRef = x.ulike();
        INDArray gwRef = w.ulike();
        libnd4j(() -> Conv2d.backward(x, w, null, gy, g, giRef, gwRef, null));

        List<String> names = new ArrayList<>();
        List<Runnable> runs = new ArrayList<>();
        List<INDArray[]> results = new ArrayList<>(); // {gradIn or null, gradW or null}
        INDArray gi = x.ulike();
        INDArray gw = w.ulike();
        names.add("bp/current");
        runs.add(() -> Conv2d.backward(x, w, null, gy, g, gi, gw, null));
        results.add(new INDArray[] {gi, gw});
        INDArray gil = x.ulike();
        INDArray gwl = w.ulike();
        names.add("bp/libnd4j");
        runs.add(() -> libnd4j(() -> Conv2d.backward(x, w, null, gy, g, gil, gwl, null)));
        results.add(new INDArray[] {gil, gwl});
        for (int c : chunks) {
            INDArray gic = x.ulike();
            INDArray gwc = w.ulike();
            names.add("bp/libnd4j/mb" + c);
            runs.add(() -> libnd4j(() -> Conv2d.backward(x, w, null, gy, g, gic, gwc, null, c * per)));
            results.add(new INDArray[] {gic, gwc});
        }
        INDArray y = Nd4j.create(DataType.FLOAT, os);
        names.add("forward/current");
        runs.add(() -> Conv2d.forward(x, w, null, g, y));
        results.add(new INDArray[] {null, null});
        names.add("forward/libnd4j");
        runs.add(() -> libnd4j(() -> Conv2d.forward(x, w, null, g, y)));
        results.add(new INDArray[] {null, null});
        // channels-last training: the same values in NHWC, gradients permuted back for the comparison
        INDArray xl = x.permute(0, 2, 3, 1).dup('c');
        INDArray gyl = gy.permute(0, 2, 3, 1).dup('c');
        INDArray yl = Nd4j.create(DataType.FLOAT, os[0], os[2], os[3], os[1]);
        INDArray gill = xl.ulike();
        INDArray gwll = w.ulike();
        INDArray gilView = gill.permute(0, 3, 1, 2);
        names.add("bp/channels-last");
        runs.add(() -> ChannelsLast.conv2dBackward(xl, w, null, gyl, g, gill, gwll, null));
        results.add(new INDArray[] {gilView, gwll});
        names.add("forward/channels-last");
        runs.add(() -> ChannelsLast.conv2d(xl, w, null, g, yl));
        results.add(new INDArray[] {null, null});
        INDArray gwOld = w.ulike();
        names.add("dW only (conv2d_bp)");
        runs.add(() -> libnd4j(() -> {
            Conv2d.javaWeightGrad = false;
            Conv2d.backward(x, w, null, gy, g, null, gwOld, null);
            Conv2d.javaWeightGrad = true;
        }));
        results.add(new INDArray[] {null, gwOld});
        INDArray gwDnnl = w.ulike();
        names.add("dW only (oneDNN)");
        runs.add(() -> {
            Conv2d.javaWeightGrad = false;
            Conv2d.backward(x, w, null, gy, g, null, gwDnnl, null);
            Conv2d.javaWeightGrad = true;
        });
        results.add(new INDArray[] {null, gwDnnl});
        if (ConvWeightGrad.applies(x, w, gy, g)) {
            INDArray gwJava = w.ulike();
            names.add("dW only (Java)");
            runs.add(() -> ConvWeightGrad.compute(x, gy, g, gwJava, null));
            results.add(new INDArray[] {null, gwJava});
        }
        if (s == 1) {
            INDArray giFwd = x.ulike();
            long[] fwdArgs = {k, k, 1, 1, k - 1 - p, k - 1 - p, 1, 1, 0, 0, 1};
            names.add("dX as conv2d");
            runs.add(() -> Native.exec("conv2d", new INDArray[] {gy, flipped(w)}, new INDArray[] {giFwd}, fwdArgs));
            results.add(new INDArray[] {giFwd, null});
            // deconv2d with weights [iC, oC, kH, kW] (format 1) = ours, input = our output gradient: its weight
            // gradient against an output gradient equal to our input is our weight gradient
            INDArray gwDeconv = w.ulike();
            INDArray wasted = gy.ulike();
            names.add("dW via deconv2d_bp");
            runs.add(() -> Native.exec("deconv2d_bp", new INDArray[] {gy, w, x}, new INDArray[] {wasted, gwDeconv},
                    g.nativeArgs()));
            results.add(new INDArray[] {null, gwDeconv});
        }
        double[][] ms = new double[runs.size()][rounds];
        for (int r = -1; r < rounds; r++) {
            for (int v = 0; v < runs.size(); v++) {
                long t = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    runs.get(v).run();
                }
                if (r >= 0) {
                    ms[v][r] = (System.nanoTime() - t) / 3e6;
                }
            }
        }
        System.out.printf(Locale.ROOT, "[%d, %d, %d, %d] %dx%d stride %d -> %d channels (max |dX| %.3g, max |dW| %.3g):%n",
                n, ic, hw, hw, k, k, s, oc, giRef.amaxNumber().doubleValue(), gwRef.amaxNumber().doubleValue());
        for (int v = 0; v < runs.size(); v++) {
            double[] sorted = ms[v].clone();
            Arrays.sort(sorted);
            INDArray[] res = results.get(v);
            String dev = (res[0] == null ? "" : String.format(Locale.ROOT, " dX dev %.2g", diff(res[0], giRef)))
                    + (res[1] == null ? "" : String.format(Locale.ROOT, " dW dev %.2g", diff(res[1], gwRef)));
            System.out.printf(Locale.ROOT, "RESULT %-22s min %7.2f median %7.2f ms%s%n", names.get(v), sorted[0],
                    sorted[rounds / 2], dev);
        }
    }

    /** Runs r with libnd4j's convolutions instead of oneDNN called directly. */
    private static void libnd4j(Runnable r) {
        Conv2d.oneDnn = false;
        try {
            r.run();
        } finally {
            Conv2d.oneDnn = true;
        }
    }

    private static double diff(INDArray a, INDArray b) {
        return a.sub(b).amaxNumber().doubleValue();
    }

    /** {@code W'[ic][oc][kh][kw] = W[oc][ic][k-1-kh][k-1-kw]}. */
    private static INDArray flipped(INDArray w) {
        int oc = (int) w.size(0);
        int ic = (int) w.size(1);
        int kh = (int) w.size(2);
        int kw = (int) w.size(3);
        float[] src = w.data().asFloat();
        float[] dst = new float[src.length];
        for (int o = 0; o < oc; o++) {
            for (int i = 0; i < ic; i++) {
                for (int y = 0; y < kh; y++) {
                    for (int xx = 0; xx < kw; xx++) {
                        dst[((i * oc + o) * kh + kh - 1 - y) * kw + kw - 1 - xx] = src[((o * ic + i) * kh + y) * kw + xx];
                    }
                }
            }
        }
        return Nd4j.create(dst, new long[] {ic, oc, kh, kw}, DataType.FLOAT);
    }
}
