package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cost.ExitCost;
import dev.adnet.runtime.ExitMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.ExitUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference throughput of a trained multi-exit network in its three exit modes, on the same batches in one run:
 * ADAPTIVE (samples whose exit fires leave the batch, the rest go on with a smaller one), FULL (the network without
 * exit heads, every sample to the end) and ALL_HEADS (every head on every sample and nobody leaves: how published
 * multi-exit code runs at batch size above 1). Modes are interleaved run by run; medians and their ratios are
 * printed next to the FLOPs ratio from the per-sample trace, which the time saving should track; then ADAPTIVE
 * against FULL paired batch by batch ({@link BenchSupport#paired}, turns of {@code block} batches). The thresholds
 * are the checkpoint's (calibrated ones included).
 *
 * <pre>
 * ./mvnw -q -o -pl runtime,compiler test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "runtime/target/classes:$(cat compiler/target/cp.txt):compiler/target/classes:compiler/target/test-classes" \
 *     dev.adnet.compiler.bench.ExitBenchmark samples/src/main/adnet/dev/adnet/samples/fashion_exits.adnet CHECKPOINT \
 *     [batch=256] [runs=5] [limit=10000] [block=1]
 * </pre>
 */
public final class ExitBenchmark {
    private ExitBenchmark() {}

    public static void main(String[] args) {
        BenchSupport.Inference setup = BenchSupport.Inference.parse(args);
        int batch = setup.batch();
        int runs = setup.runs();
        int limit = setup.limit();
        Network net = setup.load();
        String in = net.inputs().get(0).name();
        List<INDArray> batches = BenchSupport.testBatches(net, batch, limit);
        int samples = batches.size() * batch;

        double flops = 0;
        int[] histogram = new int[net.units(ExitUnit.class).size() + 1];
        for (INDArray x : batches) {
            Prediction p = net.predict(Map.of(in, x));
            for (int n = 0; n < p.flops().length; n++) {
                flops += p.flops()[n];
                histogram[p.exits()[n]]++;
            }
        }
        double executed = flops / samples;
        double full = ExitCost.fullFlops(setup.compiled().cost());
        System.out.printf(Locale.ROOT, "network %s, batch %d, %d samples, thresholds %s; leaving at each exit %s; mean FLOPs %.0f "
                + "of %.0f per sample (%.1f%%); FLOPs ratio full/executed %.3f%n", net.name(), batch, samples,
                java.util.Arrays.toString(ExitUnit.thresholds(net)), java.util.Arrays.toString(histogram), executed, full,
                100 * executed / full, full / executed);

        ExitMode[] modes = {ExitMode.ADAPTIVE, ExitMode.FULL, ExitMode.ALL_HEADS};
        double[][] sps = new double[modes.length][runs];
        for (ExitMode m : modes) { // warm-up
            ExitUnit.mode(net, m);
            BenchSupport.run(net, batches);
        }
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < modes.length; i++) {
                ExitUnit.mode(net, modes[i]);
                long t = System.nanoTime();
                BenchSupport.run(net, batches);
                sps[i][r] = samples / ((System.nanoTime() - t) / 1e9);
            }
        }
        ExitUnit.mode(net, ExitMode.ADAPTIVE);
        double adaptive = BenchSupport.median(sps[0]);
        double whole = BenchSupport.median(sps[1]);
        double heads = BenchSupport.median(sps[2]);
        System.out.printf(Locale.ROOT, "RESULT adaptive %.1f samples/s, full %.1f, all_heads %.1f%n", adaptive, whole, heads);
        System.out.printf(Locale.ROOT, "RESULT speed-up adaptive/full %.3f (FLOPs ratio %.3f; speed-up / FLOPs ratio %.3f); "
                + "adaptive/all_heads %.3f%n", adaptive / whole, full / executed, (adaptive / whole) / (full / executed),
                adaptive / heads);
        System.out.printf(Locale.ROOT, "RESULT per run, speed-up adaptive/full / FLOPs ratio: %s%n",
                BenchSupport.perRun(sps[0], sps[1], full / executed));
        System.out.printf(Locale.ROOT, "RESULT paired in turns of %d batch(es), speed-up adaptive/full / FLOPs ratio: %s%n",
                setup.block(), BenchSupport.paired(net, batches, () -> ExitUnit.mode(net, ExitMode.ADAPTIVE),
                        () -> ExitUnit.mode(net, ExitMode.FULL), runs, setup.block(), full / executed));
    }
}
