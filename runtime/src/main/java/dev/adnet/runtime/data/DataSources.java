package dev.adnet.runtime.data;

import dev.adnet.runtime.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Opens the data a user names and matches it to a network: an {@code .npz} archive (arrays named after the inputs
 * and outputs), a {@code .csv} table with a header (a column named after each output, the other columns forming the
 * single input), a directory of class folders ({@code DIR/<class>/*.png|jpg}) or a directory in IDX layout
 * (Fashion-MNIST's four files). Every mismatch is a {@link DataException} naming the file and the array, column or
 * sample.
 */
public final class DataSources {
    private DataSources() {}

    /** Which part of an IDX directory to read (it holds both). */
    public enum Part {
        TRAIN,
        TEST
    }

    /**
     * Opens {@code path} and matches it to {@code schema}; without {@code needTargets} the outputs' arrays are not
     * required (and are dropped).
     */
    public static Dataset open(Path path, DataSchema schema, Part part, boolean needTargets) {
        Dataset d;
        String file = path.getFileName() == null ? "" : path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            d = isIdx(path) ? idx(path, part) : ImageFolder.open(path, schema);
        } else if (!Files.exists(path)) {
            throw new DataException(path + ": file not found");
        } else if (file.endsWith(".npz")) {
            d = NpzDataset.open(path, schema);
        } else if (file.endsWith(".csv")) {
            d = CsvTable.open(path, schema);
        } else {
            throw new DataException(path + ": not an .npz or .csv file, nor a directory of class folders or of IDX files");
        }
        return match(d, schema, needTargets);
    }

    private static boolean isIdx(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.anyMatch(p -> p.getFileName().toString().contains("-idx"));
        } catch (IOException e) {
            throw new DataException(dir + ": cannot list: " + e.getMessage(), e);
        }
    }

    private static Dataset idx(Path dir, Part part) {
        FashionMnist.Source s = FashionMnist.locate(dir);
        Dataset d = part == Part.TRAIN ? s.train() : s.test();
        return d.asPositional();
    }

    /** Checks {@code d} against {@code schema}: names, shapes, element types and class indices. */
    public static Dataset match(Dataset d, DataSchema schema, boolean needTargets) {
        Map<String, Dataset.Input> inputs = d.inputs();
        Map<String, Dataset.Target> targets = d.targets();
        Map<String, String> inNames = new LinkedHashMap<>();
        Map<String, String> outNames = new LinkedHashMap<>();
        if (d.positional() && inputs.size() == 1 && schema.inputs().size() == 1) {
            inNames.put(inputs.keySet().iterator().next(), schema.inputs().get(0).name());
        }
        List<DataSchema.Target> trained = schema.targets().stream().filter(t -> t.kind() != DataSchema.Kind.NONE).toList();
        if (d.positional() && targets.size() == 1 && trained.size() == 1) {
            outNames.put(targets.keySet().iterator().next(), trained.get(0).name());
        }
        Dataset m = d.withNames(inNames, outNames);
        for (String extra : m.inputs().keySet()) {
            if (schema.input(extra) == null) {
                throw new DataException(d.name() + ": array '" + extra + "' is not an input of network '" + schema.network()
                        + "' (its inputs: " + names(schema.inputs()) + "; outputs: " + targetNames(schema) + ")");
            }
        }
        for (String t : m.targets().keySet()) {
            if (schema.target(t) == null) {
                throw new DataException(d.name() + ": array '" + t + "' is neither an input nor an output of network '"
                        + schema.network() + "' (its inputs: " + names(schema.inputs()) + "; outputs: " + targetNames(schema) + ")");
            }
        }
        // in the network's order: the first trained output is the one whose accuracy training reports
        List<String> keepTargets = needTargets ? trained.stream().map(DataSchema.Target::name).toList() : List.of();
        m = m.only(schema.inputs().stream().map(TensorSpec::name).toList(), keepTargets);
        for (TensorSpec in : schema.inputs()) {
            Dataset.Input have = m.inputs().get(in.name());
            if (have == null) {
                throw new DataException(d.name() + ": no array for input '" + in.name() + "' " + Arrays.toString(in.shape())
                        + " (it has " + String.join(", ", d.inputs().keySet()) + ")");
            }
            if (!Arrays.equals(have.shape(), in.shape())) {
                if (d.positional() && Dataset.elements(have.shape()) == Dataset.elements(in.shape())) {
                    m = m.reshaped(in.name(), in.shape());
                } else {
                    throw new DataException(d.name() + ": '" + in.name() + "' has " + Arrays.toString(have.shape())
                            + " per sample, but input '" + in.name() + "' of network '" + schema.network() + "' is "
                            + Arrays.toString(in.shape()));
                }
            }
        }
        if (needTargets) {
            for (DataSchema.Target t : trained) {
                Dataset.Target have = m.targets().get(t.name());
                if (have == null) {
                    throw new DataException(d.name() + ": no array for output '" + t.name() + "' ("
                            + (t.kind() == DataSchema.Kind.CLASSES ? "class indices" : "target values " + Arrays.toString(t.shape()))
                            + " for its loss)");
                }
                m = checkTarget(d.name(), m, t, have);
            }
        }
        return m;
    }

    private static Dataset checkTarget(String name, Dataset m, DataSchema.Target t, Dataset.Target have) {
        SampleArray v = have.values();
        if (t.kind() == DataSchema.Kind.VALUES) {
            if (Dataset.elements(v.sampleShape()) != Dataset.elements(t.shape())) {
                throw new DataException(name + ": '" + t.name() + "' has " + Arrays.toString(v.sampleShape())
                        + " per sample, but output '" + t.name() + "' is " + Arrays.toString(t.shape()));
            }
            return m;
        }
        if (!v.type().isInteger() || v.sampleElements() != 1) {
            throw new DataException(name + ": '" + t.name() + "' holds " + v.type().code() + " " + Arrays.toString(v.sampleShape())
                    + " per sample; output '" + t.name() + "' is trained with cross_entropy, which needs one integer class "
                    + "index per sample (u1, i4 or i8)");
        }
        int classes = t.classes();
        if (have.classNames() != null && have.classNames().size() != classes) {
            throw new DataException(name + ": " + have.classNames().size() + " classes (" + abbreviated(have.classNames())
                    + "), but output '" + t.name() + "' has " + classes);
        }
        for (int i = 0; i < v.count(); i++) {
            double label = v.scalar(i);
            if (label < 0 || label >= classes) {
                throw new DataException(name + ": '" + t.name() + "', sample " + i + ": class index " + (long) label
                        + " is outside [0, " + classes + ") (output '" + t.name() + "' has " + classes + " classes)");
            }
        }
        return m.withClassCount(t.name(), classes);
    }

    /** Scans every input for NaN and infinity. */
    public static void checkFinite(Dataset d) {
        for (Map.Entry<String, Dataset.Input> e : d.inputs().entrySet()) {
            SampleArray a = e.getValue().values();
            if (a.type().isInteger()) {
                continue;
            }
            double[] v = new double[a.sampleElements()];
            for (int s = 0; s < a.count(); s++) {
                a.read(s, v, 0);
                for (int k = 0; k < v.length; k++) {
                    if (!Double.isFinite(v[k])) {
                        throw new DataException(d.name() + ": '" + e.getKey() + "', sample " + s + ", element " + k + " is "
                                + v[k] + "; inputs must be finite");
                    }
                }
            }
        }
    }

    /** Training and evaluation data must name the same classes in the same order. */
    public static void checkSameClasses(Dataset train, Dataset test) {
        for (Map.Entry<String, Dataset.Target> e : train.targets().entrySet()) {
            Dataset.Target t = test.targets().get(e.getKey());
            List<String> a = e.getValue().classNames();
            List<String> b = t == null ? null : t.classNames();
            if (a != null && b != null && !a.equals(b)) {
                throw new DataException(test.name() + ": its classes of '" + e.getKey() + "' (" + abbreviated(b)
                        + ") differ from the training data's (" + abbreviated(a) + ")");
            }
        }
    }

    static String abbreviated(List<String> names) {
        return names.size() <= 12 ? String.join(", ", names) : String.join(", ", names.subList(0, 12)) + ", ...";
    }

    private static String names(List<TensorSpec> specs) {
        return String.join(", ", specs.stream().map(TensorSpec::toString).toList());
    }

    private static String targetNames(DataSchema s) {
        return String.join(", ", s.targets().stream().map(DataSchema.Target::toString).toList());
    }
}
