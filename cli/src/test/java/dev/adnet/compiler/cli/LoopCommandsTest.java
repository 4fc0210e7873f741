package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The loops' part of {@code train}, {@code eval} and {@code predict}: the passes report and the trace. */
class LoopCommandsTest {
    static final String GATED = """
            network Points {
              input x: [4]
              output y: [3]
              h = x -> dense(8) -> tanh
              r = h -> repeat upto 3 shared gate(target = 0.5, hidden = 4) { dense(8) -> tanh }
              y = r -> dense(3)
              train {
                loss cross_entropy(y) + target_rate()
                optimizer adam(lr = 1e-2)
                batch 32
                epochs 2
                seed 3
              }
            }
            """;

    @TempDir
    Path dir;

    @Test
    void trainAndEvalReportThePassesPerClassAndPredictTracesThem() throws IOException {
        Path net = Files.writeString(dir.resolve("points.adnet"), GATED, StandardCharsets.UTF_8);
        Path data = dir.resolve("points.npz");
        DataCommandsTest.points(300, 1, true).write(data, false);
        Path run = dir.resolve("run");
        Run t = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
        assertThat(t.exit()).as("%s", t).isEqualTo(Main.OK);
        assertThat(t.out()).contains("loops, with the last epoch's parameters, on the test images:")
                .contains("loop r.repeat1 (cap 3): passes per image");

        Run e = Cli.run("eval", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--test", data.toString(),
                "--report", dir.resolve("report").toString());
        assertThat(e.exit()).as("%s", e).isEqualTo(Main.OK);
        assertThat(e.out()).containsPattern("loop r\\.repeat1 \\(cap 3\\): passes per image mean [123]\\.\\d\\d, max [123] "
                + "\\(300 images\\)").contains("  all ").contains("  red ").contains("  blue ");
        List<String> csv = Files.readAllLines(dir.resolve("report/loops.csv"));
        assertThat(csv.get(0)).isEqualTo("loop,class,passes,images,share");
        // every loop, class ("all" and three named) and number of passes from 1 to the cap
        assertThat(csv).hasSize(1 + 4 * 3);
        long all = csv.stream().filter(l -> l.startsWith("r.repeat1,all,")).mapToLong(l -> Long.parseLong(l.split(",")[3])).sum();
        assertThat(all).isEqualTo(300);
        assertThat(Files.size(dir.resolve("report/loops.png"))).isPositive();
        assertThat(Files.readString(dir.resolve("report/loops.txt"))).contains("loop r.repeat1 (cap 3)");

        Path x = dir.resolve("x.npz");
        new dev.adnet.runtime.data.NpzWriter().add("x", new float[] {110, 100, 100, 100, 100, 100, 110, 100}, 2, 4).write(x, false);
        Run p = Cli.run("predict", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input", x.toString());
        assertThat(p.exit()).as("%s", p).isEqualTo(Main.OK);
        assertThat(p.out()).containsPattern("0: .*\\[r\\.repeat1 [123] passes; [\\d,]+ FLOPs\\]");
    }
}
