package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import dev.adnet.compiler.Compiler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Training and inference throughput of a compiled network, with the protocol of {@code shared/bench/torch_static.py}
 * so the two can be run back to back and compared as a ratio: warm-up batches, then timed passes over
 * {@code trainLimit / batch} full shuffled batches (training step + optimizer), median samples/s; inference at batch
 * 256 and 1024 over the test set, one warm-up pass and {@code infRuns} timed passes, median samples/s.
 *
 * <p>Run from the repository root with the test class path of docs/benchmarks.md (built from the reactor, nothing
 * installed):
 *
 * <pre>
 * ./mvnw -q -o -pl cli test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat cli/target/cp.txt):cli/target/classes:cli/target/test-classes" \
 *     dev.adnet.compiler.bench.TrainBenchmark samples/src/main/adnet/dev/adnet/samples/fashion_resnet.adnet \
 *     [runs=5] [trainLimit=10000] [warmupBatches=10] [infRuns=5] [batch=128]
 * </pre>
 *
 * <p>With {@code -Dadnet.profileOps=true} the libnd4j ops of the timed training runs are timed one by one and the
 * table printed ({@link dev.adnet.runtime.ops.OpProfile}).
 */
public final class TrainBenchmark {
    private TrainBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, Integer> kv = BenchSupport.options(args, 1);
        int runs = kv.getOrDefault("runs", 5);
        int trainLimit = kv.getOrDefault("trainLimit", 10000);
        int warm = kv.getOrDefault("warmupBatches", 10);
        int infRuns = kv.getOrDefault("infRuns", 5);
        int batch = kv.getOrDefault("batch", 128);

        CompiledNetwork compiled = BenchSupport.compile(args[0]);
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 0);
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        double lr = net.trainingConfig().optimizer().learningRate();

        FashionMnist.Source source = FashionMnist.locate(null);
        Dataset train = source.train();
        Dataset test = source.test();
        String in = net.inputs().get(0).name();
        String out = net.outputs().get(0).name();
        System.out.printf(Locale.ROOT, "adnet %s; data %s; network %s, %,d FLOPs/sample%n", Compiler.VERSION, source.describe(),
                net.name(), net.flopsPerSample());

        int n = trainLimit / batch * batch;
        DataLoader loader = DataLoader.builder(train, in, out).batchSize(batch).shuffle(0).dropLast(true).limit(n).build();
        long step = 0;
        long t = System.nanoTime();
        for (Batch b : loader.epoch(0)) {
            if (step >= warm) {
                break;
            }
            net.trainStep(b, new StepContext(step, 0, 0, step));
            optimizer.step(net.parameters(), lr);
            step++;
        }
        System.out.printf(Locale.ROOT, "warm-up: %d batches in %.1fs%n", warm, (System.nanoTime() - t) / 1e9);
        if (dev.adnet.runtime.ops.OpProfile.ENABLED) {
            dev.adnet.runtime.ops.OpProfile.reset(); // time the training runs only
        }
        double[] sps = new double[runs];
        double loss = 0;
        for (int r = 0; r < runs; r++) {
            t = System.nanoTime();
            for (Batch b : loader.epoch(r + 1)) {
                loss = net.trainStep(b, new StepContext(step, r, 0, step)).loss();
                optimizer.step(net.parameters(), lr);
                step++;
            }
            sps[r] = n / ((System.nanoTime() - t) / 1e9);
        }
        System.out.printf(Locale.ROOT, "RESULT train_sps %.1f  (%d samples x %d runs, batch %d; runs %s) loss %.4f%n", BenchSupport.median(sps), n,
                runs, batch, runsText(sps), loss);
        if (dev.adnet.runtime.ops.OpProfile.ENABLED) {
            System.out.print(dev.adnet.runtime.ops.OpProfile.report());
            dev.adnet.runtime.ops.OpProfile.reset();
        }
        for (int bs : new int[] {256, 1024}) {
            List<INDArray> batches = new ArrayList<>();
            DataLoader testLoader = DataLoader.builder(test, in, out).batchSize(bs).dropLast(true).build();
            for (Batch b : testLoader.epoch(0)) {
                batches.add(b.inputs().get(in));
            }
            int m = batches.size() * bs;
            infer(net, in, batches);
            double[] isps = new double[infRuns];
            for (int r = 0; r < infRuns; r++) {
                t = System.nanoTime();
                infer(net, in, batches);
                isps[r] = m / ((System.nanoTime() - t) / 1e9);
            }
            System.out.printf(Locale.ROOT, "RESULT infer_sps_bs%d %.1f  (%d samples x %d runs; runs %s)%n", bs, BenchSupport.median(isps), m, infRuns,
                    runsText(isps));
        }
    }

    private static void infer(Network net, String in, List<INDArray> batches) {
        for (INDArray x : batches) {
            net.forward(Map.of(in, x));
        }
    }

    private static String runsText(double[] v) {
        StringBuilder sb = new StringBuilder("[");
        for (double x : v) {
            sb.append(sb.length() > 1 ? " " : "").append(String.format(Locale.ROOT, "%.0f", x));
        }
        return sb.append(']').toString();
    }
}
