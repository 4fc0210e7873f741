package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adnet eval --gate-mode}: set through the units, so it works on a network whose only gates are a loop's. */
class GateModeCommandTest {
    @TempDir
    Path dir;

    @Test
    void allOpenTakesEveryImageOfAGatedLoopToItsCap() throws IOException {
        Path net = Files.writeString(dir.resolve("points.adnet"), LoopCommandsTest.GATED, StandardCharsets.UTF_8);
        Path data = dir.resolve("points.npz");
        DataCommandsTest.points(300, 1, true).write(data, false);
        Path run = dir.resolve("run");
        Run t = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
        assertThat(t.exit()).as("%s", t).isEqualTo(Main.OK);
        String ckpt = run.resolve("last.ckpt").toString();

        Run open = Cli.run("eval", net.toString(), "--checkpoint", ckpt, "--test", data.toString(), "--gate-mode", "all_open",
                "--report", dir.resolve("report").toString());
        assertThat(open.exit()).as("%s", open).isEqualTo(Main.OK);
        assertThat(open.out()).contains("loop r.repeat1 (cap 3): passes per image mean 3.00, max 3 (300 images)");

        Run bad = Cli.run("eval", net.toString(), "--checkpoint", ckpt, "--test", data.toString(), "--gate-mode", "sideways");
        assertThat(bad.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(bad.err()).contains("--gate-mode is adaptive, all_open or mask, not 'sideways'");
    }

    /**
     * A gated loop without {@code shared}: trained, checkpointed with its per-pass tensors, and evaluated adaptively
     * and with every gate open, as a shared loop is.
     */
    @Test
    void aLoopWithItsOwnWeightsPerPassTrainsAndEvaluatesInBothModes() throws IOException {
        Path net = Files.writeString(dir.resolve("points.adnet"), LoopCommandsTest.GATED.replace("repeat upto 3 shared gate",
                "repeat upto 3 gate"), StandardCharsets.UTF_8);
        Path data = dir.resolve("points.npz");
        DataCommandsTest.points(300, 1, true).write(data, false);
        Path run = dir.resolve("run");
        Run t = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
        assertThat(t.exit()).as("%s", t).isEqualTo(Main.OK);
        assertThat(t.out()).contains("loop r.repeat1 (cap 3): passes per image");
        String ckpt = run.resolve("last.ckpt").toString();
        Run adaptive = Cli.run("eval", net.toString(), "--checkpoint", ckpt, "--test", data.toString());
        assertThat(adaptive.exit()).as("%s", adaptive).isEqualTo(Main.OK);
        assertThat(adaptive.out()).containsPattern("loop r\\.repeat1 \\(cap 3\\): passes per image mean [123]\\.\\d\\d");
        Run open = Cli.run("eval", net.toString(), "--checkpoint", ckpt, "--test", data.toString(), "--gate-mode", "all_open");
        assertThat(open.exit()).as("%s", open).isEqualTo(Main.OK);
        assertThat(open.out()).contains("loop r.repeat1 (cap 3): passes per image mean 3.00, max 3 (300 images)");
        Run d = Cli.run("describe", net.toString());
        assertThat(d.exit()).as("%s", d).isEqualTo(Main.OK);
        // the shared loop's 8x8 + 8 and gate head 8x4 + 4, 4 + 4, 4x2 + 2 per pass, twice more (the gate head once)
        assertThat(d.out()).containsPattern("r\\.repeat1 +gated_loop +\\[8\\] +" + (2 * 72 + 54) + " ");
    }

    @Test
    void aNetworkWithoutGatesSaysSo() throws IOException {
        Path net = Files.writeString(dir.resolve("points.adnet"), LoopCommandsTest.GATED.replace(
                "repeat upto 3 shared gate(target = 0.5, hidden = 4) { dense(8) -> tanh }", "repeat 2 shared { dense(8) -> tanh }")
                .replace(" + target_rate()", ""), StandardCharsets.UTF_8);
        Path data = dir.resolve("points.npz");
        DataCommandsTest.points(300, 1, true).write(data, false);
        Path run = dir.resolve("run");
        Run t = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
        assertThat(t.exit()).as("%s", t).isEqualTo(Main.OK);
        Run e = Cli.run("eval", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--test", data.toString(),
                "--gate-mode", "all_open");
        assertThat(e.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(e.err()).contains("--gate-mode applies to networks with gates (gated blocks or gated loops); 'Points' has none");
    }
}
