package dev.adnet.samples;

import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.data.NpzWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Fashion-MNIST with three tasks derived from its labels, written as {@code .npz} for {@code adnet train --data}: the
 * image (unsigned bytes, with the usual normalisation declared) and one label array per task.
 * <ul>
 * <li>{@code category}: the 10 classes;
 * <li>{@code group}: 3 groups, tops {T-shirt/top, Pullover, Dress, Coat, Shirt}, footwear {Sandal, Sneaker, Ankle
 * boot}, trousers and bags {Trouser, Bag};
 * <li>{@code sleeves}: 2 ways, long sleeves {Pullover, Coat, Shirt} or not.
 * </ul>
 * Arguments: the output directory (writes {@code fashion-tasks-train.npz} and {@code fashion-tasks-test.npz}), and
 * optionally the Fashion-MNIST directory (default: the system copy, else the bundled subset).
 */
public final class FashionTasksData {
    /** The tasks, in the order their arrays are written. */
    public static final List<String> TASKS = List.of("category", "group", "sleeves");
    static final List<String> GROUPS = List.of("tops", "footwear", "trousers+bags");
    static final List<String> SLEEVES = List.of("short or none", "long");
    private static final int[] GROUP_OF = {0, 2, 0, 0, 0, 1, 0, 1, 2, 1};
    private static final boolean[] LONG_SLEEVES = {false, false, true, false, true, false, true, false, false, false};

    private FashionTasksData() {}

    /** The label of {@code task} for a Fashion-MNIST class. */
    public static int label(String task, int category) {
        return switch (task) {
            case "category" -> category;
            case "group" -> GROUP_OF[category];
            case "sleeves" -> LONG_SLEEVES[category] ? 1 : 0;
            default -> throw new IllegalArgumentException("unknown task '" + task + "'; the tasks are " + TASKS);
        };
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: FashionTasksData OUTPUT_DIRECTORY [FASHION_MNIST_DIRECTORY]");
            System.exit(2);
        }
        Path out = Path.of(args[0]);
        Files.createDirectories(out);
        FashionMnist.Source source = FashionMnist.locate(args.length > 1 ? Path.of(args[1]) : null);
        write(source.train(), out.resolve("fashion-tasks-train.npz"));
        write(source.test(), out.resolve("fashion-tasks-test.npz"));
        System.out.println(source.describe() + " -> " + out);
    }

    static void write(Dataset d, Path file) throws IOException {
        int n = d.size();
        int px = d.rows() * d.cols();
        byte[] pixels = new byte[n * px];
        int[][] labels = new int[TASKS.size()][n];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < px; p++) {
                pixels[i * px + p] = (byte) d.pixel(i, p);
            }
            for (int t = 0; t < TASKS.size(); t++) {
                labels[t][i] = label(TASKS.get(t), d.label(i));
            }
        }
        NpzWriter w = new NpzWriter().addUnsigned("image", pixels, n, 1, d.rows(), d.cols())
                .add("image_mean", new double[] {0.2860}, 1).add("image_std", new double[] {0.3530}, 1);
        for (int t = 0; t < TASKS.size(); t++) {
            w.add(TASKS.get(t), labels[t], n);
        }
        w.add("category_classes", FashionMnist.CLASS_NAMES).add("group_classes", GROUPS).add("sleeves_classes", SLEEVES);
        w.write(file, true);
    }
}
