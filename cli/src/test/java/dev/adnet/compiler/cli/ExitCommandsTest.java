package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.Checkpoints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A multi-exit network through the command line: training reports the exits, {@code eval} writes the exit report
 * (text, CSV sweep, PNG), {@code calibrate} stores a threshold in the checkpoint that meets the budget on the held-out
 * images, and its mistakes are one {@code adnet:} line.
 */
class ExitCommandsTest {
    static final String EXITS = """
            network SmallExits {
              input image: [1, 28, 28]
              output logits: [10]
              h = image -> conv(8, 3) -> batchnorm -> relu -> max_pool(2)
                -> exit early when budget(0.6) { flatten -> dense(10) }
                -> conv(16, 3) -> batchnorm -> relu
              logits = h -> global_avg_pool -> dense(10)
              train {
                loss cross_entropy(logits)
                exit_weights 0.5
                optimizer adam(lr = 2e-3)
                batch 64
                epochs 1
                seed 7
              }
            }
            """;

    @TempDir
    static Path dir;

    static Path file;
    static Path run;
    static Run trained;

    @BeforeAll
    static void trainOnce() throws IOException {
        file = Files.writeString(dir.resolve("exits.adnet"), EXITS, StandardCharsets.UTF_8);
        run = dir.resolve("run");
        trained = Cli.run("train", file.toString(), "--limit", "512", "--holdout", "300", "--test-limit", "256",
                "--progress", "none", "--out", run.toString());
    }

    @Test
    void trainingEvaluatesTheExits() throws IOException {
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        assertThat(trained.out()).contains("held out for calibration: the last 300 training images")
                .contains("exits, with the last epoch's parameters").contains("early exits (compacted inference)")
                .contains("sweep (one confidence threshold");
        assertThat(Files.readString(run.resolve("exits.csv")).lines().count()).isEqualTo(1 + ExitEvaluation.SWEEP.length);
        BufferedImage png = ImageIO.read(run.resolve("exits.png").toFile());
        assertThat(png.getWidth()).isGreaterThan(500);
    }

    @Test
    void calibrateStoresAThresholdThatMeetsTheBudget() throws IOException {
        Path calibrated = dir.resolve("calibrated.ckpt");
        Run c = Cli.run("calibrate", file.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--holdout", "300",
                "--out", calibrated.toString());
        assertThat(c.exit()).as("%s", c).isEqualTo(Main.OK);
        assertThat(c.out()).contains("calibrating on the last 300 training images").contains("of full (budget 60.0%)");
        double stored = Checkpoints.read(calibrated).buffers().get("h.early.threshold").getDouble(0);
        Checkpoint before = Checkpoints.read(run.resolve("last.ckpt"));
        assertThat(before.buffers().get("h.early.threshold").getDouble(0)).as("uncalibrated: nobody leaves").isEqualTo(1.0);
        assertThat(stored).isBetween(0.0, 1.0).isLessThan(1.0);
        // the mean FLOPs printed for the held-out images are within the budget
        String line = c.out().lines().filter(l -> l.startsWith("threshold ")).findFirst().orElseThrow();
        double percent = Double.parseDouble(line.replaceAll(".*mean FLOPs ([0-9.]+)% of full.*", "$1"));
        assertThat(percent).isLessThanOrEqualTo(60.0);

        Run eval = Cli.run("eval", file.toString(), "--checkpoint", calibrated.toString(), "--limit", "256", "--report",
                dir.resolve("report").toString());
        assertThat(eval.exit()).as("%s", eval).isEqualTo(Main.OK);
        assertThat(eval.out()).doesNotContain("no calibrated threshold").contains("early exits (compacted inference)");
        Run uncalibrated = Cli.run("eval", file.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--limit", "64",
                "--report", dir.resolve("report2").toString());
        assertThat(uncalibrated.out()).contains("note: exit 'early' has a budget but no calibrated threshold yet");
    }

    /** Each predicted image says where it left and what it cost. */
    @Test
    void predictTracesEachImage() throws IOException {
        Path images = dir.resolve("few.idx");
        dev.adnet.runtime.data.IdxWriter.writeImages(images, TrainEvalPredictTest.testImages(4), false);
        Run p = Cli.run("predict", file.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input",
                images.toString());
        assertThat(p.exit()).as("%s", p).isEqualTo(Main.OK);
        // uncalibrated budget exit: nobody leaves early, every image pays for the whole network and the early head
        assertThat(p.out().lines()).hasSize(4).allMatch(l -> l.matches("\\d: .* p=[0-9.]+  \\[final output; [0-9,]+ FLOPs\\]"));
    }

    @Test
    void calibrationMistakesAreOneLine() {
        Run tooSmall = Cli.run("calibrate", file.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--budget", "0.01",
                "--holdout", "300", "--out", dir.resolve("x.ckpt").toString());
        assertThat(tooSmall.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(tooSmall.err()).startsWith("adnet: budget 0.01 cannot be met").doesNotContain("Exception");
        Run range = Cli.run("calibrate", file.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--budget", "1.5");
        assertThat(range.exit()).isEqualTo(Main.USAGE);
        assertThat(range.err()).contains("--budget is a fraction");
        Run missing = Cli.run("calibrate", file.toString(), "--checkpoint", dir.resolve("none.ckpt").toString());
        assertThat(missing.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(missing.err()).startsWith("adnet: ").doesNotContain("Exception");
    }
}
