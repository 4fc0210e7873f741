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

    /** {@code predict --tasks}: one line per sample and chosen task, in declaration order, as each task alone answers. */
    @Test
    void predictAnswersForTheChosenTasks() throws IOException {
        Path test = dir.resolve("predict.npz");
        clusters(12, 4, false).write(test, false);
        String ckpt = run.resolve("last.ckpt").toString();
        Run both = Cli.run("predict", net.toString(), "--checkpoint", ckpt, "--input", test.toString(), "--tasks", "half,cluster");
        assertThat(both.exit()).as("%s", both).isEqualTo(Main.OK);
        java.util.List<String> lines = both.out().lines().toList();
        assertThat(lines).hasSize(24);
        assertThat(lines.get(0)).startsWith("0 cluster: ");
        assertThat(lines.get(1)).startsWith("0 half: ");
        for (String task : new String[] {"cluster", "half"}) {
            Run alone = Cli.run("predict", net.toString(), "--checkpoint", ckpt, "--input", test.toString(), "--tasks", task);
            assertThat(alone.exit()).as("%s", alone).isEqualTo(Main.OK);
            assertThat(alone.out().lines().toList()).isEqualTo(lines.stream().filter(l -> l.contains(" " + task + ": ")).toList());
        }
        Run csv = Cli.run("predict", net.toString(), "--checkpoint", ckpt, "--input", test.toString(), "--tasks", "cluster,half",
                "--format", "csv", "--top", "3");
        assertThat(csv.exit()).as("%s", csv).isEqualTo(Main.OK);
        java.util.List<String> rows = csv.out().lines().toList();
        assertThat(rows.get(0)).isEqualTo("index,task,class1,name1,probability1,class2,name2,probability2,class3,name3,probability3");
        assertThat(rows.get(1)).startsWith("0,cluster,");
        assertThat(rows.get(2)).startsWith("0,half,").endsWith(",,,"); // two classes: the third column group empty
    }

    @Test
    void predictForATaskTheNetworkLacksIsANamedError() throws IOException {
        Path test = dir.resolve("predict_bad.npz");
        clusters(4, 5, false).write(test, false);
        Run r = Cli.run("predict", net.toString(), "--checkpoint", run.resolve("last.ckpt").toString(), "--input",
                test.toString(), "--tasks", "cluster,colour");
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("no task 'colour'").contains("cluster, half").doesNotContain("Exception");
        assertThat(r.out()).isEmpty();
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
