package dev.adnet.runtime.data;

import dev.adnet.runtime.train.Batch;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cuts a {@link Dataset} into {@link Batch}es: each input normalised, as {@code [B, ...shape]} under its name; each
 * classification target as one-hot {@code [B, classes]} with its int labels, each value target as
 * {@code [B, ...shape]}.
 *
 * <p>The order of epoch {@code e} is a Fisher-Yates shuffle driven only by {@code (seed, e)}, computed on the
 * calling thread, so the same seed gives the same order whatever the thread count; without shuffling the order
 * is the dataset's. When an array decodes on every read (image files, table rows), the next batch is built on
 * background threads while the current one trains; the batches are the same either way.
 */
public final class DataLoader {
    private static final ExecutorService DECODERS = Executors.newFixedThreadPool(
            Math.max(1, Runtime.getRuntime().availableProcessors()), daemon());

    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final DataType dataType;
    private final Map<String, Dataset.Input> inputs;
    private final Map<String, Dataset.Target> targets;
    private final Map<String, Integer> classes = new HashMap<>();
    private final boolean decodes;

    private DataLoader(Builder b) {
        Dataset d = b.limit >= 0 ? b.data.limit(b.limit) : b.data;
        if (b.inputName != null) {
            if (d.inputs().size() != 1 || d.targets().size() != 1) {
                throw new IllegalArgumentException(d.name() + ": one input and one target needed to rename them, it has "
                        + d.inputs().keySet() + " and " + d.targets().keySet());
            }
            d = d.withNames(Map.of(d.inputs().keySet().iterator().next(), b.inputName),
                    Map.of(d.targets().keySet().iterator().next(), b.outputName));
        }
        this.data = d;
        this.batchSize = b.batchSize;
        this.shuffle = b.shuffle;
        this.seed = b.seed;
        this.dropLast = b.dropLast;
        this.dataType = b.dataType;
        if (batchSize <= 0) {
            throw new IllegalArgumentException("batch size must be positive: " + batchSize);
        }
        this.inputs = data.inputs();
        this.targets = data.targets();
        boolean dec = false;
        for (Map.Entry<String, Dataset.Input> e : inputs.entrySet()) {
            if (e.getValue().normalisation() == null) {
                throw new IllegalArgumentException(data.name() + ": input '" + e.getKey() + "' has no normalisation yet: "
                        + "use Dataset.normalised (on the training data) first");
            }
            dec |= e.getValue().values().decodes();
        }
        for (Map.Entry<String, Dataset.Target> e : targets.entrySet()) {
            dec |= e.getValue().values().decodes();
            if (e.getValue().classes()) {
                int k = e.getValue().classCount();
                if (k < 0) {
                    for (int i = 0; i < data.size(); i++) {
                        k = Math.max(k, (int) e.getValue().values().scalar(i) + 1);
                    }
                }
                classes.put(e.getKey(), k);
            }
        }
        this.decodes = dec;
    }

    /** A loader of {@code data} under its own input and target names. */
    public static Builder builder(Dataset data) {
        return new Builder(data, null, null);
    }

    /** A loader of a dataset with one input and one target, giving them the network's names. */
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

    /** The first input's name. */
    public String inputName() {
        return inputs.keySet().iterator().next();
    }

