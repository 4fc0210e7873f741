package dev.adnet.compiler.cli;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.BufferArray;
import dev.adnet.runtime.data.DataLoader;
import dev.adnet.runtime.data.DataSchema;
import dev.adnet.runtime.data.DataSources;
import dev.adnet.runtime.data.DataSpec;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.ImageDecoding;
import dev.adnet.runtime.data.NumpyFiles;
import dev.adnet.runtime.data.SampleArray;
import dev.adnet.runtime.data.IdxReader;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.nd4j.linalg.api.ndarray.INDArray;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adnet predict}: classifies samples with a trained checkpoint: the inputs of an {@code .npz}, {@code .npy} or
 * {@code .csv} file, the images of an IDX file (gzipped or not) or one PNG or JPEG image. Inputs are normalised as
 * the checkpoint's training data was, and classes are named as it named them.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Classify "
        + "samples (an .npz, .npy or .csv file, an IDX image file, or a PNG or JPEG image) with a checkpoint.")
final class PredictCommand implements Callable<Integer> {
    private static final int CHUNK = 256;

    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = {"--input", "--data"}, required = true, paramLabel = "PATH", description = "what to classify: an .npz (arrays "
            + "named after the inputs), .npy (the single input) or .csv file (feature columns), an IDX image file, or a PNG or JPEG image")
    Path input;

    @Option(names = "--format", paramLabel = "F", defaultValue = "text", description = "text, csv or json (default ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "print the K most probable classes (default ${DEFAULT-VALUE})")
    int top;

    @Option(names = "--tasks", paramLabel = "T[,T...]", split = ",", description = "classify for these tasks of a "
            + "multi-task network (what they share computed once, nothing no chosen task needs); default: the first output")
    List<String> tasks;

    @Spec
    CommandSpec spec;

    /** Images as unsigned bytes, row-major, one after another. */
    record Images(int count, int rows, int cols, byte[] pixels) {}

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        if (top < 1) {
            err.println("adnet: --top must be at least 1");
            return Main.USAGE;
        }
        if (!List.of("text", "csv", "json").contains(format)) {
            err.println("adnet: --format must be text, csv or json");
            return Main.USAGE;
        }
        if (!Files.isRegularFile(input)) {
            err.println("adnet: " + input + (Files.exists(input) ? ": not a file" : ": input file not found"));
            return Main.DIAGNOSTICS;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, Long.MIN_VALUE, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        Network net = loaded.network();
        List<TensorSpec> outs = net.outputs();
        if (outs.get(0).shape().length != 1) {
            err.println("adnet: predict needs a first output of class scores [classes]; network '" + net.name() + "' has outputs " + outs);
            return Main.DIAGNOSTICS;
        }
        if (tasks != null) {
            String wrong = taskError(net);
            if (wrong != null) {
                err.println("adnet: " + wrong);
                return Main.DIAGNOSTICS;
            }
            try {
                DataSpec dataSpec = DataSelection.spec(Checkpoints.load(checkpoint, net, null), loaded);
                predictTasks(net, DataSelection.prepared(samples(loaded), dataSpec), dataSpec, out);
                return Main.OK;
            } catch (DataException | CheckpointException e) {
                err.println("adnet: " + e.getMessage());
                return Main.DIAGNOSTICS;
            }
        }
        int classes = (int) outs.get(0).shape()[0];
        try {
            DataSpec dataSpec = DataSelection.spec(Checkpoints.load(checkpoint, net, null), loaded);
            Dataset samples = DataSelection.prepared(samples(loaded), dataSpec);
            int k = Math.min(top, classes);
            String outputName = outs.get(0).name();
            List<String> names = dataSpec.classNames(outputName, classes);
            List<UnitEvaluation> units = UnitEvaluation.of(net);
            List<String> solverWork = FixedPointEvaluation.traceFormats(loaded.compiled().graph());
            LoopEvaluation loops = LoopEvaluation.of(loaded);
            boolean traced = !units.isEmpty() || !solverWork.isEmpty() || loops != null;
            PredictionPrinter printer = new PredictionPrinter(format, out, k, names);
            int from = 0;
            for (dev.adnet.runtime.train.Batch b : DataLoader.builder(samples).batchSize(CHUNK).build().epoch(0)) {
                Map<String, INDArray> x = new java.util.LinkedHashMap<>();
                b.inputs().forEach((name, a) -> x.put(name, a.castTo(net.dataType())));
                dev.adnet.runtime.Prediction prediction = traced ? net.predict(x) : null;
                INDArray scores = traced ? prediction.outputs().get(outputName) : net.forward(x).get(outputName);
                for (int i = 0; i < b.size(); i++) {
                    printer.print(from + i, softmax(scores, i, classes), traced ? trace(net, units, solverWork, loops, prediction, i) : "");
                }
                from += (int) b.size();
            }
            printer.finish();
            out.flush();
            return Main.OK;
        } catch (DataException | CheckpointException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
    }

    /** What is wrong with {@code --tasks} for {@code net}; null when nothing is. */
    private String taskError(Network net) {
        if (net.tasks().isEmpty()) {
            return "--tasks: network '" + net.name() + "' has no tasks";
        }
        for (String t : tasks) {
            if (!net.tasks().contains(t)) {
                return "--tasks: network '" + net.name() + "' has no task '" + t + "'; its tasks are " + String.join(", ", net.tasks());
            }
            if (net.outputs().stream().anyMatch(o -> o.name().equals(t) && o.shape().length != 1)) {
                return "--tasks: task '" + t + "' is not a classification (its output is not [classes])";
            }
        }
        return null;
    }

    /** Each sample's classes for each chosen task, one inference of the chosen tasks per chunk of samples. */
    private void predictTasks(Network net, Dataset samples, DataSpec dataSpec, PrintWriter out) {
        java.util.Set<String> chosen = new java.util.LinkedHashSet<>(tasks);
        List<String> order = net.chosenTasks(chosen);
        Map<String, Integer> classes = new java.util.HashMap<>();
        Map<String, PredictionPrinter> printers = new java.util.LinkedHashMap<>();
        for (String t : order) {
            classes.put(t, (int) net.outputs().stream().filter(o -> o.name().equals(t)).findFirst().orElseThrow().shape()[0]);
        }
        int widest = classes.values().stream().mapToInt(c -> Math.min(top, c)).max().orElseThrow();
        PredictionPrinter.Rows rows = new PredictionPrinter.Rows(format, out, widest, true);
        for (String t : order) {
            int c = classes.get(t);
            printers.put(t, new PredictionPrinter(format, out, Math.min(top, c), dataSpec.classNames(t, c), t, rows));
        }
        int from = 0;
        for (dev.adnet.runtime.train.Batch b : DataLoader.builder(samples).batchSize(CHUNK).build().epoch(0)) {
            Map<String, INDArray> x = new java.util.LinkedHashMap<>();
            b.inputs().forEach((name, a) -> x.put(name, a.castTo(net.dataType())));
            Map<String, INDArray> scores = net.forward(x, chosen);
            for (int i = 0; i < b.size(); i++) {
                for (String t : order) {
                    printers.get(t).print(from + i, softmax(scores.get(t), i, classes.get(t)), "");
                }
            }
            from += (int) b.size();
        }
        rows.finish();
        out.flush();
    }

    /** The samples to classify, matched to the network's inputs (labels, if the file has them, are ignored). */
    private Dataset samples(LoadedNetwork loaded) {
        String name = input.getFileName().toString().toLowerCase(Locale.ROOT);
        DataSchema schema = DataSelection.schema(loaded);
        if (name.endsWith(".npz") || name.endsWith(".csv")) {
            return DataSources.open(input, schema, DataSources.Part.TEST, false);
        }
        List<TensorSpec> ins = loaded.network().inputs();
        if (name.endsWith(".npy")) {
            SampleArray a = NumpyFiles.readNpy(input);
            return DataSources.match(Dataset.builder(input.toString()).positional().input("array", a).build(), schema, false);
        }
        if (ins.size() != 1 || ins.get(0).shape().length != 3 || ins.get(0).shape()[0] != 1) {
            throw new DataException(input + ": images need a network with one image input [1, rows, cols]; network '"
                    + loaded.network().name() + "' has inputs " + ins);
        }
        int rows = (int) ins.get(0).shape()[1];
        int cols = (int) ins.get(0).shape()[2];
        Images images = read(input);
        if (images.rows() != rows || images.cols() != cols) {
            throw new DataException(input + ": the images are " + images.cols() + "x" + images.rows() + " pixels (width x height), but network '"
                    + loaded.network().name() + "' takes " + cols + "x" + rows + " (input " + Arrays.toString(ins.get(0).shape())
                    + "); resize them first");
        }
        Dataset d = Dataset.builder(input.toString()).positional().input("image",
                BufferArray.ofUnsigned(images.pixels(), images.count(), 1, rows, cols)).build();
        return DataSources.match(d, schema, false);
    }

    /** {@code index: class name p=probability} for the {@code k} most probable classes, most probable first. */
    static String line(int index, double[] p, int k, List<String> names) {
        Integer[] order = new Integer[p.length];
        for (int c = 0; c < p.length; c++) {
            order[c] = c;
        }
        // stable: equal probabilities keep the lower class index first
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        List<String> parts = new ArrayList<>();
        for (int j = 0; j < k; j++) {
            int c = order[j];
            parts.add(String.format(Locale.ROOT, "%d %s p=%.4f", c, names == null ? "class " + c : names.get(c), p[c]));
        }
        return index + ": " + String.join("; ", parts);
    }

    /**
     * What an adaptive network spent on image {@code i}: where it left (with exits), which gated blocks ran (with
     * gates), the passes of each loop, and its FLOPs, e.g. {@code  [exit early; gates 1 3 ran; 22,231,144 FLOPs]}.
     */
    static String trace(Network net, List<UnitEvaluation> units, List<String> solverWork, LoopEvaluation loops,
            dev.adnet.runtime.Prediction p, int i) {
        List<String> parts = new ArrayList<>();
        for (UnitEvaluation u : units) {
            parts.add(u.trace(net, p, i));
        }
        for (int k = 0; k < Math.min(solverWork.size(), p.iterations()[i].length); k++) {
            parts.add(String.format(Locale.ROOT, solverWork.get(k), p.iterations()[i][k]));
        }
        if (loops != null) {
            parts.add(loops.trace(p, i));
        }
        parts.add(String.format(Locale.ROOT, "%,d FLOPs", p.flops()[i]));
        return "  [" + String.join("; ", parts) + "]";
    }

    /** The softmax of row {@code i} of {@code scores}, in double precision. */
    static double[] softmax(INDArray scores, int i, int classes) {
        double[] p = new double[classes];
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            p[c] = scores.getDouble(i, c);
            max = Math.max(max, p[c]);
        }
        double sum = 0;
        for (int c = 0; c < classes; c++) {
            p[c] = Math.exp(p[c] - max);
            sum += p[c];
        }
        for (int c = 0; c < classes; c++) {
            p[c] /= sum;
        }
        return p;
    }

    /** An IDX image file (gzipped or not) or, by content, an image javax.imageio decodes (PNG, JPEG). */
    static Images read(Path path) {
        byte[] head = new byte[2];
        int got;
        try (InputStream in = Files.newInputStream(path)) {
            got = in.readNBytes(head, 0, 2);
        } catch (NoSuchFileException e) {
            throw new DataException(path + ": input file not found");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read: " + e.getMessage(), e);
        }
        boolean gzip = got == 2 && (head[0] & 0xff) == 0x1f && (head[1] & 0xff) == 0x8b;
        boolean idx = got == 2 && head[0] == 0 && head[1] == 0;
        if (gzip || idx || got < 2) {
            IdxReader.Images im = IdxReader.readImages(path);
            return new Images(im.count(), im.rows(), im.cols(), im.pixels());
        }
        BufferedImage img;
        try {
            img = ImageIO.read(path.toFile());
        } catch (IOException | RuntimeException e) {
            throw new DataException(path + ": cannot decode the image: " + e.getMessage(), e);
        }
        if (img == null) {
            throw new DataException(path + ": not an IDX image file, a PNG or a JPEG image");
        }
        double[] levels = ImageDecoding.channels(img, 1);
        byte[] px = new byte[levels.length];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) levels[i];
        }
        return new Images(1, img.getHeight(), img.getWidth(), px);
    }
}
