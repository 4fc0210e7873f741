package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.implicit.FixedPointNetwork;
import dev.adnet.runtime.implicit.SolverTrace;
import dev.adnet.runtime.implicit.Stopping;
import dev.adnet.runtime.train.Batch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The two measurements of a deep equilibrium network's fixed point (issue 21), each in one process.
 *
 * <p>{@code stopping FILE CHECKPOINT [batch=256] [runs=5] [limit=2560] [out=DIR]}: inference of the trained network
 * with each sample leaving the solve at its own tolerance (PER_SAMPLE) against every sample iterating until the whole
 * batch has converged (WHOLE_BATCH, what published DEQ code does), paired batch by batch
 * ({@link BenchSupport#paired}); the ratio of body evaluations is the work ratio the speed-up should track. Each
 * image's iterations in both modes go to {@code DIR/stopping.csv}.
 *
 * <p>{@code memory FILE [steps=8] [batch=64] [tol=1e-9]}: peak training memory with the solver's cap at 10 and at 50
 * (the source's {@code max = 30} replaced, and its tolerance tightened to {@code tol}, below what FLOAT reaches, so
 * that every solve runs to its cap), sampled every millisecond during the steps: the process's resident memory
 * (ND4J's buffers and the JVM's; a fixed heap size keeps the heap's growth out of it), the heap in use (the solver's
 * per-sample history, Anderson's window, and garbage not yet collected) and the live heap each collection leaves,
 * after a collection before each variant; the variants alternate twice.
 *
 * <pre>
 * ./mvnw -q -o -pl cli -am test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * CP="$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes"
 * java -cp "$CP" dev.adnet.compiler.bench.FixedPointBenchmark stopping samples/src/main/adnet/dev/adnet/samples/fashion_deq.adnet runs/FashionDEQ/last.ckpt
 * java -Xms768m -Xmx768m -cp "$CP" dev.adnet.compiler.bench.FixedPointBenchmark memory samples/src/main/adnet/dev/adnet/samples/fashion_deq.adnet
 * </pre>
 */
public final class FixedPointBenchmark {
    private FixedPointBenchmark() {}

    public static void main(String[] args) throws IOException {
        if (args.length >= 3 && args[0].equals("stopping")) {
            stopping(args);
        } else if (args.length >= 2 && args[0].equals("memory")) {
            memory(args);
        } else {
            System.err.println("usage: FixedPointBenchmark stopping FILE CHECKPOINT [batch=256] [runs=5] [limit=2560] [out=DIR]"
                    + " | memory FILE [steps=8] [batch=64] [tol=1e-9]");
            System.exit(2);
        }
    }

    private static void stopping(String[] args) throws IOException {
        Map<String, String> kv = options(args, 3);
        int batch = Integer.parseInt(kv.getOrDefault("batch", "256"));
        int runs = Integer.parseInt(kv.getOrDefault("runs", "5"));
        int limit = Integer.parseInt(kv.getOrDefault("limit", "2560"));
        Path out = Path.of(kv.getOrDefault("out", "runs/fixedpoint-bench"));
        Network net = BenchSupport.load(BenchSupport.compile(args[1]), args[2], false);
        FixedPointNetwork f = (FixedPointNetwork) net;
        String in = net.inputs().get(0).name();
        List<INDArray> batches = BenchSupport.testBatches(net, batch, limit);
        // the iterations of every image in both modes, saved
        long[] evaluations = new long[2];
        List<int[]> perImage = new ArrayList<>();
        Stopping[] modes = {Stopping.PER_SAMPLE, Stopping.WHOLE_BATCH};
        for (INDArray x : batches) {
            int[][] its = new int[2][];
            for (int m = 0; m < 2; m++) {
                f.fixedPointStopping(modes[m]);
                Prediction p = net.predict(Map.of(in, x));
                its[m] = new int[p.iterations().length];
                for (int n = 0; n < its[m].length; n++) {
                    its[m][n] = p.iterations()[n][0];
                    evaluations[m] += its[m][n];
                }
            }
            for (int n = 0; n < its[0].length; n++) {
                perImage.add(new int[] {its[0][n], its[1][n]});
            }
        }
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder("image,per_sample,whole_batch\n");
        for (int i = 0; i < perImage.size(); i++) {
            csv.append(i).append(',').append(perImage.get(i)[0]).append(',').append(perImage.get(i)[1]).append('\n');
        }
        Files.writeString(out.resolve("stopping.csv"), csv.toString(), StandardCharsets.UTF_8);
        int samples = perImage.size();
        double work = evaluations[1] / (double) evaluations[0];
        System.out.printf(Locale.ROOT, "network %s, batch %d, %d images: mean iterations per image %.2f per sample, %.2f whole "
                + "batch; body evaluations whole/per-sample %.3f; wrote %s%n", net.name(), batch, samples,
                evaluations[0] / (double) samples, evaluations[1] / (double) samples, work, out.resolve("stopping.csv"));
        Runnable perSample = () -> f.fixedPointStopping(Stopping.PER_SAMPLE);
        Runnable wholeBatch = () -> f.fixedPointStopping(Stopping.WHOLE_BATCH);
        for (Runnable mode : new Runnable[] {perSample, wholeBatch}) { // warm-up
            mode.run();
            BenchSupport.run(net, batches);
        }
        System.out.println("RESULT per-sample against whole-batch stopping, paired batch by batch: "
                + BenchSupport.paired(net, batches, perSample, wholeBatch, runs, 1, work));
    }

    private static void memory(String[] args) {
        Map<String, String> kv = options(args, 2);
        int steps = Integer.parseInt(kv.getOrDefault("steps", "8"));
        int batch = Integer.parseInt(kv.getOrDefault("batch", "64"));
        String tol = kv.getOrDefault("tol", "1e-9");
        String source;
        try {
            source = Files.readString(Path.of(args[1]));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        Dataset train = FashionMnist.locate(null).train();
        for (int cap : new int[] {10, 50, 10, 50}) {
            String variant = source.replace("max = 30", "max = " + cap).replace("tol = 1e-3", "tol = " + tol);
            if (variant.equals(source)) {
                throw new IllegalArgumentException("the source has no 'max = 30' and 'tol = 1e-3' to vary");
            }
            CompileResult r = new Compiler(p -> variant.getBytes(StandardCharsets.UTF_8)).check(List.of(Path.of("variant.adnet")));
            if (r.hasErrors()) {
                System.err.print(r.render());
                System.exit(1);
            }
            CompiledNetwork compiled = r.networks().get(0);
            TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 1);
            DataLoader loader = DataLoader.builder(train, net.inputs().get(0).name(), net.outputs().get(0).name())
                    .batchSize(batch).limit(batch * (steps + 1)).build();
            List<Batch> batches = new ArrayList<>();
            loader.epoch(0).forEach(batches::add);
            net.trainStep(batches.get(0), new StepContext(0, 0, 0, 1)); // arena buffers allocated, code warmed
            ((FixedPointNetwork) net).solverTrace().drain();
            System.gc();
            long heapBase = heapUsed();
            long offBase = Pointer.physicalBytes();
            AtomicLong heapPeak = new AtomicLong(heapBase);
            AtomicLong offPeak = new AtomicLong(offBase);
            AtomicLong livePeak = new AtomicLong(heapLive());
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    heapPeak.accumulateAndGet(heapUsed(), Math::max);
                    livePeak.accumulateAndGet(heapLive(), Math::max);
                    offPeak.accumulateAndGet(Pointer.physicalBytes(), Math::max);
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.setDaemon(true);
            sampler.start();
            for (int s = 1; s < batches.size(); s++) {
                net.trainStep(batches.get(s), new StepContext(s, 0, 0, 1 + s));
            }
            sampler.interrupt();
            SolverTrace.Summary sum = ((FixedPointNetwork) net).solverTrace().drain();
            System.out.printf(Locale.ROOT, "RESULT max = %d: %.1f forward, %.1f backward iterations per sample (%d of %d solves "
                    + "at the cap); peak resident memory %.1f MB (%.1f MB before the steps), peak heap used %.1f MB (%.1f MB "
                    + "after a collection before the steps), peak live heap after a collection %.1f MB%n", cap, sum.meanForward(),
                    sum.meanBackward(), sum.unconverged(), sum.forwardSamples() + sum.backwardSamples(), offPeak.get() / 1e6,
                    offBase / 1e6, heapPeak.get() / 1e6, heapBase / 1e6, livePeak.get() / 1e6);
        }
    }

    /** The heap in use, and the live heap: what the last collection of each pool left (garbage excluded). */
    private static long heapUsed() {
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                used += p.getUsage().getUsed();
            }
        }
        return used;
    }

    private static long heapLive() {
        long live = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP && p.getCollectionUsage() != null) {
                live += p.getCollectionUsage().getUsed();
            }
        }
        return live;
    }

    private static Map<String, String> options(String[] args, int first) {
        Map<String, String> kv = new java.util.HashMap<>();
        for (int i = first; i < args.length; i++) {
            String[] p = args[i].split("=", 2);
            kv.put(p[0], p[1]);
        }
        return kv;
    }
}
