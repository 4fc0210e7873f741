package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code adnet describe --ir} prints the checked IR, and with {@code --program} the inference or training program
 * after their rewrite passes: on the corpus network of batchnorm fusions, inference folds batchnorms into their
 * convolutions (channels-last) and training only fuses batchnorm + ReLU.
 */
class DescribeCommandTest {
    private static final Path CORPUS = locate();

    private static Path locate() {
        for (String candidate : List.of("../compiler/src/test/resources/golden/corpus", "compiler/src/test/resources/golden/corpus")) {
            if (Files.isDirectory(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("corpus not found from " + Path.of("").toAbsolutePath());
    }

    record Run(int exit, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit;
        try (PrintWriter o = new PrintWriter(out); PrintWriter e = new PrintWriter(err)) {
            exit = Main.run(args, o, e);
        }
        return new Run(exit, out.toString(), err.toString());
    }

    private static String file(String name) {
        return CORPUS.resolve(name).toString();
    }

    @Test
    void printsEachProgram() {
        Run checked = run("describe", "--ir", file("bn_relu_fusions.adnet"));
        Run inference = run("describe", "--ir", "--program", "inference", file("bn_relu_fusions.adnet"));
        Run training = run("describe", "--ir", "--program", "TRAINING", file("bn_relu_fusions.adnet"));
        assertThat(List.of(checked.exit(), inference.exit(), training.exit())).containsOnly(Main.OK);
        assertThat(checked.out()).contains("= batchnorm %1").doesNotContain("batchnorm_relu");
        assertThat(inference.out()).contains("= conv_batchnorm_relu %0").contains("# a.conv1+a.batchnorm1+a.relu1 @6:12")
                .contains("= conv_batchnorm %6").contains("= batchnorm_relu %4");
        assertThat(training.out()).contains("= batchnorm_relu %1").doesNotContain("conv_batchnorm");
    }

    @Test
    void aNetworkWithoutTrainingHasNoTrainingProgram() {
        Run r = run("describe", "--ir", "--program", "training", file("no_train_cnn.adnet"));
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("declares no train section");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void aProgramWithoutIrIsAUsageError() {
        Run r = run("describe", "--program", "inference", file("bn_relu_fusions.adnet"));
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--program chooses what --ir prints");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void anUnknownProgramIsAUsageError() {
        Run r = run("describe", "--ir", "--program", "fused", file("bn_relu_fusions.adnet"));
        assertThat(r.exit()).isEqualTo(Main.USAGE);
        assertThat(r.err()).contains("--program").contains("fused");
    }

    @Test
    void aNetworkWithoutLoopsPrintsNoLoopRange() {
        Run plain = run("describe", file("tasks_hard_sharing.adnet"));
        assertThat(plain.exit()).as("%s", plain).isZero();
        assertThat(plain.out()).doesNotContain("loop");
        Run gated = run("describe", file("gated_loop.adnet"));
        assertThat(gated.exit()).as("%s", gated).isZero();
        assertThat(gated.out()).contains("gated loops").contains("FLOPs per sample: min ");
    }
}
