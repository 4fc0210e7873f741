package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.data.NpzWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tiny two-task network trained and evaluated from the command line: one label array per task, accuracy per task. */
class TasksCommandTest {
    static final String TWO_TASKS = """
            network TwoTasks {
              input x: [4]
              task cluster: classes(4)
              task half: classes(2)
              trunk = x -> dense(16) -> relu
              cluster = trunk -> dense(4)
              half = trunk -> dense(2)
              train {
                loss cross_entropy(cluster) + cross_entropy(half)
                optimizer adam(lr = 1e-2)
                batch 32
                epochs 3
                seed 5
              }
            }
            """;

    @TempDir
    static Path dir;

    static Path net;
    static Path data;
    static Path run;
    static Run trained;

    /** Four separated clusters in 4 dimensions; task 'half' is whether the cluster is one of the last two. */
    static NpzWriter clusters(int n, long seed, boolean withHalf) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 4];
        int[] cluster = new int[n];
        int[] half = new int[n];
        for (int i = 0; i < n; i++) {
            cluster[i] = i % 4;
            half[i] = cluster[i] / 2;
            for (int k = 0; k < 4; k++) {
                x[i * 4 + k] = (float) (5 * (k == cluster[i] ? 1 : 0) + 0.5 * r.nextGaussian());
            }
        }
        NpzWriter w = new NpzWriter().add("x", x, n, 4).add("cluster", cluster, n);
        return withHalf ? w.add("half", half, n) : w;
    }

    @BeforeAll
    static void trainOnce() throws IOException {
        net = Files.writeString(dir.resolve("tasks.adnet"), TWO_TASKS, StandardCharsets.UTF_8);
        data = dir.resolve("tasks.npz");
        clusters(800, 1, true).write(data, false);
        run = dir.resolve("run");
        trained = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out", run.toString());
    }

    @Test
    void trainingReadsOneLabelArrayPerTaskAndPrintsEachTasksAccuracy() {
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        assertThat(trained.out()).containsPattern("final: epoch 3: train loss \\S+, train accuracy cluster \\d+\\.\\d\\d%, "
                + "train accuracy half \\d+\\.\\d\\d%, test accuracy cluster (9\\d|100)\\.\\d\\d%, "
                + "test accuracy half (9\\d|100)\\.\\d\\d%");
    }

    @Test
    void evalReportsAccuracyPerTask() throws IOException {
        Path test = dir.resolve("test.npz");
        clusters(120, 2, true).write(test, false);
        Run e = Cli.run("eval", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--test", test.toString());
        assertThat(e.exit()).as("%s", e).isEqualTo(Main.OK);
        assertThat(e.out()).contains("120 samples").contains(", 2 tasks")
                .containsPattern("task cluster: test accuracy (0\\.9\\d|1\\.0)")
                .containsPattern("task half: test accuracy (0\\.9\\d|1\\.0)");
    }

    @Test
    void dataWithoutATasksLabelsIsANamedError() throws IOException {
        Path partial = dir.resolve("partial.npz");
        clusters(100, 3, false).write(partial, false);
        Run r = Cli.run("train", net.toString(), "--data", partial.toString(), "--progress", "none", "--out",
                dir.resolve("partial").toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("half");
    }
}
