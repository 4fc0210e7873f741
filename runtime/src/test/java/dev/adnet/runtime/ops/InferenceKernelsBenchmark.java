package dev.adnet.runtime.ops;

import dev.adnet.runtime.adaptive.GateHead;
import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The small inference kernels around the convolutions of the adaptive samples, each timed alone at batch 256: the
 * exits' 4x4 average pooling over {@code [256, 28, 28, 16]}, a gate head ({@code [256, 16]} pooled means to two
 * logits), the final {@code [256, 64] x [64, 10]} dense layer, and a folded convolution + batchnorm with its
 * residual add and ReLU as one call ({@link ChannelsLast#convBatchNormAdd}) against the convolution then
 * {@link Elementwise#addRelu}. Median microseconds per call over 9 rounds. First, why the Java kernels index their
 * arrays alike: 65,536 multiply-adds {@code y[i] += x[o + i] * a} (an offset into the other array, which C2 does not
 * vectorise: the two could be one array) against {@code y[i] += x[i] * a}.
 *
 * <pre>
 * ./mvnw -q -o -pl runtime test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_WAIT_POLICY=PASSIVE java -cp "runtime/target/test-classes:runtime/target/classes:$(cat runtime/target/cp.txt)" \
 *     dev.adnet.runtime.ops.InferenceKernelsBenchmark
 * </pre>
 */
public final class InferenceKernelsBenchmark {
    private InferenceKernelsBenchmark() {}

    public static void main(String[] args) {
        float[] flat = new float[16 * 256];
        float[][] rows = new float[16][256];
        float[] y = new float[256];
        report("65,536 multiply-adds, y[i] += x[o + i] * a", 2000, () -> {
            for (int j = 0; j < 16; j++) {
                for (int c = 0; c < 16; c++) {
                    axpyAt(y, flat, c * 256, 0.5f);
                }
            }
        });
        report("65,536 multiply-adds, y[i] += x[i] * a", 2000, () -> {
            for (int j = 0; j < 16; j++) {
                for (int c = 0; c < 16; c++) {
                    axpy(y, rows[c], 0.5f);
                }
            }
        });

        DataType f = DataType.FLOAT;
        INDArray image = Nd4j.rand(f, 256, 28, 28, 16);
        INDArray pooled = Nd4j.create(f, 256, 7, 7, 16);
        PoolGeometry pool = PoolGeometry.of(4, 4, 0);
        report("avg_pool(4), [256, 28, 28, 16]", 20, () -> ChannelsLast.pool2d(image, pool, false, pooled));

        INDArray means = Nd4j.rand(f, 256, 16);
        INDArray w1 = Nd4j.rand(f, 16, 16);
        INDArray b1 = Nd4j.rand(f, 16);
        INDArray stats = Nd4j.rand(f, 16).addi(0.5);
        INDArray w2 = Nd4j.rand(f, 16, 2);
        INDArray b2 = Nd4j.rand(f, 2);
        INDArray logits = Nd4j.create(f, 256, 2);
        report("gate head, [256, 16] -> [256, 2]", 200,
                () -> GateHead.inference(means, w1, b1, stats, stats, stats, stats, 1e-5, w2, b2, logits));

        INDArray features = Nd4j.rand(f, 256, 64);
        INDArray w = Nd4j.rand(f, 64, 10);
        INDArray b = Nd4j.rand(f, 10);
        INDArray out = Nd4j.create(f, 256, 10);
        report("dense, [256, 64] x [64, 10]", 200, () -> Dense.forward(features, w, b, out));

        ConvGeometry g = ConvGeometry.of(3, 1, 1);
        INDArray x = Nd4j.rand(f, 256, 28, 28, 16);
        INDArray cw = Nd4j.rand(f, 16, 16, 3, 3).subi(0.5);
        INDArray gamma = Nd4j.rand(f, 16);
        INDArray beta = Nd4j.rand(f, 16);
        INDArray mean = Nd4j.rand(f, 16);
        INDArray var = Nd4j.rand(f, 16).addi(0.5);
        INDArray shortcut = Nd4j.rand(f, 256, 28, 28, 16);
        INDArray body = Nd4j.create(f, 256, 28, 28, 16);
        INDArray sum = Nd4j.create(f, 256, 28, 28, 16);
        report("conv + batchnorm, then add + relu", 5, () -> {
            ChannelsLast.convBatchNorm(x, cw, null, g, gamma, beta, mean, var, 1e-5, false, body);
            Elementwise.addRelu(shortcut, body, sum);
        });
        // the shortcut grows by a ReLU'd sum per call; the time does not depend on the values
        report("conv + batchnorm added into the shortcut (sum post-op)", 5,
                () -> ChannelsLast.convBatchNormAdd(x, cw, null, g, gamma, beta, mean, var, 1e-5, true, shortcut));
    }

    private static void axpyAt(float[] y, float[] x, int o, float a) {
        for (int i = 0; i < y.length; i++) {
            y[i] += x[o + i] * a;
        }
    }

    private static void axpy(float[] y, float[] x, float a) {
        for (int i = 0; i < y.length; i++) {
            y[i] += x[i] * a;
        }
    }

    private static void report(String what, int calls, Runnable r) {
        for (int i = 0; i < calls; i++) {
            r.run();
        }
        double[] us = new double[9];
        for (int round = 0; round < us.length; round++) {
            long t = System.nanoTime();
            for (int i = 0; i < calls; i++) {
                r.run();
            }
            us[round] = (System.nanoTime() - t) / 1e3 / calls;
        }
        Arrays.sort(us);
        System.out.printf(Locale.ROOT, "RESULT %-58s %9.1f us per call (min %.1f)%n", what, us[us.length / 2], us[0]);
    }
}
