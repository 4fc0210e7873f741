package dev.adnet.runtime.data;

import dev.adnet.runtime.TensorSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Labelled samples: one array per network input (raw numbers with the {@link Normalisation} that turns them into
 * the network's values) and one per trained output (integer class indices, with class names when the source has
 * them, or values). Arrays live in memory, are mapped from a file or are decoded on demand ({@link SampleArray});
 * a dataset never copies them: subsets, limits and renamings are views.
 *
 * <p>Build one from arrays with {@link #builder}, from a file with {@link DataSources#open}, from Fashion-MNIST with
 * {@link FashionMnist}, or from an iterator of your own with {@link #collect}.
 */
public final class Dataset {
    /**
     * A network input's array.
     *
     * @param values the raw values
     * @param shape the per-sample shape batches give it (the array's own, or the network's when a table's columns are reshaped)
     * @param normalisation null until declared, computed or taken from a checkpoint
     */
    public record Input(SampleArray values, long[] shape, Normalisation normalisation) {}

    /**
     * A trained output's array.
     *
     * @param values class indices (an integer type, one per sample) or target values
     * @param classNames the class names, in index order; null when the source has none
     * @param classCount the number of classes (the class names', or the network output's once matched); -1 if unknown
     */
    public record Target(SampleArray values, List<String> classNames, int classCount) {
        public Target(SampleArray values, List<String> classNames) {
            this(values, classNames, classNames == null ? -1 : classNames.size());
        }

        public boolean classes() {
            return values.type().isInteger() && values.sampleElements() == 1;
        }
    }

    private final String name;
    private final Map<String, Input> inputs;
    private final Map<String, Target> targets;
    private final int[] index;
    private final int size;
    private final boolean positional;

    private Dataset(String name, Map<String, Input> inputs, Map<String, Target> targets, int[] index, boolean positional) {
        this.name = name;
        this.inputs = Collections.unmodifiableMap(new LinkedHashMap<>(inputs));
        this.targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
        this.index = index;
        this.positional = positional;
        int n = -1;
        for (SampleArray a : arrays()) {
            if (n >= 0 && a.count() != n) {
                throw new DataException(name + ": its arrays hold different numbers of samples: " + counts());
            }
            n = a.count();
        }
        this.size = index != null ? index.length : Math.max(n, 0);
    }

    /** Starts a dataset named {@code name} (a file name, for instance; messages quote it). */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** Builds a {@link Dataset} array by array; every array must hold the same number of samples. */
    public static final class Builder {
        private final String name;
        private final Map<String, Input> inputs = new LinkedHashMap<>();
        private final Map<String, Target> targets = new LinkedHashMap<>();
        private boolean positional;

        private Builder(String name) {
            this.name = name;
        }

        /** An input's raw values; its normalisation will be computed on the training data. */
        public Builder input(String input, SampleArray values) {
            return input(input, values, null);
        }

        /** An input's raw values with a declared normalisation (null: computed on the training data). */
        public Builder input(String input, SampleArray values, Normalisation normalisation) {
            inputs.put(input, new Input(values, values.sampleShape(), normalisation));
            return this;
        }

        /** A classification output's class indices (one integer per sample) and its class names (null: none). */
        public Builder classes(String output, SampleArray labels, List<String> classNames) {
            if (!labels.type().isInteger() || labels.sampleElements() != 1) {
                throw new DataException(name + ": class indices of '" + output + "' must be one integer per sample, got "
                        + labels.type().code() + " " + Arrays.toString(labels.sampleShape()) + " per sample");
            }
            targets.put(output, new Target(labels, classNames == null ? null : List.copyOf(classNames)));
            return this;
        }

        /** A regression output's target values. */
        public Builder values(String output, SampleArray values) {
            targets.put(output, new Target(values, null));
            return this;
        }

        /**
         * Marks the single input as unnamed (a table's feature columns, an image folder's images): it feeds the
         * network's single input whatever that is called, reshaped if the element counts agree.
         */
        public Builder positional() {
            this.positional = true;
            return this;
        }

        public Dataset build() {
            return new Dataset(name, inputs, targets, null, positional);
        }
    }

    /** One sample from an iterator of the user's own: inputs by name, class indices and values by output name. */
    public record Example(Map<String, float[]> inputs, Map<String, Integer> classes, Map<String, float[]> values) {
        public Example {
            inputs = Map.copyOf(inputs);
            classes = Map.copyOf(classes);
            values = Map.copyOf(values);
        }
    }

    /**
     * Collects the samples of an iterator into memory, shaped after {@code schema} (inputs and value targets of the
     * declared per-sample shapes, class indices for classification outputs).
     */
    public static Dataset collect(String name, DataSchema schema, Iterator<Example> examples) {
        Map<String, List<float[]>> in = new LinkedHashMap<>();
        Map<String, List<float[]>> vals = new LinkedHashMap<>();
        Map<String, List<Integer>> cls = new LinkedHashMap<>();
        int n = 0;
        while (examples.hasNext()) {
            Example e = examples.next();
            for (TensorSpec s : schema.inputs()) {
                float[] v = e.inputs().get(s.name());
                if (v == null || v.length != elements(s.shape())) {
                    throw new DataException(name + ": sample " + n + ": input '" + s.name() + "' " + (v == null ? "is missing"
                            : "has " + v.length + " values, expected " + elements(s.shape()) + " for " + Arrays.toString(s.shape())));
                }
                in.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(v);
            }
            for (DataSchema.Target t : schema.targets()) {
                if (t.kind() == DataSchema.Kind.CLASSES) {
                    Integer c = e.classes().get(t.name());
                    if (c == null) {
                        throw new DataException(name + ": sample " + n + ": no class index for output '" + t.name() + "'");
                    }
                    cls.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(c);
                } else if (t.kind() == DataSchema.Kind.VALUES) {
                    float[] v = e.values().get(t.name());
                    if (v == null || v.length != elements(t.shape())) {
                        throw new DataException(name + ": sample " + n + ": target '" + t.name() + "' " + (v == null ? "is missing"
                                : "has " + v.length + " values, expected " + elements(t.shape())));
                    }
                    vals.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(v);
                }
            }
            n++;
        }
        Builder b = builder(name);
        for (TensorSpec s : schema.inputs()) {
            b.input(s.name(), BufferArray.of(concat(in.getOrDefault(s.name(), List.of()), elements(s.shape())), shapeOf(n, s.shape())));
        }
        for (DataSchema.Target t : schema.targets()) {
            if (t.kind() == DataSchema.Kind.CLASSES) {
                b.classes(t.name(), BufferArray.of(cls.getOrDefault(t.name(), List.of()).stream().mapToInt(Integer::intValue)
                        .toArray(), n), null);
            } else if (t.kind() == DataSchema.Kind.VALUES) {
                b.values(t.name(), BufferArray.of(concat(vals.getOrDefault(t.name(), List.of()), elements(t.shape())),
                        shapeOf(n, t.shape())));
            }
        }
        return b.build();
    }

    private static float[] concat(List<float[]> rows, int width) {
        float[] all = new float[rows.size() * width];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, all, i * width, width);
        }
        return all;
    }

    static long[] shapeOf(long n, long[] sample) {
        long[] s = new long[sample.length + 1];
        s[0] = n;
        System.arraycopy(sample, 0, s, 1, sample.length);
        return s;
    }

    static int elements(long[] shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        return (int) n;
    }

    /** Unsigned-byte images {@code [1, rows, cols]} under {@code image} with class indices under {@code label} (IDX data). */
    public static Dataset images(String name, byte[] pixels, int[] labels, int count, int rows, int cols, int classes,
            Normalisation normalisation, List<String> classNames) {
        if (labels.length < count || (long) count * rows * cols > pixels.length) {
            throw new DataException(name + ": " + count + " samples requested but there are "
                    + pixels.length / Math.max(1, rows * cols) + " images and " + labels.length + " labels");
        }
        for (int i = 0; i < count; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new DataException(name + ": label " + labels[i] + " of sample " + i + " is outside [0, " + classes + ")");
            }
        }
        byte[] px = pixels.length == count * rows * cols ? pixels : Arrays.copyOf(pixels, count * rows * cols);
        int[] lb = labels.length == count ? labels : Arrays.copyOf(labels, count);
        return builder(name).input("image", BufferArray.ofUnsigned(px, count, 1, rows, cols), normalisation)
                .classes("label", BufferArray.of(lb, count), classNames == null ? defaultNames(classes) : classNames).build();
    }

    /** Pairs an IDX images file with a labels file (Fashion-MNIST's normalisation and class names); their counts must agree. */
    public static Dataset of(String name, IdxReader.Images images, String labelsName, int[] labels, int classes) {
        if (images.count() != labels.length) {
            throw new DataException(name + ": the images file has " + images.count() + " images but " + labelsName
                    + " has " + labels.length + " labels");
        }
        return images(name, images.pixels(), labels, images.count(), images.rows(), images.cols(), classes,
                Normalisation.FASHION_MNIST, classes == FashionMnist.CLASSES ? FashionMnist.CLASS_NAMES : null);
    }

    private static List<String> defaultNames(int classes) {
        List<String> n = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            n.add(Integer.toString(c));
        }
        return n;
    }

    public String name() {
        return name;
    }

    public int size() {
        return size;
    }

    /** Input name to its array, normalisation and shape, in the source's order. */
    public Map<String, Input> inputs() {
        Map<String, Input> m = new LinkedHashMap<>();
        inputs.forEach((k, v) -> m.put(k, new Input(view(v.values()), v.shape(), v.normalisation())));
        return Collections.unmodifiableMap(m);
    }

    /** Output name to its targets, in the source's order. */
    public Map<String, Target> targets() {
        Map<String, Target> m = new LinkedHashMap<>();
        targets.forEach((k, v) -> m.put(k, new Target(view(v.values()), v.classNames(), v.classCount())));
        return Collections.unmodifiableMap(m);
    }

    /** Whether the single input is unnamed (see {@link Builder#positional()}). */
    public boolean positional() {
        return positional;
    }

    private SampleArray view(SampleArray a) {
        return index == null ? a : new IndexedArray(a, index);
    }

    private List<SampleArray> arrays() {
        List<SampleArray> all = new ArrayList<>();
        inputs.values().forEach(i -> all.add(i.values()));
        targets.values().forEach(t -> all.add(t.values()));
        return all;
    }

    private String counts() {
        List<String> c = new ArrayList<>();
        inputs.forEach((k, v) -> c.add(k + " " + v.values().count()));
        targets.forEach((k, v) -> c.add(k + " " + v.values().count()));
        return String.join(", ", c);
    }

    /** The samples {@code indices} of this dataset, in that order (a view). */
    public Dataset subset(int[] indices, String label) {
        int[] abs = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            if (indices[i] < 0 || indices[i] >= size) {
                throw new DataException(name + ": no sample " + indices[i] + " in " + size);
            }
            abs[i] = index == null ? indices[i] : index[indices[i]];
        }
        return new Dataset(label, inputs, targets, abs, positional);
    }

    /** Samples {@code [from, to)} (a view). */
    public Dataset slice(int from, int to) {
        if (from < 0 || to > size || from > to) {
            throw new DataException(name + ": no samples [" + from + ", " + to + ") in " + size);
        }
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
            idx[i] = from + i;
        }
        return subset(idx, name + "[" + from + ":" + to + "]");
    }

    /** Only the first {@code n} samples (all if {@code n} is larger). */
    public Dataset limit(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + n);
        }
        return n >= size ? this : slice(0, n).renamed(name);
    }

    /** The same samples with the single input and target unnamed (see {@link Builder#positional()}). */
    public Dataset asPositional() {
        return new Dataset(name, inputs, targets, index, true);
    }

    private Dataset renamed(String newName) {
        return new Dataset(newName, inputs, targets, index, positional);
    }

    /**
     * Splits off a held-out part of {@code count} samples chosen by a fixed shuffle (the same for every run, so
     * {@code train --holdout} and {@code calibrate --holdout} agree): element 0 is the rest, element 1 the held-out part.
     */
    public Dataset[] holdout(int count) {
        if (count < 1 || count >= size) {
            throw new DataException(name + ": cannot hold out " + count + " of " + size + " samples");
        }
        int[] order = new int[size];
        for (int i = 0; i < size; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(0x401D0A7L);
        for (int i = size - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        int[] rest = Arrays.copyOfRange(order, 0, size - count);
        int[] held = Arrays.copyOfRange(order, size - count, size);
        Arrays.sort(rest);
        Arrays.sort(held);
        return new Dataset[] {subset(rest, name + " without its held-out part"), subset(held, name + ", held out")};
    }

    /** The same samples with inputs and targets renamed (a file's arrays matched to a network's names). */
    public Dataset withNames(Map<String, String> inputNames, Map<String, String> targetNames) {
        Map<String, Input> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> in.put(inputNames.getOrDefault(k, k), v));
        Map<String, Target> tg = new LinkedHashMap<>();
        targets.forEach((k, v) -> tg.put(targetNames.getOrDefault(k, k), v));
        return new Dataset(name, in, tg, index, positional && inputNames.isEmpty() && targetNames.isEmpty());
    }

    /** The same samples with {@code input} given per-sample {@code shape} (same element count). */
    Dataset reshaped(String input, long[] shape) {
        Map<String, Input> in = new LinkedHashMap<>(inputs);
        Input i = in.get(input);
        in.put(input, new Input(i.values(), shape.clone(), i.normalisation()));
        return new Dataset(name, in, targets, index, positional);
    }

    /** The same samples with {@code output}'s class count set. */
    Dataset withClassCount(String output, int classes) {
        Map<String, Target> tg = new LinkedHashMap<>(targets);
        Target t = tg.get(output);
        tg.put(output, new Target(t.values(), t.classNames(), classes));
        return new Dataset(name, inputs, tg, index, positional);
    }

    /** The same samples keeping only {@code keepInputs} and {@code keepTargets}, in that order. */
    Dataset only(java.util.Collection<String> keepInputs, java.util.Collection<String> keepTargets) {
        Map<String, Input> in = new LinkedHashMap<>();
        keepInputs.stream().filter(inputs::containsKey).forEach(k -> in.put(k, inputs.get(k)));
        Map<String, Target> tg = new LinkedHashMap<>();
        keepTargets.stream().filter(targets::containsKey).forEach(k -> tg.put(k, targets.get(k)));
        return new Dataset(name, in, tg, index, positional);
    }

    /**
     * The same samples with every input's normalisation set: {@code given} where it names the input, else the one
     * the source declares, else computed on these samples.
     */
    public Dataset normalised(Map<String, Normalisation> given) {
        Map<String, Input> in = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            Normalisation n = given.get(k);
            if (n == null) {
                n = v.normalisation() != null ? v.normalisation() : Normalisation.compute(view(v.values()));
            }
            if (!n.fits(v.shape())) {
                throw new DataException(name + ": the normalisation of input '" + k + "' has " + n.mean().length
                        + " groups, which does not fit its shape " + Arrays.toString(v.shape()));
            }
            in.put(k, new Input(v.values(), v.shape(), n));
        });
        return new Dataset(name, in, targets, index, positional);
    }

    /** The normalisations and class names a checkpoint records (inputs must be {@linkplain #normalised normalised}). */
    public DataSpec spec() {
        Map<String, Normalisation> n = new LinkedHashMap<>();
        inputs.forEach((k, v) -> {
            if (v.normalisation() != null) {
                n.put(k, v.normalisation());
            }
        });
        Map<String, List<String>> c = new LinkedHashMap<>();
        targets.forEach((k, v) -> {
            if (v.classNames() != null) {
                c.put(k, v.classNames());
            }
        });
        return new DataSpec(n, c);
    }

    /** The class indices of {@code output} (its array must hold classes). */
    public int label(String output, int i) {
        Target t = targets.get(output);
        if (t == null) {
            throw new IllegalArgumentException(name + " has no target '" + output + "'");
        }
        return (int) t.values().scalar(index == null ? i : index[i]);
    }

    /** The class index of sample {@code i} of the single target. */
    public int label(int i) {
        return label(targets.keySet().iterator().next(), check(i));
    }

    /** The class count of the single classification target: its class names, else the largest index + 1. */
    public int classes() {
        Target t = targets.values().iterator().next();
        if (t.classCount() >= 0) {
            return t.classCount();
        }
        int max = -1;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, label(i));
        }
        return max + 1;
    }

    /** Per-class sample counts of the single target. */
    public int[] classCounts() {
        int[] c = new int[classes()];
        for (int i = 0; i < size; i++) {
            c[label(i)]++;
        }
        return c;
    }

    /** The per-sample shape of the single input. */
    public long[] sampleShape() {
        return inputs.values().iterator().next().shape().clone();
    }

    /** Rows of the single image input {@code [C, rows, cols]}. */
    public int rows() {
        long[] s = sampleShape();
        return (int) s[s.length - 2];
    }

    public int cols() {
        long[] s = sampleShape();
        return (int) s[s.length - 1];
    }

    /** The raw value {@code p} of sample {@code i} of the single input. */
    public int pixel(int i, int p) {
        SampleArray a = inputs.values().iterator().next().values();
        double[] v = new double[a.sampleElements()];
        a.read(index == null ? check(i) : index[check(i)], v, 0);
        return (int) v[p];
    }

    private int check(int i) {
        if (i < 0 || i >= size) {
            throw new IndexOutOfBoundsException("sample " + i + " of " + size);
        }
        return i;
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        inputs.forEach((k, v) -> parts.add(k + " " + v.values().type().code() + Arrays.toString(v.shape())));
        targets.forEach((k, v) -> parts.add(k + (v.classes() ? " classes" : " values " + Arrays.toString(v.values().sampleShape()))));
        return name + " (" + size + " samples: " + String.join(", ", parts) + ")";
    }

    /** A view of some samples of an array, in a given order. */
    private record IndexedArray(SampleArray base, int[] index) implements SampleArray {
        @Override
        public int count() {
            return index.length;
        }

        @Override
        public long[] sampleShape() {
            return base.sampleShape();
        }

        @Override
        public ElementType type() {
            return base.type();
        }

        @Override
        public void read(int sample, double[] dest, int off) {
            base.read(index[sample], dest, off);
        }

        @Override
        public double scalar(int sample) {
            return base.scalar(index[sample]);
        }

        @Override
        public boolean decodes() {
            return base.decodes();
        }

        @Override
        public int sampleElements() {
            return base.sampleElements();
        }
    }
}
