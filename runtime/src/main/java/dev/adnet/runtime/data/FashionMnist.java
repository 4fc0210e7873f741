package dev.adnet.runtime.data;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds Fashion-MNIST (Xiao, Rasul and Vollgraf 2017; MIT licence, copyright 2017 Zalando SE): the user's
 * directory if one is given, else Debian's {@code dataset-fashion-mnist} package in
 * {@value #SYSTEM_DIRECTORY}, else a 6000/1000-sample subset shipped on the class path.
 */
public final class FashionMnist {
    public static final String SYSTEM_DIRECTORY = "/usr/share/datasets/fashion-mnist";
    public static final String RESOURCE_DIRECTORY = "/dev/adnet/runtime/data/fashion-mnist-subset/";
    public static final String TRAIN_IMAGES = "train-images-idx3-ubyte.gz";
    public static final String TRAIN_LABELS = "train-labels-idx1-ubyte.gz";
    public static final String TEST_IMAGES = "t10k-images-idx3-ubyte.gz";
    public static final String TEST_LABELS = "t10k-labels-idx1-ubyte.gz";
    public static final List<String> FILES = List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS);
    public static final int CLASSES = 10;
    public static final List<String> CLASS_NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
            "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private FashionMnist() {}

    public enum Kind {
        /** A directory the user named. */
        USER,
        /** Debian's dataset-fashion-mnist package. */
        SYSTEM,
        /** The subset shipped with adnet. */
        BUNDLED_SUBSET
    }

    /**
     * Where the data comes from.
     *
     * @param kind which source
     * @param directory the directory for USER and SYSTEM, null for the bundled subset
     */
    public record Source(Kind kind, Path directory) {
        /** A one-line description for the command line, for example "Fashion-MNIST from /usr/share/...". */
        public String describe() {
            return switch (kind) {
                case USER -> "Fashion-MNIST from " + directory;
                case SYSTEM -> "Fashion-MNIST from " + directory + " (Debian package dataset-fashion-mnist)";
                case BUNDLED_SUBSET -> "Fashion-MNIST subset bundled with adnet (6000 training, 1000 test samples)";
            };
        }

        public Dataset train() {
            return load(TRAIN_IMAGES, TRAIN_LABELS, "Fashion-MNIST train");
        }

        public Dataset test() {
            return load(TEST_IMAGES, TEST_LABELS, "Fashion-MNIST test");
        }

        private Dataset load(String images, String labels, String name) {
            if (kind == Kind.BUNDLED_SUBSET) {
                IdxReader.Images im;
                int[] lb;
                try (InputStream in = resource(images)) {
                    im = IdxReader.readImages("classpath:" + RESOURCE_DIRECTORY + images, in);
                } catch (IOException e) {
                    throw new DataException("classpath:" + RESOURCE_DIRECTORY + images + ": " + e.getMessage(), e);
                }
                try (InputStream in = resource(labels)) {
                    lb = IdxReader.readLabels("classpath:" + RESOURCE_DIRECTORY + labels, in);
                } catch (IOException e) {
                    throw new DataException("classpath:" + RESOURCE_DIRECTORY + labels + ": " + e.getMessage(), e);
                }
                return Dataset.of(name + " subset", im, labels, lb, CLASSES);
            }
            Path im = resolve(directory, images);
            Path lb = resolve(directory, labels);
            return Dataset.of(name + " (" + im + ")", IdxReader.readImages(im), lb.toString(), IdxReader.readLabels(lb),
                    CLASSES);
        }
    }

    /** Locates the data: {@code userDirectory} if not null (it must hold the four files), else the system copy, else the subset. */
    public static Source locate(Path userDirectory) {
        return locate(userDirectory, Path.of(SYSTEM_DIRECTORY));
    }

    /** As {@link #locate(Path)} with another system directory (for tests). */
    public static Source locate(Path userDirectory, Path systemDirectory) {
        if (userDirectory != null) {
            if (!Files.isDirectory(userDirectory)) {
                throw new DataException(userDirectory + ": Fashion-MNIST directory not found");
            }
            List<String> missing = missing(userDirectory);
            if (!missing.isEmpty()) {
                throw new DataException(userDirectory + ": Fashion-MNIST directory lacks " + String.join(", ", missing)
                        + " (gzipped or not)");
            }
            return new Source(Kind.USER, userDirectory);
        }
        if (systemDirectory != null && Files.isDirectory(systemDirectory) && missing(systemDirectory).isEmpty()) {
            return new Source(Kind.SYSTEM, systemDirectory);
        }
        return new Source(Kind.BUNDLED_SUBSET, null);
    }

    private static List<String> missing(Path dir) {
        List<String> m = new ArrayList<>();
        for (String f : FILES) {
            if (resolve(dir, f) == null) {
                m.add(f);
            }
        }
        return m;
    }

    /** The file, gzipped or not, or null. */
    private static Path resolve(Path dir, String gzName) {
        Path gz = dir.resolve(gzName);
        if (Files.isRegularFile(gz)) {
            return gz;
        }
        Path plain = dir.resolve(gzName.substring(0, gzName.length() - 3));
        return Files.isRegularFile(plain) ? plain : null;
    }

    private static InputStream resource(String file) {
        InputStream in = FashionMnist.class.getResourceAsStream(RESOURCE_DIRECTORY + file);
        if (in == null) {
            throw new DataException("classpath:" + RESOURCE_DIRECTORY + file + ": bundled Fashion-MNIST subset not found");
        }
        return in;
    }

    /**
     * Builds the bundled subset: {@code perClassTrain} samples of each class from the start of the training set
     * and {@code perClassTest} of each from the start of the test set, in their original order, gzipped IDX.
     * Arguments: source directory, destination directory (defaults 600 and 100 per class).
     */
    public static void main(String[] args) throws IOException {
        Path src = Path.of(args[0]);
        Path dst = Path.of(args[1]);
        Files.createDirectories(dst);
        Source s = locate(src);
        writeSubset(s.train(), 600, dst.resolve(TRAIN_IMAGES), dst.resolve(TRAIN_LABELS));
        writeSubset(s.test(), 100, dst.resolve(TEST_IMAGES), dst.resolve(TEST_LABELS));
    }

    private static void writeSubset(Dataset d, int perClass, Path images, Path labels) throws IOException {
        int px = d.rows() * d.cols();
        int[] taken = new int[d.classes()];
        int total = perClass * d.classes();
        byte[] pixels = new byte[total * px];
        int[] lb = new int[total];
        int n = 0;
        for (int i = 0; i < d.size() && n < total; i++) {
            int c = d.label(i);
            if (taken[c] < perClass) {
                taken[c]++;
                for (int p = 0; p < px; p++) {
                    pixels[n * px + p] = (byte) d.pixel(i, p);
                }
                lb[n++] = c;
            }
        }
        if (n < total) {
            throw new DataException(d.name() + ": not enough samples for " + perClass + " per class");
        }
        IdxWriter.writeImages(images, new IdxReader.Images(n, d.rows(), d.cols(), pixels), true);
        IdxWriter.writeLabels(labels, lb, true);
    }
}
