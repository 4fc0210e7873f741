package dev.adnet.runtime.adaptive;

import dev.adnet.runtime.ops.Conv2d;
import dev.adnet.runtime.ops.ConvGeometry;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A benchmark harness (not a test, no timing assertions) for the fused gated-residual kernels on
 * [256, 32, 14, 14] FLOAT:
 * <ol>
 * <li>each fused kernel ({@link GatedResidual#trainForward}, {@link GatedResidual#backward} with ReLU,
 * {@link Compaction#scatterResidual} with half the rows open, {@link Compaction#addRowsInPlace} (what generated
 * inference runs when the shortcut may be overwritten: scatter-add and the block's ReLU, on the open rows only),
 * {@link Compaction#gather}) against its unfused libnd4j reference in {@link GatedResidualReference};
 * {@code addRowsInPlace} is also compared with the out-of-place reference (copy, scatter_add, relu) that it
 * replaces in generated code;
 * <li>inference with real skipping (gather, a 3x3 32-to-32 convolution as the block stub on the k open rows,
 * scatterResidual) against the official code's mask-multiply (the convolution on all rows, then the fused
 * {@code relu(shortcut + z * F)}), for several open fractions.
 * </ol>
 * Variants are interleaved round by round (so load from other processes hits all alike), after a warm-up; min and
 * median milliseconds are printed, with the ratio of the medians. Run from runtime/ after
 * {@code mvn -o -q test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}:
 * {@code java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) dev.adnet.runtime.adaptive.GatedKernelsBenchmark [rounds]}
 * (default 31 rounds). libnd4j uses OMP_NUM_THREADS threads (default all cores), the Java kernels
 * {@code -Dadnet.adaptive.threads} (default 1, see {@link Parallel}).
 */
public final class GatedKernelsBenchmark {
    private GatedKernelsBenchmark() {}

    interface Step {
        void run();
    }

    private static final DataType T = DataType.FLOAT;
    private static final int B = 256;
    private static final long[] SHAPE = {B, 32, 14, 14};

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 31;
        INDArray s = Fixtures.random(1, T, SHAPE);
        INDArray f = Fixtures.random(2, T, SHAPE);
        INDArray go = Fixtures.random(3, T, SHAPE);
        INDArray z = Nd4j.create(T, B);
        SplittableRandom rnd = new SplittableRandom(4);
        for (int n = 0; n < B; n++) {
            z.putScalar(n, rnd.nextDouble() < 0.8 ? 1 : 0);
        }
        INDArray out = s.ulike(), outRef = s.ulike();
        INDArray gs = s.ulike(), gf = s.ulike(), gz = z.ulike();
        INDArray rgs = s.ulike(), rgf = s.ulike(), rgz = z.ulike();
        GatedResidual.trainForward(s, f, z, true, out);
        GatedResidualReference.trainForward(s, f, z, true, outRef);

        System.out.printf("Java kernel threads %d (-Dadnet.adaptive.threads), OMP_NUM_THREADS %s, load average %.2f%n",
                Parallel.threads, System.getenv("OMP_NUM_THREADS"),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        System.out.printf("fused kernels vs unfused libnd4j references, [256,32,14,14] float, ms (min / median of %d)%n",
                rounds);
        compare("trainForward (relu)", rounds,
                () -> GatedResidual.trainForward(s, f, z, true, out),
                () -> GatedResidualReference.trainForward(s, f, z, true, outRef));
        compare("backward (relu, all grads)", rounds,
                () -> GatedResidual.backward(f, z, out, go, gs, gf, gz),
                () -> GatedResidualReference.backward(f, z, outRef, go, rgs, rgf, rgz));
        int[] half = randomRows(B / 2, 5);
        INDArray fHalf = Fixtures.random(6, T, B / 2, 32, 14, 14);
        INDArray xHalf = fHalf.ulike(), xHalfRef = fHalf.ulike();
        compare("scatterResidual (k = 128, relu)", rounds,
                () -> Compaction.scatterResidual(s, fHalf, half, true, out),
                () -> GatedResidualReference.scatterResidual(s, fHalf, half, true, outRef));
        INDArray nonNegative = org.nd4j.linalg.ops.transforms.Transforms.abs(s, true);
        INDArray target = nonNegative.dup();
        compare("addRowsInPlace (k = 128, relu)", rounds,
                () -> Compaction.addRowsInPlace(target, fHalf, half, true),
                () -> GatedResidualReference.scatterResidual(nonNegative, fHalf, half, true, outRef));
        INDArray target2 = nonNegative.dup(), targetRef = nonNegative.dup();
        compare("addRowsInPlace vs in-place reference", rounds,
                () -> Compaction.addRowsInPlace(target2, fHalf, half, true),
                () -> GatedResidualReference.addRowsInPlace(targetRef, fHalf, half, true));
        compare("gather (k = 128)", rounds,
                () -> Compaction.gather(s, half, xHalf),
                () -> GatedResidualReference.gather(s, half, xHalfRef));

        System.out.printf("%ninference: gather + conv3x3(32->32) on k rows + scatterResidual, vs conv on all %d rows "
                + "+ mask-multiply (fused), ms (min / median of %d)%n", B, rounds);
        INDArray w = Fixtures.random(7, T, 32, 32, 3, 3).muli(0.06);
        INDArray bias = Nd4j.zeros(T, 32);
        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray fAll = s.ulike();
        for (double frac : new double[] {0, 0.25, 0.5, 0.75, 1}) {
            int k = (int) Math.round(frac * B);
            int[] rows = randomRows(k, 8 + k);
            INDArray mask = Nd4j.zeros(T, B);
            for (int r : rows) {
                mask.putScalar(r, 1);
            }
            INDArray xSub = k == 0 ? null : Nd4j.create(T, k, 32, 14, 14);
            INDArray fSub = k == 0 ? null : xSub.ulike();
            compare(String.format("open fraction %.2f (k = %d)", frac, k), rounds, () -> {
                int[] open = Compaction.openRows(mask);
                if (open.length > 0) {
                    Compaction.gather(s, open, xSub);
                    Conv2d.forward(xSub, w, bias, g, fSub);
                }
                Compaction.scatterResidual(s, fSub, open, true, out);
            }, () -> {
                Conv2d.forward(s, w, bias, g, fAll);
                GatedResidual.trainForward(s, fAll, mask, true, outRef);
            });
        }
    }

    /** k distinct rows of [0, B), ascending, not contiguous in general. */
    private static int[] randomRows(int k, long seed) {
        int[] perm = new int[B];
        for (int i = 0; i < B; i++) {
            perm[i] = i;
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = B - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] rows = Arrays.copyOf(perm, k);
        Arrays.sort(rows);
        return rows;
    }

    private static void compare(String name, int rounds, Step fused, Step reference) {
        for (int w = 0; w < 15; w++) {
            fused.run();
            reference.run();
        }
        double[] a = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            fused.run();
            long t1 = System.nanoTime();
            reference.run();
            long t2 = System.nanoTime();
            a[r] = (t1 - t0) / 1e6;
            b[r] = (t2 - t1) / 1e6;
        }
        Arrays.sort(a);
        Arrays.sort(b);
        System.out.printf("  %-34s fused %7.3f / %7.3f   reference %7.3f / %7.3f   speed-up %.2fx%n", name, a[0],
                a[rounds / 2], b[0], b[rounds / 2], b[rounds / 2] / a[rounds / 2]);
    }
}
