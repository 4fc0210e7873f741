package dev.adnet.compiler.bench;

import dev.adnet.compiler.cli.BenchAccess;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import dev.adnet.runtime.train.Batch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Inference throughput of a trained checkpoint, measured as the PyTorch peers in {@code bench/torch} measure theirs:
 * {@code predict} on the test data in batches (256 by default), a warm-up pass, then the median of several passes.
 * The data are read and normalised as {@code adnet eval} does, before the clock starts.
 *
 * <pre>
 * java -cp ... dev.adnet.compiler.bench.PeerThroughput FILE CHECKPOINT [TEST.npz|-] [batch=256] [rounds=5] [limit=N]
 * </pre>
 */
public final class PeerThroughput {
    private PeerThroughput() {}

    public static void main(String[] args) {
        Map<String, Integer> o = BenchSupport.options(args, 3);
        int batch = o.getOrDefault("batch", 256);
        int rounds = o.getOrDefault("rounds", 5);
        Path test = args.length > 2 && !args[2].equals("-") && !args[2].contains("=") ? Path.of(args[2]) : null;
        BenchAccess.Loaded loaded = BenchAccess.load(Path.of(args[0]), Path.of(args[1]), test, batch,
                o.getOrDefault("limit", Integer.MAX_VALUE));
        Network net = loaded.network();
        List<Map<String, INDArray>> inputs = new ArrayList<>();
        long samples = 0;
        for (Batch b : loaded.loader().epoch(0)) {
            inputs.add(b.inputs());
            samples += b.size();
        }
        long steps = 0;
        long iterations = 0;
        for (Map<String, INDArray> x : inputs) {
            Prediction p = net.predict(x);
            steps += firstColumn(p.steps());
            iterations += firstColumn(p.iterations());
        }
        double[] rates = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t = System.nanoTime();
            for (Map<String, INDArray> x : inputs) {
                net.predict(x);
            }
            rates[r] = samples / ((System.nanoTime() - t) / 1e9);
        }
        Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "%s: inference batch %d, %d samples: %.0f samples/s (median of %d; min %.0f, max %.0f)%s%s%n",
                net.name(), batch, samples, rates[rounds / 2], rounds, rates[0], rates[rounds - 1],
                steps > 0 ? String.format(Locale.ROOT, "; mean steps %.3f", (double) steps / samples) : "",
                iterations > 0 ? String.format(Locale.ROOT, "; mean solver iterations %.2f", (double) iterations / samples) : "");
    }

    /** The sum over samples of the first loop's (or fixed point's) count; 0 when the network has none. */
    private static long firstColumn(int[][] counts) {
        long sum = 0;
        if (counts != null) {
            for (int[] c : counts) {
                sum += c.length > 0 ? c[0] : 0;
            }
        }
        return sum;
    }
}
