package dev.adnet.runtime.data;

import dev.adnet.runtime.TensorSpec;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A dataset from an {@code .npz} archive: an array per network input ({@code [n, ...shape]}) and per trained output
 * (class indices {@code [n]} or values {@code [n, ...shape]}). The archive may declare an input's normalisation with
 * {@code NAME_mean} and {@code NAME_std} (one value, or one per channel or feature; unsigned-byte arrays are divided
 * by 255 first) and an output's class names with {@code NAME_classes} (strings).
 */
final class NpzDataset {
    private NpzDataset() {}

    static Dataset open(Path file, DataSchema schema) {
        Map<String, NumpyFiles.NpzArray> arrays = NumpyFiles.readNpz(file);
        Dataset.Builder b = Dataset.builder(file.toString());
        for (Map.Entry<String, NumpyFiles.NpzArray> e : arrays.entrySet()) {
            String name = e.getKey();
            NumpyFiles.NpzArray a = e.getValue();
            if (isAnnotation(name, schema)) {
                continue;
            }
            if (a.numbers() == null) {
                throw new DataException(file + ": array '" + name + "' holds strings; only '<output>_classes' may");
            }
            TensorSpec in = schema.input(name);
            DataSchema.Target out = schema.target(name);
            if (in == null && out == null) {
                throw new DataException(file + ": array '" + name + "' is neither an input nor an output of network '"
                        + schema.network() + "' (its inputs: " + String.join(", ", schema.inputs().stream().map(TensorSpec::toString)
                        .toList()) + "; outputs: " + String.join(", ", schema.targets().stream().map(DataSchema.Target::toString)
                        .toList()) + ")");
            }
            if (in != null) {
                b.input(name, a.numbers(), declared(file, name, a.numbers(), arrays));
            } else if (out != null && out.kind() == DataSchema.Kind.CLASSES && a.numbers().type().isInteger()
                    && a.numbers().sampleElements() == 1) {
                NumpyFiles.NpzArray names = arrays.get(name + "_classes");
                b.classes(name, a.numbers(), names == null ? null : strings(file, name + "_classes", names));
            } else {
                b.values(name, a.numbers());
            }
        }
        return b.build();
    }

    private static boolean isAnnotation(String name, DataSchema schema) {
        for (String suffix : List.of("_mean", "_std")) {
            if (name.endsWith(suffix) && schema.input(name.substring(0, name.length() - suffix.length())) != null) {
                return true;
            }
        }
        return name.endsWith("_classes") && schema.target(name.substring(0, name.length() - 8)) != null;
    }

    private static List<String> strings(Path file, String name, NumpyFiles.NpzArray a) {
        if (a.strings() == null) {
            throw new DataException(file + ": array '" + name + "' must hold strings (class names), it holds "
                    + a.numbers().type().code() + " numbers");
        }
        return a.strings();
    }

    private static Normalisation declared(Path file, String input, SampleArray values, Map<String, NumpyFiles.NpzArray> arrays) {
        NumpyFiles.NpzArray mean = arrays.get(input + "_mean");
        NumpyFiles.NpzArray std = arrays.get(input + "_std");
        if (mean == null && std == null) {
            return null;
        }
        if (mean == null || std == null || mean.numbers() == null || std.numbers() == null) {
            throw new DataException(file + ": declare both '" + input + "_mean' and '" + input + "_std' as numbers, or neither");
        }
        double[] m = all(mean.numbers());
        double[] s = all(std.numbers());
        int[] gb = Normalisation.groupsAndBlock(values.sampleShape());
        if (m.length != s.length || (m.length != 1 && m.length != gb[0])) {
            throw new DataException(file + ": '" + input + "_mean' and '" + input + "_std' need 1 or " + gb[0]
                    + " values (per " + (values.sampleShape().length == 3 ? "channel" : "feature") + " of "
                    + Arrays.toString(values.sampleShape()) + "), they have " + m.length + " and " + s.length);
        }
        try {
            return new Normalisation(values.type().divisor(), m, s, m.length == 1 ? Integer.MAX_VALUE : gb[1]);
        } catch (IllegalArgumentException e) {
            throw new DataException(file + ": '" + input + "_std': " + e.getMessage(), e);
        }
    }

    private static double[] all(BufferArray a) {
        double[] v = new double[a.count() * a.sampleElements()];
        for (int i = 0; i < v.length; i++) {
            v[i] = a.get(i);
        }
        return v;
    }
}
