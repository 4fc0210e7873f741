package dev.adnet.runtime.ops;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * What an exit head and a compacted batch cost around oneDNN's convolutions (docs/benchmarks.md, session 7).
 *
 * <p>First, {@code fashion_exits}' first head ({@code avg_pool(4) -> flatten -> dense(10)} on {@code [256, 28, 28,
 * 16]}) timed right after a convolution of that size, as it runs in the network: the Java pooling, the flatten's
 * transpose and {@link Dense#forward} (libnd4j's gemm), against oneDNN's pooling and {@link
 * ChannelsLast#flattenDense} (one oneDNN inner product on the NHWC image); the inner product alone on one OpenMP
 * thread and on all of them; then the gemm alone, in a loop of its own and after a convolution. Second, one convolution's time against its batch size ({@code 3x3}, 64 channels at
 * {@code 7x7} and 32 at {@code 14x14}, the sizes of the exits' later stages): the fixed cost per call that makes
 * the small batches left after an exit slower per sample; and in between, what {@link FoldedConv} costs per call when
 * the parameters have not changed. Median microseconds per call over 9 rounds.
 *
 * <pre>
 * ./mvnw -q -o -pl runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_WAIT_POLICY=PASSIVE java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.ExitHeadBenchmark
 * </pre>
 */
public final class ExitHeadBenchmark {
    private ExitHeadBenchmark() {}

    public static void main(String[] args) {
        DataType f = DataType.FLOAT;
        ConvGeometry g3 = ConvGeometry.of(3, 1, 1);
        INDArray x = Nd4j.rand(f, 256, 28, 28, 16);
        INDArray cw = Nd4j.rand(f, 16, 16, 3, 3).subi(0.5);
        INDArray image = Nd4j.create(f, 256, 28, 28, 16);
        Runnable conv = () -> ChannelsLast.conv2d(x, cw, null, g3, image);
        PoolGeometry pool = PoolGeometry.of(4, 4, 0);
        INDArray pooled = Nd4j.create(f, 256, 7, 7, 16);
        INDArray flat = Nd4j.create(f, 256, 784);
        INDArray w = Nd4j.rand(f, 784, 10).subi(0.5);
        INDArray b = Nd4j.rand(f, 10);
        INDArray logits = Nd4j.create(f, 256, 10);
        after(conv, "exit head: Java pooling, flatten, Dense.forward", () -> {
            ChannelsLastKernels.poolLast(image.data().asNioFloat(), 0, pooled.data().asNioFloat(), 0, 256, 28, 28, 16, 7,
                    7, 4, 4, 4, 4, 0, 0, false);
            ChannelsLast.flatten(pooled, flat);
            Dense.forward(flat, w, b, logits);
        });
        after(conv, "exit head: oneDNN pooling, flattenDense", () -> {
            ChannelsLast.pool2d(image, pool, false, pooled);
            ChannelsLast.flattenDense(pooled, w, b, logits);
        });
        after(conv, "exit head's inner product, on one OpenMP thread", () -> ChannelsLast.flattenDense(pooled, w, b, logits));
        after(conv, "exit head's inner product, on every OpenMP thread", () -> onThreads(-1,
                () -> ChannelsLast.flattenDense(pooled, w, b, logits)));
        after(() -> { }, "[256, 784] x [784, 10] gemm, in a loop of its own",
                () -> Nd4j.gemm(flat, w, logits, false, false, 1.0, 0.0));
        after(conv, "[256, 784] x [784, 10] gemm, after a convolution",
                () -> Nd4j.gemm(flat, w, logits, false, false, 1.0, 0.0));

        INDArray w64 = Nd4j.rand(f, 64, 64, 3, 3);
        INDArray gamma = Nd4j.rand(f, 64);
        INDArray beta = Nd4j.rand(f, 64);
        INDArray mean = Nd4j.rand(f, 64);
        INDArray var = Nd4j.rand(f, 64).addi(0.5);
        System.out.printf(Locale.ROOT, "RESULT %-58s %9.1f us per call%n", "batchnorm folding check, 64x64x3x3, unchanged",
                median(200, () -> FoldedConv.of(w64, null, gamma, beta, mean, var, 1e-5)));

        for (int[] shape : new int[][] {{7, 64}, {14, 32}}) {
            int hw = shape[0];
            int c = shape[1];
            INDArray kw = Nd4j.rand(f, c, c, 3, 3).subi(0.5);
            StringBuilder line = new StringBuilder();
            for (int batch : new int[] {8, 16, 32, 64, 128, 256}) {
                INDArray in = Nd4j.rand(f, batch, hw, hw, c);
                INDArray out = Nd4j.create(f, batch, hw, hw, c);
                double us = median(Math.max(4, 1024 / batch), () -> ChannelsLast.conv2d(in, kw, null, g3, out));
                line.append(String.format(Locale.ROOT, "  %d: %.0f us (%.1f/sample)", batch, us, us / batch));
            }
            System.out.printf(Locale.ROOT, "RESULT conv 3x3 %dx%dx%d by batch:%s%n", hw, hw, c, line);
        }

        // inner products by size, after a convolution, on one OpenMP thread and on all: where the one-thread limit
        // of OneDnnInnerProduct comes from
        INDArray small = Nd4j.rand(f, 64, 28, 28, 16);
        INDArray smallOut = Nd4j.create(f, 64, 28, 28, 16);
        Runnable smallConv = () -> ChannelsLast.conv2d(small, cw, null, g3, smallOut);
        for (int batch : new int[] {256, 126, 48}) {
            for (int[] s : new int[][] {{7, 16, 10}, {7, 64, 10}, {7, 64, 64}, {14, 32, 64}}) {
                INDArray in = Nd4j.rand(f, batch, s[0], s[0], s[1]);
                INDArray iw = Nd4j.rand(f, s[0] * s[0] * s[1], s[2]).subi(0.5);
                INDArray io = Nd4j.create(f, batch, s[2]);
                long macs = (long) batch * s[0] * s[0] * s[1] * s[2];
                String what = String.format(Locale.ROOT, "inner product %d x %dx%dx%d -> %d (%.1fM multiply-adds)", batch,
                        s[0], s[0], s[1], s[2], macs / 1e6);
                double one = afterMedian(smallConv, () -> onThreads(Long.MAX_VALUE,
                        () -> ChannelsLast.flattenDense(in, iw, null, io)));
                double all = afterMedian(smallConv, () -> onThreads(-1, () -> ChannelsLast.flattenDense(in, iw, null, io)));
                System.out.printf(Locale.ROOT, "RESULT %-58s one thread %7.1f us, all %7.1f us%n", what, one, all);
            }
        }
    }

    /** Times {@code r} alone, each call right after {@code before} (untimed). */
    private static void after(Runnable before, String what, Runnable r) {
        System.out.printf(Locale.ROOT, "RESULT %-58s %9.1f us per call%n", what, afterMedian(before, r));
    }

    /** Median microseconds of {@code r} alone, each call right after {@code before} (untimed). */
    private static double afterMedian(Runnable before, Runnable r) {
        return median(10, () -> {
            before.run();
            long t = System.nanoTime();
            r.run();
            elapsed += System.nanoTime() - t;
        }, true);
    }

    /** Runs r with {@link OneDnnInnerProduct#oneThreadLimit} at {@code limit}, restored after. */
    private static void onThreads(long limit, Runnable r) {
        long was = OneDnnInnerProduct.oneThreadLimit;
        OneDnnInnerProduct.oneThreadLimit = limit;
        try {
            r.run();
        } finally {
            OneDnnInnerProduct.oneThreadLimit = was;
        }
    }

    private static long elapsed;

    private static double median(int calls, Runnable r) {
        return median(calls, r, false);
    }

    /** Median over 9 rounds of microseconds per call; with {@code timed}, r adds its own time to {@link #elapsed}. */
    private static double median(int calls, Runnable r, boolean timed) {
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double[] us = new double[9];
        for (int round = 0; round < us.length; round++) {
            elapsed = 0;
            long t = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            us[round] = (timed ? elapsed : System.nanoTime() - t) / 1e3 / calls;
        }
        Arrays.sort(us);
        return us[us.length / 2];
    }
}
