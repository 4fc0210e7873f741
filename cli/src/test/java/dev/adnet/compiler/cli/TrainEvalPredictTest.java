package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.checkpoint.CheckpointException;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.data.Dataset;
import dev.adnet.runtime.data.FashionMnist;
import dev.adnet.runtime.data.IdxReader;
import dev.adnet.runtime.data.IdxWriter;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code adnet train}, {@code eval} and {@code predict} end to end, in-process: a small network is trained once on
 * 512 images, then evaluated, applied to images the test writes, and fed corrupt and foreign checkpoints. Every
 * failure must be one {@code adnet: ...} line with exit 1 (2 for usage), never a stack trace.
 */
class TrainEvalPredictTest {
    static final String SMALL = """
            network Small {
              input image: [1, 28, 28]
              output logits: [10]
              logits = image -> conv(8, 3) -> batchnorm -> relu -> max_pool(2) -> flatten -> dense(10)
              train {
                loss cross_entropy(logits)
                optimizer adam(lr = 1e-3)
                batch 64
                epochs 1
                seed 7
              }
            }
            """;

    static final String OTHER = """
            network Other {
              input image: [1, 28, 28]
              output logits: [10]
              logits = image -> flatten -> dense(10)
              train {
                loss cross_entropy(logits)
                optimizer sgd(lr = 0.01)
              }
            }
            """;

    @TempDir
    static Path dir;

    static Path small;
    static Path run;
    static Run trained;

    @BeforeAll
    static void trainOnce() throws IOException {
        small = write("small.adnet", SMALL);
        run = dir.resolve("run");
        trained = Cli.run("train", small.toString(), "--limit", "512", "--test-limit", "200", "--epochs", "2",
                "--progress", "none", "--out", run.toString());
    }

