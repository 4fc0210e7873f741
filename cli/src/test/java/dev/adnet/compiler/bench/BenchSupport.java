package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * What the benchmark harnesses share: {@code key=value} options, compiling and loading the network, test batches,
 * medians.
 */
final class BenchSupport {
    private BenchSupport() {}

    /**
     * With {@code -Dadnet.bench.clock=cpu} the paired timings read this thread's CPU time instead of the wall clock:
     * on a machine that other processes load, a CPU-second of work is still one (up to cache sharing), where wall
     * time counts the waits for a core. It measures all the work only when all of it runs on this thread:
     * {@code OMP_NUM_THREADS=1}, {@code -Dadnet.kernelThreads=1 -Dadnet.adaptive.threads=1}.
     */
    private static final boolean CPU_CLOCK = "cpu".equals(System.getProperty("adnet.bench.clock"));

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    private static long now() {
        return CPU_CLOCK ? THREADS.getCurrentThreadCpuTime() : System.nanoTime();
    }

    /** The {@code key=value} arguments from index {@code first} on. */
    static Map<String, Integer> options(String[] args, int first) {
        Map<String, Integer> kv = new HashMap<>();
        for (int i = first; i < args.length; i++) {
            String[] p = args[i].split("=", 2);
            kv.put(p[0], Integer.parseInt(p[1]));
        }
        return kv;
    }

    /**
     * The arguments of the inference harnesses, {@code FILE CHECKPOINT [batch=256] [runs=5] [limit=10000] [block=1]},
     * with the network compiled ({@code block}: batches per turn of the paired estimate, see {@link #paired}).
     */
    record Inference(CompiledNetwork compiled, String checkpoint, int batch, int runs, int limit, int block) {
        static Inference parse(String[] args) {
            Map<String, Integer> kv = options(args, 2);
            return new Inference(compile(args[0]), args[1], kv.getOrDefault("batch", 256), kv.getOrDefault("runs", 5),
                    kv.getOrDefault("limit", 10000), kv.getOrDefault("block", 1));
        }

        /** The network in FLOAT with the checkpoint's values. */
        Network load() {
            return BenchSupport.load(compiled, checkpoint);
        }
    }

    /** The first network of {@code file}; exits with the diagnostics when it does not check. */
    static CompiledNetwork compile(String file) {
        CompileResult result = new Compiler().check(List.of(Path.of(file)));
        if (result.hasErrors()) {
            System.err.print(result.render());
            System.exit(1);
        }
        return result.networks().get(0);
    }

    /** The network of {@code file} in FLOAT with the parameters, buffers (and exit thresholds) of a checkpoint. */
    static Network load(CompiledNetwork compiled, String checkpoint) {
        return load(compiled, checkpoint, true);
    }

