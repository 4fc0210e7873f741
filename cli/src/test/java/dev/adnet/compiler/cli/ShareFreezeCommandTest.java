package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.Parameter;
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
 * {@code adnet freeze} on a share trained from the command line: the frozen network checks and gives exactly each
 * task's output of the trained network under its argmax policy, with the policies training learned and with policies
 * set so that a unit is shared and another runs on two inputs; a loss whose sharing() term is not a summand is named.
 */
class ShareFreezeCommandTest {
    static final String SHARE = """
            network TwoTaskShare {
              input x: [4]
              task cluster: classes(4)
              task half: classes(2)
              trunk = x -> dense(16) -> relu
              f = trunk -> share adashare(sparsity = 0.01, sharing = 0.05) {
                dense(16) -> relu
                dense(16) -> relu
                dense(16) -> relu
              }
              cluster = f -> dense(4)
              half = f -> relu -> dense(2)
              train {
                loss cross_entropy(cluster) + cross_entropy(half) + sparsity() + sharing()
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

    @BeforeAll
    static void train() throws IOException {
        net = Files.writeString(dir.resolve("share.adnet"), SHARE, StandardCharsets.UTF_8);
        Path data = dir.resolve("tasks.npz");
        TasksCommandTest.clusters(400, 1, true).write(data, false);
        Run trained = Cli.run("train", net.toString(), "--data", data.toString(), "--progress", "none", "--out",
                dir.resolve("run").toString());
        assertThat(trained.exit()).as("%s", trained).isEqualTo(Main.OK);
        ckpt = dir.resolve("run").resolve("last.ckpt");
    }

    @Test
    void theLearnedPoliciesFrozenGiveTheTrainedOutputs() throws IOException {
        Path frozen = freeze(ckpt, "learned");
        String source = Files.readString(frozen, StandardCharsets.UTF_8);
        assertThat(source).doesNotContainPattern("->\\s*share").doesNotContain("temperature").doesNotContain("sparsity()")
                .doesNotContain("sharing()").contains("loss cross_entropy(cluster) + cross_entropy(half)\n");
        sameOutputs(ckpt, frozen);
    }

    @Test
    void aSharedUnitIsWrittenOnceAndAUnitOnTwoInputsTwice() throws IOException {
        // cluster runs units 1, 2 and 3, half units 1 and 3: unit 1 is shared, unit 3 reads two different values
        Network n = load(net, ckpt);
        for (Parameter p : n.parameters()) {
            if (p.name().contains(".policy.")) {
                boolean select = !p.name().equals("f.share1.policy.half.unit2");
                p.value().assign(Nd4j.createFromArray(select ? new float[] {1, 0} : new float[] {0, 1}));
            }
        }
        Path set = dir.resolve("policies-set.ckpt");
        Checkpoints.save(set, n, null, TrainerState.start(1));
        Path frozen = freeze(set, "set");
        assertThat(Files.readString(frozen, StandardCharsets.UTF_8)).contains("f_u1_cluster = trunk -> dense(16) -> relu\n")
                .contains("f_u2_cluster = f_u1_cluster -> dense(16) -> relu\n")
                .contains("f_u3_cluster = f_u2_cluster -> dense(16) -> relu\n")
                .contains("f_u3_half = f_u1_cluster -> dense(16) -> relu\n")
                .contains("cluster = f_u3_cluster -> dense(4)").contains("half = f_u3_half -> relu -> dense(2)")
                .doesNotContain("f_u1_half").doesNotContain("f_u2_half");
        sameOutputs(set, frozen);
    }

    @Test
    void aSharingTermInsideAnotherTermIsNamed() throws IOException {
        Path other = Files.writeString(dir.resolve("nested.adnet"), SHARE.replace("+ sparsity() + sharing()",
                "+ 0.1 * (sparsity() + sharing())"), StandardCharsets.UTF_8);
        Run r = Cli.run("freeze", other.toString(), "--checkpoint", ckpt.toString(), "-o", dir.resolve("n.adnet").toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains("nested.adnet:").contains("must be summands of it").doesNotContain("Exception");
        assertThat(dir.resolve("n.adnet")).doesNotExist();
    }

    private static Path freeze(Path checkpoint, String name) {
        Path out = dir.resolve(name + ".adnet");
        Run r = Cli.run("freeze", net.toString(), "--checkpoint", checkpoint.toString(), "-o", out.toString());
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        return out;
    }

    /** Each task's output of the trained network (its argmax policy) and of the frozen one, float for float. */
    private static void sameOutputs(Path checkpoint, Path frozen) {
        Network trained = load(net, checkpoint);
        Network f = load(frozen, dir.resolve(frozen.getFileName().toString().replace(".adnet", ".ckpt")));
        INDArray x = Nd4j.rand(DataType.FLOAT, 64, 4).muli(6);
        Map<String, INDArray> all = f.forward(Map.of("x", x));
        for (String task : new String[] {"cluster", "half"}) {
            float[] expected = trained.forward(Map.of("x", x), task).get(task).dup().data().asFloat();
            assertThat(all.get(task).dup().data().asFloat()).as(task).containsExactly(expected);
            assertThat(f.forward(Map.of("x", x), task).get(task).dup().data().asFloat()).as(task).containsExactly(expected);
        }
    }

    private static Network load(Path file, Path checkpoint) {
        StringWriter err = new StringWriter();
        LoadedNetwork n = LoadedNetwork.load(file, null, Long.MIN_VALUE, new PrintWriter(err));
        assertThat(n).as(err.toString()).isNotNull();
        Checkpoints.load(checkpoint, n.network(), null);
        return n.network();
    }
}