    static Path write(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    @Test
    void trainWritesMetricsAndCheckpointsAndLearns() throws IOException {
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        assertThat(trained.err()).isEmpty();
        assertThat(trained.out()).containsPattern("(?m)^final: epoch 2: train loss \\d+\\.\\d{4}, train accuracy \\d+\\.\\d{2}%, test accuracy \\d+\\.\\d{2}%$");
        List<String> csv = Files.readAllLines(run.resolve("metrics.csv"));
        assertThat(csv).hasSize(3);
        List<String> header = Arrays.asList(csv.get(0).split(","));
        int loss = header.indexOf("train_loss");
        assertThat(loss).isNotNegative();
        double epoch1 = Double.parseDouble(csv.get(1).split(",")[loss]);
        double epoch2 = Double.parseDouble(csv.get(2).split(",")[loss]);
        assertThat(epoch2).as("training loss falls").isLessThan(epoch1);
        assertThat(run.resolve("last.ckpt")).isRegularFile();
        assertThat(run.resolve("best.ckpt")).isRegularFile();
    }

    @Test
    void evalPrintsTestAccuracy() {
        Run r = Cli.run("eval", small.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--limit", "200");
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.out()).containsPattern("test accuracy 0\\.\\d{4} on 200 images");
    }

    /** The first {@code n} test images as raw bytes. */
    static IdxReader.Images testImages(int n) {
        Dataset test = FashionMnist.locate(null).test();
        byte[] px = new byte[n * 28 * 28];
        for (int i = 0; i < n; i++) {
            for (int p = 0; p < 28 * 28; p++) {
                px[i * 28 * 28 + p] = (byte) test.pixel(i, p);
            }
        }
        return new IdxReader.Images(n, 28, 28, px);
    }

    private static Run predict(Path input, String... more) {
        String[] args = {"predict", small.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input", input.toString()};
        String[] all = Arrays.copyOf(args, args.length + more.length);
        System.arraycopy(more, 0, all, args.length, more.length);
        return Cli.run(all);
    }

    private static final String CLASS = "\\d (T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot) p=[01]\\.\\d{4}";
    private static final String LINE = "\\d+: " + CLASS;

    @Test
    void predictIdxGzippedAndPlain() throws IOException {
        Path gz = dir.resolve("five-images-idx3-ubyte.gz");
        IdxWriter.writeImages(gz, testImages(5), true);
        Run r = predict(gz);
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.err()).isEmpty();
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(5);
        for (int i = 0; i < 5; i++) {
            assertThat(lines.get(i)).startsWith(i + ": ").matches(LINE);
        }
        Path plain = dir.resolve("five-images-idx3-ubyte");
        IdxWriter.writeImages(plain, testImages(5), false);
        assertThat(predict(plain).out()).isEqualTo(r.out());
    }

    @Test
    void predictTopK() throws IOException {
        Path gz = dir.resolve("three-images-idx3-ubyte.gz");
        IdxWriter.writeImages(gz, testImages(3), true);
        Run r = predict(gz, "--top", "3");
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        List<String> lines = r.out().lines().toList();
        assertThat(lines).hasSize(3);
        for (String l : lines) {
            String[] parts = l.substring(l.indexOf(": ") + 2).split("; ");
            assertThat(parts).hasSize(3);
            double[] p = Arrays.stream(parts).mapToDouble(s -> Double.parseDouble(s.substring(s.lastIndexOf("p=") + 2))).toArray();
            assertThat(p[0]).isGreaterThanOrEqualTo(p[1]);
            assertThat(p[1]).isGreaterThanOrEqualTo(p[2]);
        }
        // the first of the top 3 is the top 1
        Run one = predict(gz);
        assertThat(one.out().lines().toList()).containsExactlyElementsOf(lines.stream().map(l -> l.split("; ")[0]).toList());
        assertThat(predict(gz, "--top", "0").exit()).isEqualTo(Main.USAGE);
        assertThat(predict(gz, "--top", "50").out().lines().findFirst().orElseThrow().split("; ")).hasSize(10);
    }

    @Test
    void predictPngMatchesIdxOfTheSamePixels() throws IOException {
        IdxReader.Images one = testImages(1);
        BufferedImage gray = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage rgb = new BufferedImage(28, 28, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 28; y++) {
            for (int x = 0; x < 28; x++) {
                int v = one.pixels()[y * 28 + x] & 0xff;
                gray.getRaster().setSample(x, y, 0, v);
                rgb.setRGB(x, y, v << 16 | v << 8 | v);
            }
        }
        Path grayPng = dir.resolve("gray.png");
        Path rgbPng = dir.resolve("rgb.png");
        ImageIO.write(gray, "png", grayPng.toFile());
        ImageIO.write(rgb, "png", rgbPng.toFile());
        Path idx = dir.resolve("one-image-idx3-ubyte");
        IdxWriter.writeImages(idx, one, false);

        Run fromIdx = predict(idx, "--top", "2");
        Run fromGray = predict(grayPng, "--top", "2");
        Run fromRgb = predict(rgbPng, "--top", "2");
        assertThat(fromGray.exit()).as("%s", fromGray).isEqualTo(Main.OK);
        assertThat(fromGray.out()).matches("0: " + CLASS + "; " + CLASS + "\n");
        assertThat(fromGray.out()).isEqualTo(fromIdx.out());
        assertThat(fromRgb.out()).isEqualTo(fromIdx.out());
    }

    @Test
    void predictRejectsWrongSizeUnreadableAndMissingImages() throws IOException {
        Path big = dir.resolve("big.png");
        ImageIO.write(new BufferedImage(32, 30, BufferedImage.TYPE_BYTE_GRAY), "png", big.toFile());
        Run r = predict(big);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: ").contains("32x30").contains("28x28");

        Path bigIdx = dir.resolve("big-idx3-ubyte");
        IdxWriter.writeImages(bigIdx, new IdxReader.Images(2, 32, 32, new byte[2 * 32 * 32]), false);
        r = predict(bigIdx);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: ").contains("32x32");

        Path junk = Files.write(dir.resolve("junk.png"), "\u0089PNG\r\n\u001a\n this is not an image".getBytes(StandardCharsets.ISO_8859_1));
        r = predict(junk);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + junk);

        Path text = write("notes.txt", "hello");
        r = predict(text);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + text).contains("not an IDX image file, a PNG or a JPEG image");