    /** {@link #load(CompiledNetwork, String)} with channels-last inference allowed or not. */
    static Network load(CompiledNetwork compiled, String checkpoint, boolean channelsLast) {
        Network net = InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 0, channelsLast);
        Checkpoints.load(Path.of(checkpoint), net, null);
        return net;
    }

    /** Full batches of the first {@code limit} Fashion-MNIST test images, as the network's input arrays. */
    static List<INDArray> testBatches(Network net, int batch, int limit) {
        Dataset test = FashionMnist.locate(null).test();
        String in = net.inputs().get(0).name();
        DataLoader loader = DataLoader.builder(test, in,
                net.outputs().get(0).name()).batchSize(batch).dropLast(true).limit(Math.min(limit, test.size())).build();
        List<INDArray> batches = new ArrayList<>();
        for (Batch b : loader.epoch(0)) {
            batches.add(b.inputs().get(in));
        }
        return batches;
    }

    /** Inference over every batch, outputs discarded. */
    static void run(Network net, List<INDArray> batches) {
        String in = net.inputs().get(0).name();
        for (INDArray x : batches) {
            net.forward(Map.of(in, x));
        }
    }

    /**
     * The speed-up of {@code fast} over {@code slow} run by run (the two modes ran one after the other in each run, so
     * a slower spell of the machine affects both), divided by the FLOPs ratio: min, median and max over the runs. A
     * check on the ratio of the medians, which pairs modes from different runs.
     */
    static String perRun(double[] fast, double[] slow, double flopsRatio) {
        double[] r = new double[fast.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = fast[i] / slow[i] / flopsRatio;
        }
        double[] s = r.clone();
        Arrays.sort(s);
        return String.format(java.util.Locale.ROOT, "min %.3f, median %.3f, max %.3f over %d runs", s[0], median(r),
                s[s.length - 1], r.length);
    }

    /**
     * Mode {@code fast} against mode {@code slow} in turns of {@code block} batches: each block of batches runs in
     * both modes back to back (which goes first alternates from block to block), so a slow spell of this shared
     * machine, which can last seconds and change throughput by a third, hits both sides of each pair. With one batch
     * per turn (the default) half of the batches follow a batch of the other mode; longer turns check that this does
     * not favour either (session 9: no trend from 1 to 3 to 13 batches, only more spread). Returns, per round over
     * all batches, the time in {@code slow} divided by the time in {@code fast}: the speed-up, with the drift
     * between runs paired away. Reported divided by the FLOPs ratio (median, min and max over the rounds) with the
     * median speed-up; the network is left in mode {@code fast}.
     */
    static String paired(Network net, List<INDArray> batches, Runnable fast, Runnable slow, int rounds, int block,
            double flopsRatio) {
        long[] totals = new long[2];
        String report = ofFlopsRatio(pairedSpeedUps(net, batches, fast, slow, rounds, block, totals), flopsRatio);
        fast.run();
        double per = 1e6 * rounds * batches.size();
        return report + String.format(java.util.Locale.ROOT, "; mean per batch (%s): %.3f ms against %.3f ms",
                CPU_CLOCK ? "this thread's CPU time" : "wall clock", totals[0] / per, totals[1] / per);
    }

    private static double[] pairedSpeedUps(Network net, List<INDArray> batches, Runnable fast, Runnable slow, int rounds,
            int block, long[] totals) {
        if (block < 1) {
            throw new IllegalArgumentException("block must be at least 1, got " + block);
        }
        String in = net.inputs().get(0).name();
        double[] speedUps = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long tFast = 0;
            long tSlow = 0;
            for (int b0 = 0; b0 < batches.size(); b0 += block) {
                int b1 = Math.min(batches.size(), b0 + block);
                for (int k = 0; k < 2; k++) {
                    boolean fastTurn = (b0 / block + k + r) % 2 == 0;
                    (fastTurn ? fast : slow).run();
                    long t = now();
                    for (int b = b0; b < b1; b++) {
                        net.forward(Map.of(in, batches.get(b)));
                    }
                    long dt = now() - t;
                    if (fastTurn) {
                        tFast += dt;
                    } else {
                        tSlow += dt;
                    }
                }
            }
            speedUps[r] = (double) tSlow / tFast;
            totals[0] += tFast;
            totals[1] += tSlow;
        }
        return speedUps;
    }

    /**
     * Two calls on the same batches (such as one task's entry point against the whole network), paired batch by batch
     * as in {@link #paired}: each batch runs through both back to back, which goes first alternating, and each round's
     * speed-up is the time in {@code slow} over the time in {@code fast}; reported against the FLOPs ratio.
     */
    static String pairedCalls(List<INDArray> batches, Consumer<INDArray> fast, Consumer<INDArray> slow, int rounds,
            double flopsRatio) {
        double[] speedUps = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long tFast = 0;
            long tSlow = 0;
            for (int b = 0; b < batches.size(); b++) {
                for (int k = 0; k < 2; k++) {
                    boolean fastTurn = (b + k + r) % 2 == 0;
                    long t = now();
                    (fastTurn ? fast : slow).accept(batches.get(b));
                    long dt = now() - t;
                    if (fastTurn) {
                        tFast += dt;
                    } else {
                        tSlow += dt;
                    }
                }
            }
            speedUps[r] = (double) tSlow / tFast;
        }
        return ofFlopsRatio(speedUps, flopsRatio);
    }

    private static String ofFlopsRatio(double[] speedUps, double flopsRatio) {
        double[] r = new double[speedUps.length];
        for (int i = 0; i < r.length; i++) {
            r[i] = speedUps[i] / flopsRatio;
        }
        double[] s = r.clone();
        Arrays.sort(s);
        return String.format(java.util.Locale.ROOT, "median %.3f (min %.3f, max %.3f over %d rounds); speed-up %.3f",
                median(r), s[0], s[s.length - 1], r.length, median(speedUps));
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }
}
