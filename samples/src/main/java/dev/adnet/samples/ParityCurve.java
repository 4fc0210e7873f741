package dev.adnet.samples;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.Prediction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Accuracy and mean loop steps on parity data, overall and by the number of non-zero entries (the difficulty of
 * Graves' figure). Index {@code k} of the arrays is difficulty {@code k}; index 0 is unused.
 */
public record ParityCurve(int[] samples, int[] right, long[] steps) {

    /** Predicts {@code data} with {@code net} (its first input and output) and tallies each sample by difficulty. */
    public static ParityCurve of(Network net, ParityData data) {
        Prediction p = net.predict(Map.of(net.inputs().get(0).name(), data.bits()));
        INDArray y = p.outputs().get(net.outputs().get(0).name());
        int size = Math.toIntExact(data.bits().size(1));
        int[] count = new int[size + 1];
        int[] right = new int[size + 1];
        long[] steps = new long[size + 1];
        for (int i = 0; i < data.size(); i++) {
            int k = data.nonZero()[i];
            int predicted = y.getDouble(i, 1) > y.getDouble(i, 0) ? 1 : 0;
            right[k] += predicted == data.labels()[i] ? 1 : 0;
            count[k]++;
            // A network without a loop (no step counts) takes one step.
            steps[k] += p.steps() != null && p.steps()[i].length > 0 ? p.steps()[i][0] : 1;
        }
        return new ParityCurve(count, right, steps);
    }

    /** Reads what {@link #csv()} wrote. */
    public static ParityCurve read(Path csv) throws IOException {
        List<String> lines = Files.readAllLines(csv).stream().skip(1).filter(l -> !l.isBlank()).toList();
        int size = lines.stream().mapToInt(l -> Integer.parseInt(l.split(",")[0])).max().orElse(0);
        int[] count = new int[size + 1];
        int[] right = new int[size + 1];
        long[] steps = new long[size + 1];
        for (String line : lines) {
            String[] f = line.split(",");
            int k = Integer.parseInt(f[0]);
            count[k] = Integer.parseInt(f[1]);
            right[k] = (int) Math.round(Double.parseDouble(f[2]) * count[k]);
            steps[k] = Math.round(Double.parseDouble(f[3]) * count[k]);
        }
        return new ParityCurve(count, right, steps);
    }

    public int size() {
        return samples.length - 1;
    }

    public double accuracy() {
        return (double) sum(right) / sum(samples);
    }

    public double meanSteps() {
        long s = 0;
        for (long v : steps) {
            s += v;
        }
        return (double) s / sum(samples);
    }

    /** Accuracy at difficulty {@code k}; NaN when no sample has it. */
    public double accuracy(int k) {
        return samples[k] == 0 ? Double.NaN : (double) right[k] / samples[k];
    }

    public double meanSteps(int k) {
        return samples[k] == 0 ? Double.NaN : (double) steps[k] / samples[k];
    }

    public String summary() {
        return String.format(Locale.ROOT, "test accuracy %.4f, mean steps %.3f", accuracy(), meanSteps());
    }

    /** {@code nonzero,samples,accuracy,mean_steps}, a row per difficulty that occurs. */
    public String csv() {
        StringBuilder csv = new StringBuilder("nonzero,samples,accuracy,mean_steps\n");
        for (int k = 1; k <= size(); k++) {
            if (samples[k] > 0) {
                csv.append(String.format(Locale.ROOT, "%d,%d,%.4f,%.3f%n", k, samples[k], accuracy(k), meanSteps(k)));
            }
        }
        return csv.toString();
    }

    private static long sum(int[] a) {
        long s = 0;
        for (int v : a) {
            s += v;
        }
        return s;
    }
}