    /** The first target's name: the output whose accuracy the trainer reports. */
    public String outputName() {
        return targets.keySet().iterator().next();
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
            CompletableFuture<Raw> next = decodes && b < batches ? prefetch(order, b) : null;

            @Override
            public boolean hasNext() {
                return b < batches;
            }

            @Override
            public Batch next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Raw raw;
                if (next != null) {
                    raw = join(next);
                    next = b + 1 < batches ? prefetch(order, b + 1) : null;
                } else {
                    raw = raw(order, b * batchSize, Math.min(b * batchSize + batchSize, order.length), 0, 1);
                }
                b++;
                return raw.toBatch();
            }
        };
    }

    /** One batch's values before they become arrays (arrays are created on the training thread). */
    private record Raw(int n, Map<String, Object> inputs, Map<String, long[]> inputShapes, Map<String, Object> targets,
            Map<String, long[]> targetShapes, Map<String, int[]> labels) {
        Batch toBatch() {
            Map<String, INDArray> x = new LinkedHashMap<>();
            inputs.forEach((k, v) -> x.put(k, create(v, inputShapes.get(k))));
            Map<String, INDArray> y = new LinkedHashMap<>();
            targets.forEach((k, v) -> y.put(k, create(v, targetShapes.get(k))));
            return new Batch(x, y, labels);
        }

        private static INDArray create(Object values, long[] shape) {
            return values instanceof float[] f ? Nd4j.create(f, shape, 'c') : Nd4j.create((double[]) values, shape, 'c');
        }
    }

    private CompletableFuture<Raw> prefetch(int[] order, int b) {
        int from = b * batchSize;
        int to = Math.min(from + batchSize, order.length);
        int parts = Math.max(1, Math.min(Runtime.getRuntime().availableProcessors(), to - from));
        Raw whole = allocate(to - from);
        CompletableFuture<?>[] work = new CompletableFuture<?>[parts];
        for (int p = 0; p < parts; p++) {
            int part = p;
            work[p] = CompletableFuture.runAsync(() -> fill(whole, order, from, to, part, parts), DECODERS);
        }
        return CompletableFuture.allOf(work).thenApply(v -> whole);
    }

    private static Raw join(CompletableFuture<Raw> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    private Raw raw(int[] order, int from, int to, int part, int parts) {
        Raw r = allocate(to - from);
        fill(r, order, from, to, part, parts);
        return r;
    }

    private Raw allocate(int n) {
        boolean f = dataType == DataType.FLOAT;
        Map<String, Object> x = new LinkedHashMap<>();
        Map<String, long[]> xs = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            int e = Dataset.elements(v.shape());
            x.put(k, f ? new float[n * e] : new double[n * e]);
            xs.put(k, Dataset.shapeOf(n, v.shape()));
        });
        Map<String, Object> y = new LinkedHashMap<>();
        Map<String, long[]> ys = new LinkedHashMap<>();
        Map<String, int[]> labels = new LinkedHashMap<>();
        targets.forEach((k, v) -> {
            Integer c = classes.get(k);
            long[] shape = c != null ? new long[] {c} : v.values().sampleShape();
            int e = Dataset.elements(shape);
            y.put(k, f ? new float[n * e] : new double[n * e]);
            ys.put(k, Dataset.shapeOf(n, shape));
            if (c != null) {
                labels.put(k, new int[n]);
            }
        });
        return new Raw(n, x, xs, y, ys, labels);
    }

    /** Fills samples {@code part, part + parts, ...} of batch {@code [from, to)} of {@code order}. */
    private void fill(Raw r, int[] order, int from, int to, int part, int parts) {
        for (Map.Entry<String, Dataset.Input> e : inputs.entrySet()) {
            Dataset.Input in = e.getValue();
            int n = Dataset.elements(in.shape());
            double[] scratch = new double[n];
            Object dest = r.inputs().get(e.getKey());
            for (int i = part; i < to - from; i += parts) {
                in.values().read(order[from + i], scratch, 0);
                if (dest instanceof float[] fd) {
                    in.normalisation().apply(scratch, n, fd, i * n);
                } else {
                    in.normalisation().apply(scratch, n, (double[]) dest, i * n);
                }
            }
        }
        for (Map.Entry<String, Dataset.Target> e : targets.entrySet()) {
            SampleArray v = e.getValue().values();
            Object dest = r.targets().get(e.getKey());
            int[] labels = r.labels().get(e.getKey());
            if (labels != null) {
                int c = classes.get(e.getKey());
                for (int i = part; i < to - from; i += parts) {
                    int label = (int) v.scalar(order[from + i]);
                    labels[i] = label;
                    if (dest instanceof float[] fd) {
                        fd[i * c + label] = 1f;
                    } else {
                        ((double[]) dest)[i * c + label] = 1.0;
                    }
                }
            } else {
                int n = v.sampleElements();
                double[] scratch = new double[n];
                for (int i = part; i < to - from; i += parts) {
                    v.read(order[from + i], scratch, 0);
                    for (int k = 0; k < n; k++) {
                        if (dest instanceof float[] fd) {
                            fd[i * n + k] = (float) scratch[k];
                        } else {
                            ((double[]) dest)[i * n + k] = scratch[k];
                        }
                    }
                }
            }
        }
    }

    private static ThreadFactory daemon() {
        return r -> {
            Thread t = new Thread(r, "adnet-data-decoder");
            t.setDaemon(true);
            return t;
        };
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
