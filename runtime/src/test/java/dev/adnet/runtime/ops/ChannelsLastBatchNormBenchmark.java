package dev.adnet.runtime.ops;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny benchmark (not a test): training forward and backward of batchnorm+relu, channels-first
 * ({@link FusedBatchNormRelu} on {@code [B, C, H, W]}) against channels-last ({@link ChannelsLastTraining} on
 * {@code [B, H, W, C]}), FLOAT, for the three stages of a ResNet on Fashion-MNIST. The variants alternate within
 * each round, so that load from other processes hits them alike; min and median milliseconds are printed. Run from
 * the repository root after {@code ./mvnw -q -o -pl runtime test-compile dependency:build-classpath
 * -Dmdep.outputFile=target/cp.txt}: {@code java -cp runtime/target/test-classes:runtime/target/classes:$(cat
 * runtime/target/cp.txt) dev.adnet.runtime.ops.ChannelsLastBatchNormBenchmark}.
 */
public final class ChannelsLastBatchNormBenchmark {
    private ChannelsLastBatchNormBenchmark() {}

    public static void main(String[] args) {
        System.out.printf("batchnorm+relu train, FLOAT, %d kernel threads (ms, min / median of rounds)%n",
                Parallel.THREADS);
        for (long[] s : new long[][] {{128, 16, 28, 28}, {128, 32, 14, 14}, {128, 64, 7, 7}}) {
            run(s);
        }
    }

    private static void run(long[] first) {
        DataType t = DataType.FLOAT;
        int c = (int) first[1];
        long[] last = {first[0], first[2], first[3], first[1]};
        INDArray x = Testing.random(1, t, first), go = Testing.random(2, t, first);
        INDArray xl = x.permute(0, 2, 3, 1).dup('c'), gol = go.permute(0, 2, 3, 1).dup('c');
        INDArray gamma = Testing.random(3, t, c), beta = Testing.random(4, t, c);
        INDArray rm = Nd4j.zeros(t, c), rv = Nd4j.ones(t, c), sm = Nd4j.zeros(t, c), si = Nd4j.zeros(t, c);
        INDArray gg = gamma.ulike(), gb = beta.ulike();
        INDArray out = x.ulike(), gx = x.ulike(), outl = xl.ulike(), gxl = xl.ulike();

        Runnable[] steps = {
            () -> FusedBatchNormRelu.trainForward(x, gamma, beta, rm, rv, 0.1, 1e-5, out, sm, si),
            () -> ChannelsLastTraining.batchNormTrain(xl, gamma, beta, rm, rv, 0.1, 1e-5, true, outl, sm, si),
            () -> FusedBatchNormRelu.backward(x, out, gamma, sm, si, go, gx, gg, gb),
            () -> ChannelsLastTraining.batchNormBackward(xl, outl, gamma, sm, si, gol, gxl, gg, gb),
        };
        String[] names = {"forward  channels-first", "forward  channels-last", "backward channels-first",
            "backward channels-last"};
        for (int w = 0; w < 200; w++) {
            for (Runnable s : steps) {
                s.run();
            }
        }
        int rounds = 101;
        double[][] ms = new double[steps.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < steps.length; k++) {
                long t0 = System.nanoTime();
                steps[k].run();
                ms[k][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.printf("%s / %s:%n", Arrays.toString(first), Arrays.toString(last));
        for (int k = 0; k < steps.length; k++) {
            Arrays.sort(ms[k]);
            System.out.printf("  %-24s %7.3f / %7.3f%n", names[k], ms[k][0], ms[k][rounds / 2]);
        }
    }
}
