package dev.adnet.samples;

import dev.adnet.runtime.train.Batch;
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
