package dev.adnet.samples;

import dev.adnet.runtime.data.NpzWriter;
import dev.adnet.runtime.train.Batch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Graves' parity data (ACT, section 3.1; set up as zphang/adaptive-computation-time-pytorch): each sample's first
 * {@code k} entries, {@code k} uniform in 1..size, are -1 or +1 with equal chance and the rest 0; its class is the
 * parity of the number of +1 entries. Deterministic for a seed.
 *
 * @param bits {@code [n, size]}
 * @param labels the parity of each sample, 0 or 1
 * @param nonZero each sample's {@code k}: its difficulty
 */
public record ParityData(INDArray bits, int[] labels, int[] nonZero) {

    public static ParityData generate(int n, int size, long seed, DataType type) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n * size];
        int[] labels = new int[n];
        int[] k = new int[n];
        for (int i = 0; i < n; i++) {
            k[i] = 1 + rnd.nextInt(size);
            int ones = 0;
            for (int j = 0; j < k[i]; j++) {
                boolean one = rnd.nextBoolean();
                x[i * size + j] = one ? 1f : -1f;
                ones += one ? 1 : 0;
            }
            labels[i] = ones % 2;
        }
        return new ParityData(Nd4j.createFromArray(x).reshape(n, size).castTo(type), labels, k);
    }

    /**
     * Writes parity data as {@code .npz} for {@code adnet train --data} and for peer programs: {@code bits}
     * {@code [n, size]} (float32), and {@code parity} (the class, int32), the names of {@code act_parity.adnet}'s input and output. A sample's
     * difficulty k is its count of non-zero entries.
     *
     * <pre>
     * java -cp ... dev.adnet.samples.ParityData OUT.npz SAMPLES [SIZE=16] [SEED=1]
     * </pre>
     */
    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: ParityData OUT.npz SAMPLES [SIZE=16] [SEED=1]");
            System.exit(2);
        }
        int n = Integer.parseInt(args[1]);
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 16;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : 1;
        ParityData data = generate(n, size, seed, DataType.FLOAT);
        new NpzWriter()
                .add("bits", data.bits().data().asFloat(), n, size)
                .add("parity", data.labels(), n)
                .write(Path.of(args[0]), true);
        System.out.printf(Locale.ROOT, "wrote %d samples of %d entries to %s%n", n, size, args[0]);
    }

    public int size() {
        return labels.length;
    }

    /** Samples {@code [from, to)} as a batch for {@code input} and the class output {@code output} (one-hot targets). */
    public Batch batch(String input, String output, int from, int to) {
        INDArray x = bits.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to)).dup('c');
        INDArray y = Nd4j.zeros(bits.dataType(), to - from, 2);
        int[] l = new int[to - from];
        for (int i = from; i < to; i++) {
            y.putScalar(i - from, labels[i], 1.0);
            l[i - from] = labels[i];
        }
        return new Batch(Map.of(input, x), Map.of(output, y), Map.of(output, l));
    }
}
