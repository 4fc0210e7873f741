package dev.adnet.compiler.bench;

import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
import dev.adnet.runtime.Prediction;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference throughput of one network instance called from several threads at once against one thread, on the same
 * batches in one run: each run times the batches on the calling thread alone, then the same batches split between
 * {@code threads} threads (thread t takes batches t, t + threads, ...). Both passes check that every output equals,
 * bit for bit, what the first call returned for that batch (the same work in both). Prints images/s of both, run by
 * run, the ratio of their medians and the median of the per-run ratios, and how many cores the process kept busy in
 * each pass (its CPU time over the wall time): on a shared machine, whether the second thread got a core at all.
 *
 * <pre>
 * ./mvnw -q -o -pl compiler -am test-compile
 * ./mvnw -q -o -pl compiler dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * OMP_NUM_THREADS=1 java -Dadnet.kernelThreads=1 -Dadnet.adaptive.threads=1 \
 *     -cp "$(cat compiler/target/cp.txt):compiler/target/classes:compiler/target/test-classes" \
 *     dev.adnet.compiler.bench.ThreadsBenchmark samples/src/main/adnet/dev/adnet/samples/fashion_aig.adnet \
 *     [CHECKPOINT] [batch=64] [runs=5] [limit=2560] [threads=2]
 * </pre>
 *
 * Without a checkpoint the network has its initial parameters (seed 1, see {@link #initial}): the time per image is
 * that of trained parameters for a static network; a gated one's gates open for a share of the images that its
 * initial parameters decide (the executed FLOPs are printed).
 */
public final class ThreadsBenchmark {
    private ThreadsBenchmark() {}

    public static void main(String[] args) throws Exception {
        boolean checkpoint = args.length > 1 && !args[1].contains("=");
        Map<String, Integer> kv = BenchSupport.options(args, checkpoint ? 2 : 1);
        int batch = kv.getOrDefault("batch", 64);
        int runs = kv.getOrDefault("runs", 5);
        int limit = kv.getOrDefault("limit", 2560);
        int threads = kv.getOrDefault("threads", 2);
        CompiledNetwork compiled = BenchSupport.compile(args[0]);
        Network net = checkpoint ? BenchSupport.load(compiled, args[1]) : initial(compiled);
        String in = net.inputs().get(0).name();
        List<INDArray> batches = BenchSupport.testBatches(net, batch, limit);
        int images = batches.size() * batch;

        List<float[]> alone = new ArrayList<>();
        double flops = 0;
        for (INDArray x : batches) {
            Prediction p = net.predict(Map.of(in, x));
            alone.add(values(p.outputs()));
            flops += Arrays.stream(p.flops()).sum();
        }
        System.out.printf(Locale.ROOT, "network %s, batch %d, %d images, %d threads against 1; executed FLOPs %.1f%% of %d"
                + " per image; OMP_NUM_THREADS=%s, adnet.kernelThreads=%s, adnet.adaptive.threads=%s, %d processors%n",
                net.name(), batch, images, threads, 100 * flops / images / net.flopsPerSample(), net.flopsPerSample(),
                System.getenv("OMP_NUM_THREADS"), System.getProperty("adnet.kernelThreads"),
                System.getProperty("adnet.adaptive.threads"), Runtime.getRuntime().availableProcessors());

        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            double[] one = new double[runs];
            double[] many = new double[runs];
            double[] oneCores = new double[runs];
            double[] manyCores = new double[runs];
            long wrong = 0;
            wrong += oneThread(net, batches, alone); // warm-up of both
            wrong += threaded(net, batches, alone, pool, threads);
            for (int r = 0; r < runs; r++) {
                long t = System.nanoTime();
                long cpu = cpuNanos();
                wrong += oneThread(net, batches, alone);
                one[r] = images / ((System.nanoTime() - t) / 1e9);
                oneCores[r] = (double) (cpuNanos() - cpu) / (System.nanoTime() - t);
                t = System.nanoTime();
                cpu = cpuNanos();
                wrong += threaded(net, batches, alone, pool, threads);
                many[r] = images / ((System.nanoTime() - t) / 1e9);
                manyCores[r] = (double) (cpuNanos() - cpu) / (System.nanoTime() - t);
                System.out.printf(Locale.ROOT, "run %d: 1 thread %.1f images/s (%.2f cores busy), %d threads %.1f images/s"
                        + " (%.2f cores busy), ratio %.3f%n", r, one[r], oneCores[r], threads, many[r], manyCores[r],
                        many[r] / one[r]);
            }
            double[] ratios = new double[runs];
            for (int r = 0; r < runs; r++) {
                ratios[r] = many[r] / one[r];
            }
            System.out.printf(Locale.ROOT, "RESULT %s batch %d: 1 thread %.1f images/s, %d threads %.1f images/s (medians);"
                    + " ratio of medians %.3f, median per-run ratio %.3f; cores busy (median) %.2f and %.2f;"
                    + " outputs that differ from the first call's: %d%n", net.name(), batch, BenchSupport.median(one), threads,
                    BenchSupport.median(many), BenchSupport.median(many) / BenchSupport.median(one),
                    BenchSupport.median(ratios), BenchSupport.median(oneCores), BenchSupport.median(manyCores), wrong);
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * The initial parameters (seed 1) with the gate heads' last biases at 0, so that the gates' decisions follow each
     * image's features (the initial open bias opens every gate) and the batch is compacted as with trained gates.
     */
    private static Network initial(CompiledNetwork compiled) {
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 1);
        for (Parameter p : net.parameters()) {
            if (p.name().endsWith(".dense2.bias")) {
                p.value().assign(0.0);
            }
        }
        return net;
    }

    /** Every batch on the calling thread, checked as the threaded pass checks its outputs (the same work). */
    private static long oneThread(Network net, List<INDArray> batches, List<float[]> alone) {
        String in = net.inputs().get(0).name();
        long wrong = 0;
        for (int i = 0; i < batches.size(); i++) {
            if (!Arrays.equals(values(net.forward(Map.of(in, batches.get(i)))), alone.get(i))) {
                wrong++;
            }
        }
        return wrong;
    }

    /** The batches split between the threads; returns how many outputs differ from {@code alone}'s. */
    private static long threaded(Network net, List<INDArray> batches, List<float[]> alone, ExecutorService pool,
            int threads) throws Exception {
        String in = net.inputs().get(0).name();
        List<Future<Long>> parts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int first = t;
            parts.add(pool.submit(() -> {
                long wrong = 0;
                for (int i = first; i < batches.size(); i += threads) {
                    if (!Arrays.equals(values(net.forward(Map.of(in, batches.get(i)))), alone.get(i))) {
                        wrong++;
                    }
                }
                return wrong;
            }));
        }
        long wrong = 0;
        for (Future<Long> f : parts) {
            wrong += f.get();
        }
        return wrong;
    }

    /** CPU time of the whole process (every thread, native kernels included). */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static float[] values(Map<String, INDArray> outputs) {
        return outputs.values().iterator().next().dup('c').data().asFloat();
    }
}
