package dev.adnet.compiler.bench;

import dev.adnet.runtime.Network;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference throughput of one trained network generated both ways, channels-last (what the compiler emits for
 * networks whose image ops all have an NHWC form) and channels-first, on the same batches in one run, runs
 * alternated. The two must agree on every output first (to float rounding).
 *
 * <pre>
 * ./mvnw -q -o -pl runtime,compiler test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "runtime/target/classes:$(cat compiler/target/cp.txt):compiler/target/classes:compiler/target/test-classes" \
 *     dev.adnet.compiler.bench.LayoutBenchmark samples/src/main/adnet/dev/adnet/samples/fashion_resnet.adnet CHECKPOINT \
 *     [batch=256] [runs=5] [limit=10000]
 * </pre>
 */
public final class LayoutBenchmark {
    private LayoutBenchmark() {}

    public static void main(String[] args) {
        BenchSupport.Inference setup = BenchSupport.Inference.parse(args);
        int batch = setup.batch();
        int runs = setup.runs();
        int limit = setup.limit();
        Network last = BenchSupport.load(setup.compiled(), setup.checkpoint(), true);
        Network first = BenchSupport.load(setup.compiled(), setup.checkpoint(), false);
        List<INDArray> batches = BenchSupport.testBatches(last, batch, limit);
        String in = last.inputs().get(0).name();
        String out = last.outputs().get(0).name();
        double worst = 0;
        for (INDArray x : batches) {
            INDArray a = last.forward(Map.of(in, x)).get(out);
            INDArray b = first.forward(Map.of(in, x)).get(out);
            worst = Math.max(worst, a.sub(b).amaxNumber().doubleValue());
        }
        if (worst > 1e-3) {
            throw new IllegalStateException("the layouts disagree: max difference " + worst);
        }
        int samples = batches.size() * batch;
        double[][] sps = new double[2][runs];
        BenchSupport.run(last, batches);
        BenchSupport.run(first, batches);
        for (int r = 0; r < runs; r++) {
            Network[] nets = {last, first};
            for (int i = 0; i < 2; i++) {
                long t = System.nanoTime();
                BenchSupport.run(nets[i], batches);
                sps[i][r] = samples / ((System.nanoTime() - t) / 1e9);
            }
        }
        double l = BenchSupport.median(sps[0]);
        double f = BenchSupport.median(sps[1]);
        System.out.printf(Locale.ROOT, "network %s, batch %d, %d samples; outputs agree to %.2g%n", last.name(), batch,
                samples, worst);
        System.out.printf(Locale.ROOT, "RESULT channels-last %.1f samples/s, channels-first %.1f; speed-up %.3f%n", l, f,
                l / f);
    }
}
