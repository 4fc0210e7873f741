package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny benchmark (not a test): training forward + backward of batchnorm+relu on [64,16,28,28] FLOAT, fused
 * against the composed {@link BatchNorm} + {@link Relu} primitives and against libnd4j's ops (moments, batchnorm,
 * relu; relu_bp, batchnorm_bp). Prints median milliseconds and ratios. Run from
 * runtime/ after {@code mvn -o test-compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt}:
 * {@code java -cp target/test-classes:target/classes:$(cat /tmp/cp.txt) dev.adnet.runtime.ops.FusedBatchNormReluBenchmark}.
 */
public final class FusedBatchNormReluBenchmark {
    private FusedBatchNormReluBenchmark() {}

    interface Step {
        void run();
    }

    public static void main(String[] args) {
        DataType t = DataType.FLOAT;
        long[] shape = {64, 16, 28, 28};
        int c = 16;
        INDArray x = Testing.random(1, t, shape);
        INDArray go = Testing.random(2, t, shape);
        INDArray gamma = Testing.random(3, t, c), beta = Testing.random(4, t, c);
        INDArray rm = Nd4j.zeros(t, c), rv = Nd4j.ones(t, c), sm = Nd4j.zeros(t, c), si = Nd4j.zeros(t, c);
        INDArray mid = x.ulike(), out = x.ulike(), gmid = x.ulike(), gx = x.ulike();
        INDArray gg = gamma.ulike(), gb = beta.ulike();
        INDArray var = Nd4j.zeros(t, c), gMean = Nd4j.zeros(t, c), gVar = Nd4j.zeros(t, c);

        Step fused = () -> {
            FusedBatchNormRelu.trainForward(x, gamma, beta, rm, rv, 0.1, 1e-5, out, sm, si);
            FusedBatchNormRelu.backward(x, out, gamma, sm, si, go, gx, gg, gb);
        };
        Step composed = () -> {
            BatchNorm.trainForward(x, gamma, beta, rm, rv, 0.1, 1e-5, mid, sm, si);
            Relu.forward(mid, out);
            Relu.backward(mid, out, go, gmid);
            BatchNorm.backward(x, gamma, sm, si, gmid, gx, gg, gb);
        };
        Step libnd4j = () -> {
            Native.exec("moments", new INDArray[] {x}, new INDArray[] {sm, var}, 0, 2, 3);
            DynamicBn.forward(x, sm, var, gamma, beta, mid);
            DynamicBn.op("relu", new INDArray[] {mid}, new INDArray[] {out});
            DynamicBn.op("relu_bp", new INDArray[] {mid, go}, new INDArray[] {gmid});
            DynamicBn.backward(x, sm, var, gamma, beta, gmid, gx, gMean, gVar, gg, gb);
        };
        Step[] steps = {fused, composed, libnd4j};
        String[] names = {"fused", "composed adnet ops", "libnd4j ops"};
        for (int w = 0; w < 30; w++) {
            for (Step s : steps) {
                s.run();
            }
        }
        // Interleaved rounds, so that load from other processes hits all variants alike; min and median reported.
        int rounds = 41;
        double[][] ms = new double[steps.length][rounds];
        for (int r = 0; r < rounds; r++) {
            for (int k = 0; k < steps.length; k++) {
                long t0 = System.nanoTime();
                steps[k].run();
                ms[k][r] = (System.nanoTime() - t0) / 1e6;
            }
        }
        System.out.printf("batchnorm+relu train fwd+bwd [64,16,28,28] float (ms, min / median of %d):%n", rounds);
        for (int k = 0; k < steps.length; k++) {
            java.util.Arrays.sort(ms[k]);
            System.out.printf("  %-20s %7.3f / %7.3f   ratio to fused (median) %.2fx%n", names[k], ms[k][0],
                    ms[k][rounds / 2], ms[k][rounds / 2] / ms[0][rounds / 2]);
        }
    }

    /** libnd4j's batchnorm and relu ops need a floating-point tArg (epsilon), which {@link Native} does not pass. */
    static final class DynamicBn {
        static void op(String name, INDArray[] in, INDArray[] out) {
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder(name).addInputs(in).addOutputs(out)
                    .addFloatingPointArguments(0.0).build());
        }

        static void forward(INDArray x, INDArray mean, INDArray var, INDArray g, INDArray b, INDArray out) {
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("batchnorm").addInputs(x, mean, var, g, b)
                    .addOutputs(out).addIntegerArguments(1, 1, 1).addFloatingPointArguments(1e-5).build());
        }

        static void backward(INDArray x, INDArray mean, INDArray var, INDArray g, INDArray b, INDArray go,
                INDArray gx, INDArray gMean, INDArray gVar, INDArray gg, INDArray gb) {
            Nd4j.exec(org.nd4j.linalg.api.ops.DynamicCustomOp.builder("batchnorm_bp")
                    .addInputs(x, mean, var, g, b, go).addOutputs(gx, gMean, gVar, gg, gb)
                    .addIntegerArguments(1, 1, 1).addFloatingPointArguments(1e-5).build());
        }
    }
}
