package dev.adnet.compiler.cli;

import dev.adnet.runtime.Network;
import dev.adnet.runtime.TensorSpec;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.DataException;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.data.IdxReader;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
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
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code adnet predict}: classifies images with a trained checkpoint. The input is an IDX image file (gzipped or
 * not, any number of images) or one PNG or JPEG image; pixels are normalised exactly as training normalises them
 * ({@link Dataset#normalise}).
 */
@Command(name = "predict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class, description = "Classify images (an IDX image file, gzipped or not, or a PNG or JPEG image) with a checkpoint.")
final class PredictCommand implements Callable<Integer> {
    private static final int CHUNK = 256;

    @Parameters(index = "0", paramLabel = "FILE", description = "the .adnet file the checkpoint was trained from")
    Path file;

    @Option(names = "--checkpoint", required = true, paramLabel = "C", description = "a checkpoint written by adnet train")
    Path checkpoint;

    @Option(names = "--input", required = true, paramLabel = "PATH", description = "an IDX image file, or a PNG or JPEG image")
    Path input;

    @Option(names = "--network", paramLabel = "NAME", description = "which network, when the file declares several")
    String networkName;

    @Option(names = "--top", paramLabel = "K", defaultValue = "1", description = "print the K most probable classes (default ${DEFAULT-VALUE})")
    int top;

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
        if (!Files.isRegularFile(input)) {
            err.println("adnet: " + input + (Files.exists(input) ? ": not a file" : ": input file not found"));
            return Main.DIAGNOSTICS;
        }
        LoadedNetwork loaded = LoadedNetwork.load(file, networkName, Long.MIN_VALUE, err);
        if (loaded == null) {
            return Main.DIAGNOSTICS;
        }
        Network net = loaded.network();
        List<TensorSpec> ins = net.inputs();
        List<TensorSpec> outs = net.outputs();
        if (ins.size() != 1 || ins.get(0).shape().length != 3 || ins.get(0).shape()[0] != 1
                || outs.size() != 1 || outs.get(0).shape().length != 1) {
            err.println("adnet: predict needs a network with one image input [1, rows, cols] and one output of class scores"
                    + " [classes]; network '" + net.name() + "' has inputs " + ins + " and outputs " + outs);
            return Main.DIAGNOSTICS;
        }
        int rows = (int) ins.get(0).shape()[1];
        int cols = (int) ins.get(0).shape()[2];
        int classes = (int) outs.get(0).shape()[0];
        try {
            Checkpoints.load(checkpoint, net, null);
            Images images = read(input);
            if (images.rows() != rows || images.cols() != cols) {
                throw new DataException(input + ": the images are " + images.cols() + "x" + images.rows() + " pixels (width x height), but network '"
                        + net.name() + "' takes " + cols + "x" + rows + " (input " + Arrays.toString(ins.get(0).shape())
                        + "); resize them first");
            }
            int k = Math.min(top, classes);
            List<String> names = classes == FashionMnist.CLASSES ? FashionMnist.CLASS_NAMES : null;
            List<UnitEvaluation> units = UnitEvaluation.of(net);
            String inputName = ins.get(0).name();
            String outputName = outs.get(0).name();
            int px = rows * cols;
            for (int from = 0; from < images.count(); from += CHUNK) {
                int n = Math.min(CHUNK, images.count() - from);
                float[] xs = new float[n * px];
                for (int i = 0; i < n * px; i++) {
                    xs[i] = Dataset.normalise(images.pixels()[from * px + i] & 0xff);
                }
                INDArray x = Nd4j.create(xs, new long[] {n, 1, rows, cols}, 'c').castTo(net.dataType());
                boolean traced = !units.isEmpty();
                dev.adnet.runtime.Prediction prediction = traced ? net.predict(Map.of(inputName, x)) : null;
                INDArray scores = traced ? prediction.outputs().get(outputName) : net.forward(Map.of(inputName, x)).get(outputName);
                for (int i = 0; i < n; i++) {
                    out.println(line(from + i, softmax(scores, i, classes), k, names)
                            + (traced ? trace(net, units, prediction, i) : ""));
                }
            }
            out.flush();
            return Main.OK;
        } catch (DataException | CheckpointException e) {
            err.println("adnet: " + e.getMessage());
            return Main.DIAGNOSTICS;
        }
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
     * gates), and its FLOPs, e.g. {@code  [exit early; gates 1 3 ran; 22,231,144 FLOPs]}.
     */
    static String trace(Network net, List<UnitEvaluation> units, dev.adnet.runtime.Prediction p, int i) {
        List<String> parts = new ArrayList<>();
        for (UnitEvaluation u : units) {
            parts.add(u.trace(net, p, i));
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
        return new Images(1, img.getHeight(), img.getWidth(), gray(img));
    }

    /**
     * The image as 8-bit grey levels. Grey images keep their stored levels (no colour-space conversion); colour
     * images become {@code 0.299 R + 0.587 G + 0.114 B} (ITU-R BT.601). Transparency is composited over black, the
     * background of Fashion-MNIST.
     */
    static byte[] gray(BufferedImage img) {
        int w = img.getWidth();
        int h = img.getHeight();
        byte[] px = new byte[w * h];
        ColorModel cm = img.getColorModel();
        Raster r = img.getRaster();
        boolean gray = cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY && !(cm instanceof IndexColorModel)
                && r.getNumBands() == cm.getNumComponents();
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                double v;
                double alpha;
                if (gray) {
                    v = scale(r.getSample(x, y, 0), cm.getComponentSize(0));
                    alpha = cm.hasAlpha() ? scale(r.getSample(x, y, 1), cm.getComponentSize(1)) / 255.0 : 1.0;
                } else {
                    int argb = img.getRGB(x, y);
                    v = 0.299 * (argb >> 16 & 0xff) + 0.587 * (argb >> 8 & 0xff) + 0.114 * (argb & 0xff);
                    alpha = (argb >>> 24) / 255.0;
                }
                px[y * w + x] = (byte) Math.min(255, Math.round(v * alpha));
            }
        }
        return px;
    }

    private static double scale(int sample, int bits) {
        return bits == 8 ? sample : sample * 255.0 / ((1 << bits) - 1);
    }
}
