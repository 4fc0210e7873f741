package dev.adnet.compiler.bench;

import dev.adnet.runtime.GateMode;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.adaptive.BatchOrder;
import dev.adnet.runtime.adaptive.GateUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference throughput of a trained gated network in its three gate modes, on the same batches in one run:
 * ADAPTIVE (blocks run only for open samples: batch compaction), ALL_OPEN (the full network) and MASK (every block
 * on every sample times the 0/1 decision, as published ConvNet-AIG code runs). The modes are interleaved run by
 * run so machine noise hits them alike; the medians and their ratios are printed next to the FLOPs ratio the
 * per-sample trace reports, which is what the time saving should track. Then ADAPTIVE against ALL_OPEN paired batch
 * by batch ({@link BenchSupport#paired}, turns of {@code block} batches), the estimate least moved by the machine's
 * slow spells, and ADAPTIVE with the policy of {@code -Dadnet.gates.rows} (default: windows where they move fewer
 * rows, see {@code BatchOrder}) against ADAPTIVE with gathers.
 *
 * <pre>
 * ./mvnw -q -o -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes" \
 *     dev.adnet.compiler.bench.GateBenchmark samples/src/main/adnet/dev/adnet/samples/fashion_aig.adnet CHECKPOINT \
 *     [batch=256] [runs=5] [limit=10000] [block=1]
 * </pre>
 */
public final class GateBenchmark {
    private GateBenchmark() {}

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
        for (INDArray x : batches) {
            Prediction p = net.predict(Map.of(in, x));
            for (long f : p.flops()) {
                flops += f;
            }
        }
        double executed = flops / samples;
        double full = net.flopsPerSample();
        System.out.printf(Locale.ROOT, "network %s, batch %d, %d samples; executed FLOPs %.0f of %.0f per sample (%.1f%%); "
                + "FLOPs ratio full/executed %.3f%n", net.name(), batch, samples, executed, full, 100 * executed / full, full / executed);

        GateMode[] modes = {GateMode.ADAPTIVE, GateMode.ALL_OPEN, GateMode.MASK};
        String only = System.getProperty("adnet.bench.only");
        if (only != null) { // one mode alone, for profiling it (-Dadnet.bench.only=ADAPTIVE)
            GateMode m = GateMode.valueOf(only);
            GateUnit.mode(net, m);
            BenchSupport.run(net, batches);
            long t = System.nanoTime();
            for (int r = 0; r < runs; r++) {
                BenchSupport.run(net, batches);
            }
            System.out.printf(Locale.ROOT, "RESULT %s alone %.1f samples/s%n", m, (double) runs * samples / ((System.nanoTime() - t) / 1e9));
            return;
        }
        double[][] sps = new double[modes.length][runs];
        for (GateMode m : modes) { // warm-up
            GateUnit.mode(net, m);
            BenchSupport.run(net, batches);
        }
        for (int r = 0; r < runs; r++) {
            for (int i = 0; i < modes.length; i++) {
                GateUnit.mode(net, modes[i]);
                long t = System.nanoTime();
                BenchSupport.run(net, batches);
                sps[i][r] = samples / ((System.nanoTime() - t) / 1e9);
            }
        }
        double adaptive = BenchSupport.median(sps[0]);
        double allOpen = BenchSupport.median(sps[1]);
        double mask = BenchSupport.median(sps[2]);
        System.out.printf(Locale.ROOT, "RESULT adaptive %.1f samples/s, all_open %.1f, mask %.1f%n", adaptive, allOpen, mask);
        System.out.printf(Locale.ROOT, "RESULT speed-up adaptive/all_open %.3f (FLOPs ratio %.3f; speed-up / FLOPs ratio %.3f); "
                + "adaptive/mask %.3f%n", adaptive / allOpen, full / executed, (adaptive / allOpen) / (full / executed), adaptive / mask);
        System.out.printf(Locale.ROOT, "RESULT per run, speed-up adaptive/all_open / FLOPs ratio: %s%n",
                BenchSupport.perRun(sps[0], sps[1], full / executed));
        System.out.printf(Locale.ROOT, "RESULT paired in turns of %d batch(es), speed-up adaptive/all_open / FLOPs ratio: %s%n",
                setup.block(), BenchSupport.paired(net, batches, () -> GateUnit.mode(net, GateMode.ADAPTIVE),
                        () -> GateUnit.mode(net, GateMode.ALL_OPEN), runs, setup.block(), full / executed));
        // the open rows moved into a window of the batch against gathered into a sub-batch (BatchOrder), both adaptive
        BatchOrder.Policy policy = BatchOrder.policy();
        if (policy != BatchOrder.Policy.GATHER) {
            GateUnit.mode(net, GateMode.ADAPTIVE);
            System.out.printf(Locale.ROOT, "RESULT paired in turns of %d batch(es), adaptive with windows (%s) / with gathers: %s%n",
                    setup.block(), policy.name().toLowerCase(Locale.ROOT), BenchSupport.paired(net, batches,
                            () -> BatchOrder.policy(policy), () -> BatchOrder.policy(BatchOrder.Policy.GATHER), runs,
                            setup.block(), 1.0));
            BatchOrder.policy(policy);
        }
    }
}
