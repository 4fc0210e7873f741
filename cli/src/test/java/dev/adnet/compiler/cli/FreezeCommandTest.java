package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.checkpoint.TrainerState;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code adnet freeze} on a tree trained from the command line: the frozen network checks, keeps every task's path
 * and gives exactly the trained network's outputs; a checkpoint that does not fit, a network with nothing to freeze
 * and outputs that cannot be written are named errors.
 */
class FreezeCommandTest {
    static final String TREE = """
            network TwoTaskTree {
              input x: [4]
              task cluster: classes(4)
              task half: classes(2)
              trunk = x -> dense(16) -> relu
              f = trunk -> branch tree(tau = 2.0) {
                dense(16) -> relu
                dense(8) -> relu
              }
              cluster = f -> dense(4)
              half = f -> relu -> dense(2)
              train {
                loss cross_entropy(cluster) + cross_entropy(half)
                optimizer adam(lr = 1e-2)
                temperature anneal(from = 2.0, to = 0.5)
                batch 32
                epochs 2
                seed 5
              }
            }
            """;

    @TempDir
    static Path dir;

    static Path net;
    static Path ckpt;
    static Run frozen;

    @BeforeAll
    static void trainAndFreeze() throws IOException {
        net = Files.writeString(dir.resolve("tree.adnet"), TREE, StandardCharsets.UTF_8);
        Path data = dir.resolve("tasks.npz");
        TasksCommandTest.clusters(400, 1, true).write(data, false);
        Run trained = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out",
                dir.resolve("run").toString());
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        ckpt = dir.resolve("run").resolve("last.ckpt");
        frozen = Cli.run("freeze", net.toString(), "--checkpoint", ckpt.toString(), "-o", dir.resolve("frozen.adnet").toString());
    }

    @Test
    void theFrozenNetworkGivesTheTrainedOutputs() {
        assertThat(frozen.exit()).as("%s", frozen).isEqualTo(Main.OK);
        assertThat(frozen.out()).containsPattern("frozen TwoTaskTree: [34] of 4 nodes kept \\(a node per task and branch layer or share unit\\)");
        Network trained = load(net, ckpt);
        Network f = load(dir.resolve("frozen.adnet"), dir.resolve("frozen.ckpt"));
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 4).muli(6);
        Map<String, INDArray> a = trained.forward(Map.of("x", x));
        Map<String, INDArray> b = f.forward(Map.of("x", x));
        for (String task : new String[] {"cluster", "half"}) {
            assertThat(b.get(task).dup().data().asFloat()).as(task).containsExactly(a.get(task).dup().data().asFloat());
        }
    }

    @Test
    void theFrozenSourceHasNoBranch() throws IOException {
        String source = Files.readString(dir.resolve("frozen.adnet"), StandardCharsets.UTF_8);
        assertThat(source).startsWith("// frozen by adnet freeze from ").doesNotContainPattern("->\\s*branch").doesNotContain("temperature")
                .contains("cluster = f_l2_cluster -> dense(4)").contains("half = f_l2_half -> relu -> dense(2)");
    }

    @Test
    void aCheckpointOfAnotherNetworkIsNamed() throws IOException {
        Path other = Files.writeString(dir.resolve("other.adnet"), TREE.replace("dense(8)", "dense(6)"), StandardCharsets.UTF_8);
        Run r = Cli.run("freeze", other.toString(), "--checkpoint", ckpt.toString(), "-o", dir.resolve("o.adnet").toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("checkpoint does not fit network 'TwoTaskTree'").doesNotContain("Exception");
        assertThat(dir.resolve("o.adnet")).doesNotExist();
    }

    @Test
    void aNetworkWithNothingToFreezeIsNamed() throws IOException {
        Path plain = Files.writeString(dir.resolve("plain.adnet"), TasksCommandTest.TWO_TASKS, StandardCharsets.UTF_8);
        LoadedNetwork loaded = LoadedNetwork.load(plain, null, Long.MIN_VALUE, new PrintWriter(new StringWriter()));
        Path c = dir.resolve("plain.ckpt");
        Checkpoints.save(c, loaded.network(), null, TrainerState.start(1));
        Run r = Cli.run("freeze", plain.toString(), "--checkpoint", c.toString(), "-o", dir.resolve("p.adnet").toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("network 'TwoTasks' has nothing to freeze");
    }

    @Test
    void outputsThatCannotBeWrittenAreNamed() {
        Run missing = Cli.run("freeze", net.toString(), "--checkpoint", ckpt.toString(), "-o",
                dir.resolve("no/such/dir/f.adnet").toString());
        assertThat(missing.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(missing.err()).contains("does not exist");
        Run over = Cli.run("freeze", net.toString(), "--checkpoint", ckpt.toString(), "-o", net.toString());
        assertThat(over.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(over.err()).contains("is an input of this command");
        Run notAdnet = Cli.run("freeze", net.toString(), "--checkpoint", ckpt.toString(), "-o", dir.resolve("f.txt").toString());
        assertThat(notAdnet.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(notAdnet.err()).contains("must be an .adnet file");
    }

    private static Network load(Path file, Path checkpoint) {
        StringWriter err = new StringWriter();
        LoadedNetwork n = LoadedNetwork.load(file, null, Long.MIN_VALUE, new PrintWriter(err));
        assertThat(n).as(err.toString()).isNotNull();
        Checkpoints.load(checkpoint, n.network(), null);
        return n.network();
    }
}
