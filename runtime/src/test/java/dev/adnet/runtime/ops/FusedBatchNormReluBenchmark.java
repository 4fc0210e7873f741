package dev.adnet.runtime.ops;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A tiny benchmark (not a test): training forward + backward of batchnorm+relu on [64,16,28,28] FLOAT, fused
 * against the composed {@link BatchNorm} + {@link Relu} primitives and against libnd4j's ops (moments, batchnorm,
 * relu; relu_bp, batchnorm_bp). Prints median milliseconds and ratios. Run from runtime/ with
 * {@code mvn -o -q test-compile exec:java} unavailable offline, so: {@code java -cp target/test-classes:target/classes:$(cat cp.txt)
 * dev.adnet.runtime.ops.FusedBatchNormReluBenchmark} after {@code mvn -o dependency:build-classpath -Dmdep.outputFile=cp.txt}.
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
            Native.exec("relu", new INDArray[] {mid}, new INDArray[] {out});
            Native.exec("relu_bp", new INDArray[] {mid, go}, new INDArray[] {gmid});
            DynamicBn.backward(x, sm, var, gamma, beta, gmid, gx, gMean, gVar, gg, gb);
        };
        double f = time(fused);
        double cmp = time(composed);
        double nd = time(libnd4j);
        System.out.printf("batchnorm+relu train fwd+bwd [64,16,28,28] float, median ms:%n");
        System.out.printf("  fused %.3f, composed adnet ops %.3f, libnd4j ops %.3f%n", f, cmp, nd);
        System.out.printf("  composed/fused %.2fx, libnd4j/fused %.2fx%n", cmp / f, nd / f);
    }

    /** libnd4j's batchnorm ops need a floating-point tArg (epsilon), which {@link Native} does not pass. */
    static final class DynamicBn {
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

    private static double time(Step s) {
        for (int i = 0; i < 30; i++) {
            s.run();
        }
        double[] ms = new double[41];
        for (int i = 0; i < ms.length; i++) {
            long t0 = System.nanoTime();
            s.run();
            ms[i] = (System.nanoTime() - t0) / 1e6;
        }
        java.util.Arrays.sort(ms);
        return ms[ms.length / 2];
    }
}