        r = predict(dir.resolve("nowhere.png"));
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).isEqualTo("adnet: " + dir.resolve("nowhere.png") + ": input file not found\n");

        Path truncated = dir.resolve("truncated-idx3-ubyte");
        IdxWriter.writeImages(truncated, testImages(2), false);
        Files.write(truncated, Arrays.copyOf(Files.readAllBytes(truncated), 1000));
        r = predict(truncated);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + truncated).contains("truncated");
    }

    @Test
    void predictWithACorruptCheckpoint() throws IOException {
        Path gz = dir.resolve("two-images-idx3-ubyte.gz");
        IdxWriter.writeImages(gz, testImages(2), true);
        Path bad = copyTruncated("predict-truncated.ckpt");
        Run r = Cli.run("predict", small.toString(), "--checkpoint", bad.toString(), "--input", gz.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + bad);
        assertThat(r.out()).isEmpty();
    }

    private static Path copyTruncated(String name) throws IOException {
        byte[] b = Files.readAllBytes(run.resolve("last.ckpt"));
        return Files.write(dir.resolve(name), Arrays.copyOf(b, b.length / 2));
    }

    private static Run eval(Path checkpoint) {
        return Cli.run("eval", small.toString(), "--checkpoint", checkpoint.toString(), "--limit", "50");
    }

    @Test
    void evalTruncatedCheckpoint() throws IOException {
        Path bad = copyTruncated("truncated.ckpt");
        Run r = eval(bad);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).isEqualTo("adnet: " + bad + ": not a zip file, or truncated (zip END header not found)\n");
    }

    @Test
    void evalCheckpointWithAFlippedByte() throws IOException {
        byte[] b = Files.readAllBytes(run.resolve("last.ckpt"));
        b[b.length / 2] ^= 0x5a;
        Path bad = Files.write(dir.resolve("flipped.ckpt"), b);
        Run r = eval(bad);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + bad + ": checksum mismatch in entry ").contains("the file is corrupt");
    }

    /**
     * One flipped byte anywhere (sampled every few bytes, and every byte of the last kilobyte: manifest and zip
     * directory) is either harmless or a {@link CheckpointException}, never another exception.
     */
    @Test
    void flippedBytesAnywhereGiveCheckpointErrors() throws IOException {
        StringWriter sink = new StringWriter();
        LoadedNetwork net = LoadedNetwork.load(small, null, 0, new PrintWriter(sink));
        assertThat(net).as(sink.toString()).isNotNull();
        byte[] good = Files.readAllBytes(run.resolve("last.ckpt"));
        Path bad = dir.resolve("flip.ckpt");
        int rejected = 0;
        int tried = 0;
        for (int i = 0; i < good.length; i += i < good.length - 1024 ? 211 : 1) {
            byte[] b = good.clone();
            b[i] ^= (byte) 0xff;
            Files.write(bad, b);
            tried++;
            try {
                Checkpoints.load(bad, net.network(), null);
            } catch (CheckpointException e) {
                rejected++;
                assertThat(e.getMessage()).startsWith(bad.toString());
            }
        }
        assertThat(rejected).as("%d of %d flips rejected", rejected, tried).isGreaterThan(tried / 2);
    }

    @Test
    void evalCheckpointOfAnotherNetwork() throws IOException {
        Path other = write("other.adnet", OTHER);
        Path otherRun = dir.resolve("other-run");
        Run t = Cli.run("train", other.toString(), "--limit", "64", "--test-limit", "50", "--epochs", "1", "--progress", "none",
                "--out", otherRun.toString());
        assertThat(t.exit()).as("%s", t).isEqualTo(Main.OK);
        Path foreign = otherRun.resolve("last.ckpt");
        Run r = eval(foreign);
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + foreign + ": checkpoint does not match network 'Small': it is for network 'Other'");
        Path gz = dir.resolve("one-image-idx3-ubyte.gz");
        IdxWriter.writeImages(gz, testImages(1), true);
        r = Cli.run("predict", small.toString(), "--checkpoint", foreign.toString(), "--input", gz.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).startsWith("adnet: " + foreign + ": checkpoint does not match network 'Small'");
    }

    @Test
    void trainWithoutATrainSection() throws IOException {
        Path p = write("untrained.adnet", "network Plain {\n  input image: [1, 28, 28]\n  output logits: [10]\n"
                + "  logits = image -> flatten -> dense(10)\n}\n");
        Run r = Cli.run("train", p.toString(), "--progress", "none", "--out", dir.resolve("plain-run").toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).isEqualTo("adnet: network 'Plain' has no train section: add one with at least a loss\n");
        assertThat(dir.resolve("plain-run")).doesNotExist();
    }

    @Test
    void trainANetworkWhoseInputIsAVectorOnFashionMnist() throws IOException {
        // the images' 784 pixels feed a [784] input in row-major order
        Path p = write("vector.adnet", "network Vector {\n  input x: [784]\n  output logits: [10]\n"
                + "  logits = x -> dense(10)\n  train {\n    loss cross_entropy(logits)\n    optimizer sgd(lr = 0.1)\n  }\n}\n");
        Run r = Cli.run("train", p.toString(), "--progress", "none", "--epochs", "1", "--limit", "256", "--test-limit", "256",
                "--out", dir.resolve("vector-run").toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.out()).contains("final: epoch 1");
        Path x28 = write("vector-bad.adnet", "network Vector {\n  input x: [780]\n  output logits: [10]\n"
                + "  logits = x -> dense(10)\n  train {\n    loss cross_entropy(logits)\n    optimizer sgd(lr = 0.1)\n  }\n}\n");
        r = Cli.run("train", x28.toString(), "--progress", "none", "--out", dir.resolve("vector-bad-run").toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("has [1, 28, 28] per sample, but input 'x' of network 'Vector' is [780]");
        assertThat(dir.resolve("vector-bad-run")).doesNotExist();
    }

    @Test
    void trainWithZeroEpochsIsAUsageError() {
        Run r = Cli.run("train", small.toString(), "--epochs", "0", "--progress", "none");
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).isEqualTo("adnet: --epochs must be at least 1\n");
    }

    @Test
    void trainWithAnEmptyDataDirectory() throws IOException {
        Path empty = Files.createDirectory(dir.resolve("empty-data"));
        Run r = Cli.run("train", small.toString(), "--data", empty.toString(), "--progress", "none", "--out",
                dir.resolve("empty-run").toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).isEqualTo("adnet: " + empty + ": no class folders (expected " + empty + "/<class>/*.png or *.jpg)\n");
        assertThat(dir.resolve("empty-run")).doesNotExist();
    }
}
