package dev.adnet.runtime.data;

import dev.adnet.runtime.train.Batch;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts a {@link Dataset} into {@link Batch}es: inputs {@code [B, 1, rows, cols]} under the input name, one-hot
 * targets {@code [B, classes]} and int labels under the output name.
 *
 * <p>The order of epoch {@code e} is a Fisher-Yates shuffle driven only by {@code (seed, e)}, computed on the
 * calling thread, so the same seed gives the same order whatever the thread count; without shuffling the order
 * is the dataset's.
 */
public final class DataLoader {
    private final Dataset data;
    private final String inputName;
    private final String outputName;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final DataType dataType;

    private DataLoader(Builder b) {
        this.data = b.limit >= 0 ? b.data.limit(b.limit) : b.data;
        this.inputName = b.inputName;
        this.outputName = b.outputName;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.dataType = b.dataType;
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
    }

    public static Builder builder(Dataset data, String inputName, String outputName) {
        return new Builder(data, inputName, outputName);
    }

    public static final class Builder {
        private final Dataset data;
        private final String inputName;
        private final String outputName;
        private int batchSize = 64;
        private boolean shuffle;
        private long seed;
        private boolean dropLast;
        private int limit = -1;
        private DataType dataType = DataType.FLOAT;

        private Builder(Dataset data, String inputName, String outputName) {
            this.data = data;
            this.inputName = inputName;
            this.outputName = outputName;
        }

        public Builder batchSize(int n) {
            this.batchSize = n;
            return this;
        }

        /** Shuffles every epoch with an order derived from {@code seed} and the epoch. */
        public Builder shuffle(long seed) {
            this.shuffle = true;
            this.seed = seed;
            return this;
        }

        /** Drops the last batch of an epoch when it is smaller than the batch size (default: keep it). */
        public Builder dropLast(boolean drop) {
            this.dropLast = drop;
            return this;
        }

        /** Uses only the first {@code n} samples of the dataset. */
        public Builder limit(int n) {
            this.limit = n;
            return this;
        }

        public Builder dataType(DataType t) {
            if (t != DataType.FLOAT && t != DataType.DOUBLE) {
                throw new IllegalArgumentException("FLOAT or DOUBLE, not " + t);
            }
            this.dataType = t;
            return this;
        }

        public DataLoader build() {
            return new DataLoader(this);
        }
    }

    public Dataset dataset() {
        return data;
    }

    /** Samples used per epoch (the dataset after the limit). */
    public int size() {
        return data.size();
    }

    public int batchSize() {
        return batchSize;
    }

    public String inputName() {
        return inputName;
    }

    public String outputName() {
        return outputName;
    }

    public int batchesPerEpoch() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** The sample indices of epoch {@code epoch}, in order. */
    public int[] order(int epoch) {
        int n = data.size();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        if (shuffle) {
            SplittableRandom r = new SplittableRandom(mix(seed) ^ mix(0x5EED0000L + epoch));
            for (int i = n - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = idx[i];
                idx[i] = idx[j];
                idx[j] = t;
            }
        }
        return idx;
    }

    /** The batches of one epoch. */
    public Iterable<Batch> epoch(int epoch) {
        return epoch(epoch, 0);
    }

    /** The batches of one epoch from batch {@code firstBatch} on (to resume mid-epoch). */
    public Iterable<Batch> epoch(int epoch, int firstBatch) {
        int[] order = order(epoch);
        int batches = batchesPerEpoch();
        return () -> new Iterator<>() {
            int b = firstBatch;

            @Override
            public boolean hasNext() {
                return b < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                int from = b * batchSize;
                int to = Math.min(from + batchSize, order.length);
                b++;
                return batch(order, from, to);
            }
        };
    }

    private Batch batch(int[] order, int from, int to) {
        int n = to - from;
        int px = data.rows() * data.cols();
        int classes = data.classes();
        int[] labels = new int[n];
        INDArray x;
        INDArray y;
        if (dataType == DataType.FLOAT) {
            float[] xs = new float[n * px];
            float[] ys = new float[n * classes];
            for (int i = 0; i < n; i++) {
                int s = order[from + i];
                data.copyImage(s, xs, i * px);
                labels[i] = data.label(s);
                ys[i * classes + labels[i]] = 1f;
            }
            x = Nd4j.create(xs, new long[] {n, 1, data.rows(), data.cols()}, 'c');
            y = Nd4j.create(ys, new long[] {n, classes}, 'c');
        } else {
            double[] xs = new double[n * px];
            double[] ys = new double[n * classes];
            for (int i = 0; i < n; i++) {
                int s = order[from + i];
                data.copyImage(s, xs, i * px);
                labels[i] = data.label(s);
                ys[i * classes + labels[i]] = 1.0;
            }
            x = Nd4j.create(xs, new long[] {n, 1, data.rows(), data.cols()}, 'c');
            y = Nd4j.create(ys, new long[] {n, classes}, 'c');
        }
        return new Batch(Map.of(inputName, x), Map.of(outputName, y), Map.of(outputName, labels));
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
