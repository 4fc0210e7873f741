package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.data.NpzWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --data}, {@code --test} and {@code --holdout} with .npz, .csv and image folders, and what goes wrong with them. */
class DataCommandsTest {
    static final String VECTOR = """
            network Points {
              input x: [4]
              output y: [3]
              y = x -> dense(16) -> relu -> dense(3)
              train {
                loss cross_entropy(y)
                optimizer adam(lr = 1e-2)
                batch 32
                epochs 3
                seed 3
              }
            }
            """;

    @TempDir
    static Path dir;

    static Path net;
    static Path data;
    static Path run;
    static Run trained;

    /** Three well separated clusters in 4 dimensions, far from the origin (so normalisation matters). */
    static NpzWriter points(int n, long seed, boolean names) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int k = 0; k < 4; k++) {
                x[i * 4 + k] = (float) (100 + 10 * (k == y[i] ? 1 : 0) + r.nextGaussian());
            }
        }
        NpzWriter w = new NpzWriter().add("x", x, n, 4).add("y", y, n);
        return names ? w.add("y_classes", List.of("red", "green", "blue")) : w;
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        net = Files.writeString(dir.resolve("points.adnet"), VECTOR, StandardCharsets.UTF_8);
        data = dir.resolve("points.npz");
        points(600, 1, true).write(data, false);
        run = dir.resolve("run");
        trained = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
    }

    @Test
    void trainOnNpzHoldsOutAPartAndRecordsNormalisationAndClassNames() {
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        assertThat(trained.out()).contains("data: " + data + " (600 samples)")
                .contains("held out: 60 of the training samples (10%, no --test given), evaluated on each epoch")
                .contains("3 epochs of 540 samples");
        assertThat(trained.out()).containsPattern("final: epoch 3: .*test accuracy (9\\d|100)\\.\\d\\d%");
        Checkpoint c = Checkpoints.read(run.resolve("last.ckpt"));
        assertThat(c.data().classNames().get("y")).containsExactly("red", "green", "blue");
        assertThat(c.data().normalisation().get("x").mean()[0]).isBetween(100.0, 110.0);
    }

    @Test
    void evalAndPredictUseTheCheckpointsNormalisationAndNames() throws IOException {
        Path test = dir.resolve("test.npz");
        points(90, 2, true).write(test, true);
        Run e = Cli.run("eval", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--test", test.toString());
        assertThat(e.exit()).as("%s", e).isEqualTo(Main.OK);
        assertThat(e.out()).contains("data: " + test + " (90 samples)").containsPattern("test accuracy (0\\.9\\d|1\\.0)")
                .contains("  red ").contains("  blue ");
        Path x = dir.resolve("x.npz");
        new NpzWriter().add("x", new float[] {110, 100, 100, 100, 100, 100, 110, 100}, 2, 4).write(x, false);
        Run p = Cli.run("predict", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input", x.toString(),
                "--format", "csv");
        assertThat(p.exit()).as("%s", p).isEqualTo(Main.OK);
        assertThat(p.out()).startsWith("index,class,name,probability\n0,0,red,").contains("\n1,2,blue,");
        Run j = Cli.run("predict", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input", x.toString(),
                "--format", "json");
        assertThat(j.out()).startsWith("[\n  {\"index\": 0, \"top\": [{\"class\": 0, \"name\": \"red\", \"probability\": ")
                .endsWith("]\n");
        Path csv = Files.writeString(dir.resolve("x.csv"), "a,b,c,d\n110,100,100,100\n");
        Run t = Cli.run("predict", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input", csv.toString());
        assertThat(t.out()).startsWith("0: 0 red p=");
    }

    @Test
    void csvTrainingAndTestDataWithDifferentClassesIsAnError() throws IOException {
        Path train = Files.writeString(dir.resolve("train.csv"), "a,b,c,d,y\n1,2,3,4,cat\n2,3,4,5,dog\n3,4,5,6,emu\n1,1,1,1,cat\n");
        Path test = Files.writeString(dir.resolve("test.csv"), "a,b,c,d,y\n1,2,3,4,cat\n2,3,4,5,dog\n3,4,5,6,fox\n");
        Path out = dir.resolve("csv-run");
        Run r = Cli.run("train", net.toString(), "--data", train.toString(), "--test", test.toString(), "--progress", "none",
                "--out", out.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).isEqualTo("adnet: " + test + ": its classes of 'y' (cat, dog, fox) differ from the training data's "
                + "(cat, dog, emu)\n");
        assertThat(out).doesNotExist();
        Run ok = Cli.run("train", net.toString(), "--data", train.toString(), "--test", train.toString(), "--progress", "none",
                "--out", out.toString());
        assertThat(ok.exit()).as("%s", ok).isEqualTo(Main.OK);
        assertThat(ok.out()).contains("3 epochs of 4 samples").doesNotContain("held out");
        Run zero = Cli.run("train", net.toString(), "--data", train.toString(), "--test", train.toString(), "--holdout", "0",
                "--progress", "none", "--out", dir.resolve("csv-run-0").toString());
        assertThat(zero.exit()).as("%s", zero).isEqualTo(Main.OK);
        assertThat(zero.out()).contains("3 epochs of 4 samples").doesNotContain("held out");
        Run none = Cli.run("train", net.toString(), "--data", train.toString(), "--holdout", "0", "--progress", "none",
                "--out", dir.resolve("csv-run-none").toString());
        assertThat(none.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(none.err()).contains("--holdout 0 must leave at least one sample on each side");
    }

    @Test
    void badDataIsOneNamedErrorAndNothingIsWritten() throws IOException {
        Path nan = dir.resolve("nan.npz");
        new NpzWriter().add("x", new float[] {1, 2, 3, Float.POSITIVE_INFINITY, 1, 2, 3, 4}, 2, 4).add("y", new int[] {0, 1}, 2)
                .write(nan, false);
        Path range = dir.resolve("range.npz");
        new NpzWriter().add("x", new float[8], 2, 4).add("y", new int[] {0, 3}, 2).write(range, false);
        Path missing = dir.resolve("missing.npz");
        new NpzWriter().add("x", new float[8], 2, 4).write(missing, false);
        Path ragged = Files.writeString(dir.resolve("ragged.csv"), "a,b,c,d,y\n1,2,3,4,0\n1,2,3,1\n");
        for (Object[] c : new Object[][] {
                {nan, nan + ": 'x', sample 0, element 3 is Infinity; inputs must be finite"},
                {range, range + ": 'y', sample 1: class index 3 is outside [0, 3) (output 'y' has 3 classes)"},
                {missing, missing + ": no array for output 'y' (class indices for its loss)"},
                {ragged, ragged + ": row 3 has 4 fields, the header 5"},
                {dir.resolve("nowhere.npz"), dir.resolve("nowhere.npz") + ": file not found"}}) {
            Path out = dir.resolve("bad-run");
            Run r = Cli.run("train", net.toString(), "--data", c[0].toString(), "--test", c[0].toString(), "--progress", "none",
                    "--out", out.toString());
            assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
            assertThat(r.err()).isEqualTo("adnet: " + c[1] + "\n");
            assertThat(out).doesNotExist();
        }
    }

    @Test
    void imageFolders() throws IOException {
        Path net = Files.writeString(dir.resolve("tiny.adnet"), """
                network Tiny {
                  input image: [3, 8, 8]
                  output logits: [2]
                  logits = image -> conv(4, 3) -> relu -> global_avg_pool -> dense(2)
                  train {
                    loss cross_entropy(logits)
                    optimizer adam(lr = 1e-2)
                    batch 4
                    epochs 1
                  }
                }
                """);
        Path root = dir.resolve("images");
        for (int i = 0; i < 6; i++) {
            image(root.resolve("light/" + i + ".png"), 0xf0f0f0 - i);
            image(root.resolve("dark/" + i + ".jpg"), 0x101010 + i);
        }
        Path out = dir.resolve("image-run");
        Run r = Cli.run("train", net.toString(), "--data", root.toString(), "--holdout", "0.25", "--progress", "none", "--out",
                out.toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.out()).contains("held out: 3 of the training samples (--holdout 0.25), evaluated on each epoch");
        assertThat(Checkpoints.read(out.resolve("last.ckpt")).data().classNames().get("logits")).containsExactly("dark", "light");
        Files.createDirectories(root.resolve("empty"));
        Run e = Cli.run("train", net.toString(), "--data", root.toString(), "--progress", "none", "--out", dir.resolve("x").toString());
        assertThat(e.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(e.err()).isEqualTo("adnet: " + root.resolve("empty") + ": empty class folder (no .png or .jpg images)\n");
    }

    private static void image(Path p, int rgb) throws IOException {
        Files.createDirectories(p.getParent());
        BufferedImage img = new BufferedImage(10, 9, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 10; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        ImageIO.write(img, p.toString().endsWith(".png") ? "png" : "jpg", p.toFile());
    }

    @Test
    void checkpointsSurviveCommentsAndLayoutButNotNewShapes() throws IOException {
        Path edited = Files.writeString(dir.resolve("edited.adnet"), "// the same network, commented and laid out anew\n"
                + VECTOR.replace("y = x -> dense(16) -> relu -> dense(3)", "y = x\n    -> dense(16)   // hidden\n    -> relu -> dense(3)"));
        Run e = Cli.run("eval", edited.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--data", data.toString());
        assertThat(e.exit()).as("%s", e).isEqualTo(Main.OK);
        Path wider = Files.writeString(dir.resolve("wider.adnet"), VECTOR.replace("dense(16)", "dense(20)"));
        Run w = Cli.run("eval", wider.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--data", data.toString());
        assertThat(w.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(w.err()).contains("(3 problems)").contains("wrong shape for parameter ");
    }

    @Test
    void fashionMnistExportedToNpzTrainsBitIdentically() throws IOException {
        Path net = Files.writeString(dir.resolve("small.adnet"), TrainEvalPredictTest.SMALL);
        FashionMnist.Source source = FashionMnist.locate(null);
        Path train = dir.resolve("fashion-train.npz");
        Path test = dir.resolve("fashion-test.npz");
        export(source.train().limit(256), train);
        export(source.test().limit(128), test);
        Run idx = Cli.run("train", net.toString(), "--limit", "256", "--test-limit", "128", "--progress", "none", "--out",
                dir.resolve("fm-idx").toString());
        Run npz = Cli.run("train", net.toString(), "--data", train.toString(), "--test", test.toString(), "--progress", "none",
                "--out", dir.resolve("fm-npz").toString());
        assertThat(idx.exit()).as("%s", idx).isEqualTo(Main.OK);
        assertThat(npz.exit()).as("%s", npz).isEqualTo(Main.OK);
        Checkpoint a = Checkpoints.read(dir.resolve("fm-idx/last.ckpt"));
        Checkpoint b = Checkpoints.read(dir.resolve("fm-npz/last.ckpt"));
        assertThat(b.parameters().keySet()).containsExactlyElementsOf(a.parameters().keySet());
        a.parameters().forEach((name, v) -> assertThat(b.parameters().get(name)).as(name).isEqualTo(v));
        assertThat(npz.out().lines().filter(l -> l.startsWith("final:")).toList())
                .isEqualTo(idx.out().lines().filter(l -> l.startsWith("final:")).toList());
    }

    /** Fashion-MNIST as unsigned bytes with its normalisation declared, so it is normalised exactly as the IDX path is. */
    private static void export(Dataset d, Path file) throws IOException {
        byte[] px = new byte[d.size() * 784];
        int[] labels = new int[d.size()];
        for (int i = 0; i < d.size(); i++) {
            for (int p = 0; p < 784; p++) {
                px[i * 784 + p] = (byte) d.pixel(i, p);
            }
            labels[i] = d.label(i);
        }
        new NpzWriter().addUnsigned("image", px, d.size(), 1, 28, 28).add("logits", labels, d.size())
                .add("image_mean", new double[] {0.2860}, 1).add("image_std", new double[] {0.3530}, 1)
                .add("logits_classes", FashionMnist.CLASS_NAMES).write(file, false);
    }
}
