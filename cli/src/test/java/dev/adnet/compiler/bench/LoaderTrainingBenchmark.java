package dev.adnet.compiler.bench;

import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.cli.InMemoryCompiler;
import dev.adnet.runtime.StepContext;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSchema;
import dev.adnet.runtime.data.DataSources;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.Optimizer;
import dev.adnet.runtime.train.Optimizers;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Training throughput from Fashion-MNIST in memory (IDX) against the same images from a memory-mapped {@code .npz},
 * alternated in one process on one network so that the machine's noise falls on both alike. Each round trains
 * {@code batches} steps from each source on the same batches (epoch {@code round} of the same shuffle).
 * Arguments: {@code FILE NPZ [batches=20] [rounds=6] [batch=128]}.
 */
public final class LoaderTrainingBenchmark {
    private LoaderTrainingBenchmark() {}

    public static void main(String[] args) throws Exception {
        var o = BenchSupport.options(args, 2);
        int batches = o.getOrDefault("batches", 20);
        int rounds = o.getOrDefault("rounds", 6);
        int batch = o.getOrDefault("batch", 128);
        CompiledNetwork compiled = BenchSupport.compile(args[0]);
        TrainableNetwork net = (TrainableNetwork) InMemoryCompiler.instantiate(compiled, DataType.FLOAT, 0);
        Optimizer optimizer = Optimizers.create(net.trainingConfig().optimizer());
        DataSchema schema = DataSchema.classifier(net.name(), net.inputs().get(0), net.outputs().get(0));
        int n = batches * batch;
        Dataset idx = DataSources.match(FashionMnist.locate(null).train().asPositional(), schema, true).limit(n);
        Dataset npz = DataSources.open(Path.of(args[1]), schema, DataSources.Part.TRAIN, true).normalised(Map.of()).limit(n);
        DataLoader a = DataLoader.builder(idx).batchSize(batch).shuffle(0).build();
        DataLoader b = DataLoader.builder(npz).batchSize(batch).shuffle(0).build();
        long[] step = {0};
        train(net, optimizer, a, 0, step); // warm-up
        double sumA = 0;
        double sumB = 0;
        for (int r = 1; r <= rounds; r++) {
            boolean idxFirst = r % 2 == 1;
            double first = train(net, optimizer, idxFirst ? a : b, r, step);
            double second = train(net, optimizer, idxFirst ? b : a, r, step);
            double sa = idxFirst ? first : second;
            double sb = idxFirst ? second : first;
            sumA += sa;
            sumB += sb;
            System.out.printf(Locale.ROOT, "round %d: idx %.1f, npz %.1f samples/s (npz/idx %.3f)%n", r, sa, sb, sb / sa);
        }
        System.out.printf(Locale.ROOT, "RESULT mean idx %.1f, npz %.1f samples/s, npz/idx %.3f%n", sumA / rounds, sumB / rounds,
                sumB / sumA);
    }

    private static double train(TrainableNetwork net, Optimizer optimizer, DataLoader loader, int epoch, long[] step) {
        double lr = net.trainingConfig().optimizer().learningRate();
        long t = System.nanoTime();
        long samples = 0;
        for (Batch batch : loader.epoch(epoch)) {
            net.trainStep(batch, new StepContext(step[0], epoch, 0, step[0]));
            optimizer.step(net.parameters(), lr);
            step[0]++;
            samples += batch.size();
        }
        return samples / ((System.nanoTime() - t) / 1e9);
    }
}
