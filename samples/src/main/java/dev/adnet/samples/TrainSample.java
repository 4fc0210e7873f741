package dev.adnet.samples;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.TrainableNetwork;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.train.Batch;
import dev.adnet.runtime.train.EpochMetrics;
import dev.adnet.runtime.train.Evaluator;
import dev.adnet.runtime.train.ProgressBar;
import dev.adnet.runtime.train.Trainer;
import dev.adnet.runtime.train.TrainingConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Trains a generated sample on Fashion-MNIST with its source's recipe, evaluates it on the test images and
 * measures inference throughput: the build-time path ({@code .adnet} -> plugin -> Java class -> this), where
 * {@code adnet train} is the in-memory one.
 *
 * <pre>
 * java -cp ... dev.adnet.samples.TrainSample FashionAIG --epochs 1 --limit 2000 --test-limit 1000
 * </pre>
 */
public final class TrainSample {
    private TrainSample() {}

    /** The command line: the network and optional overrides. */
    record Options(String network, Integer epochs, Integer limit, Integer testLimit, Path data, Path out, int benchBatch) {
        static Options parse(String[] args) {
            if (args.length == 0 || args[0].startsWith("-")) {
                throw new IllegalArgumentException("usage: TrainSample NETWORK [--epochs N] [--limit N] [--test-limit N] "
                        + "[--data DIR] [--out DIR] [--bench-batch N]; networks: " + String.join(", ", SampleNetworks.all().keySet()));
            }
            Integer epochs = null;
            Integer limit = null;
            Integer testLimit = null;
            Path data = null;
            Path out = null;
            int benchBatch = 256;
            for (int i = 1; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException(args[i] + " needs a value");
                }
                String v = args[i + 1];
                switch (args[i]) {
                    case "--epochs" -> epochs = positive(args[i], v);
                    case "--limit" -> limit = positive(args[i], v);
                    case "--test-limit" -> testLimit = positive(args[i], v);
                    case "--data" -> data = Path.of(v);
                    case "--out" -> out = Path.of(v);
                    case "--bench-batch" -> benchBatch = positive(args[i], v);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return new Options(args[0], epochs, limit, testLimit, data, out, benchBatch);
        }

        private static int positive(String name, String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException(name + " must be a positive integer, not '" + value + "'");
        }
    }

    public static void main(String[] args) {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("TrainSample: " + e.getMessage());
            System.exit(2);
            return;
        }
        Network created = SampleNetworks.create(o.network(), DataType.FLOAT, 1);
        if (!(created instanceof TrainableNetwork net)) {
            System.err.println("TrainSample: " + o.network() + " has no train section");
            System.exit(1);
            return;
        }
        TrainingConfig config = net.trainingConfig();
        if (o.epochs() != null) {
            config = config.withEpochs(o.epochs());
        }
        FashionMnist.Source source = FashionMnist.locate(o.data());
        System.out.println("data: " + source.describe());
        Dataset train = source.train();
        Dataset test = source.test();
        String input = net.inputs().get(0).name();
        String output = net.outputs().get(0).name();
        DataLoader trainLoader = DataLoader.builder(train, input, output).batchSize(config.batchSize()).shuffle(config.seed())
                .limit(o.limit() == null ? train.size() : Math.min(o.limit(), train.size())).build();
        DataLoader testLoader = DataLoader.builder(test, input, output).batchSize(256)
                .limit(o.testLimit() == null ? test.size() : Math.min(o.testLimit(), test.size())).build();
        System.out.printf(Locale.ROOT, "network %s: %,d FLOPs per sample; %d epochs of %d samples, batch %d%n", net.name(),
                net.flopsPerSample(), config.epochs(), trainLoader.size(), config.batchSize());

        Trainer.Result result = Trainer.create(net, config, new Trainer.Options()
                .outputDirectory(o.out() != null ? o.out() : Path.of("runs", net.name() + "-sample"))
                .progress(System.out, ProgressBar.Mode.AUTO)).fit(trainLoader, testLoader);
        for (EpochMetrics m : result.history()) {
            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, test accuracy %.2f%%%n", m.epoch() + 1, m.trainLoss(),
                    100 * m.testAccuracy().getOrDefault(output, Double.NaN));
        }
        Evaluator.Result eval = Evaluator.evaluate(net, testLoader);
        System.out.printf(Locale.ROOT, "test accuracy %.2f%% on %d images%n", 100 * eval.accuracy(output), eval.samples());

        double[] imagesPerSecond = throughput(net, testLoader.dataset(), input, output, o.benchBatch(), 5);
        System.out.printf(Locale.ROOT, "inference, batch %d: median %.0f images/s (runs: %s)%n", o.benchBatch(),
                median(imagesPerSecond), Arrays.toString(Arrays.stream(imagesPerSecond).mapToLong(Math::round).toArray()));
    }

    /** Images per second of {@link Network#forward} on one batch, after a warm-up run, {@code runs} times. */
    static double[] throughput(Network net, Dataset data, String input, String output, int batchSize, int runs) {
        DataLoader loader = DataLoader.builder(data, input, output).batchSize(batchSize).limit(Math.min(batchSize, data.size())).build();
        Batch batch = loader.epoch(0).iterator().next();
        Map<String, INDArray> inputs = batch.inputs();
        net.forward(inputs);
        List<Double> rates = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            net.forward(inputs);
            long ns = System.nanoTime() - t0;
            rates.add(batch.size() / (ns / 1e9));
        }
        return rates.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
