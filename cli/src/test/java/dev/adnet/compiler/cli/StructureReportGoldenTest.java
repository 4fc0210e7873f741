package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import dev.adnet.compiler.testing.Golden;
import dev.adnet.runtime.Network;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.checkpoint.TrainerState;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@code adnet eval} of a network with a share or a tree writes its learned structure beside the checkpoint: the
 * policies (task x unit, select or skip with the select probability) and the argmax tree (each node's parent
 * probabilities, the paths), as text pinned in golden files, CSV and a PNG; and says what running all tasks cost.
 */
class StructureReportGoldenTest {
    static final String SHARE = """
            network TwoTaskShare {
              input x: [4]
              task cluster: classes(4)
              task half: classes(2)
              trunk = x -> dense(16) -> relu
              f = trunk -> share adashare() { dense(16) -> relu; dense(16) -> relu; dense(16) -> relu }
              cluster = f -> dense(4)
              half = f -> dense(2)
            }
            """;

    static final String TREE = """
            network TwoTaskTree {
              input x: [4]
              task cluster: classes(4)
              task half: classes(2)
              trunk = x -> dense(8) -> relu
              f = trunk -> branch tree(tau = 1.0) { dense(8) -> relu; dense(8) -> relu; dense(8) -> relu }
              cluster = f -> dense(4)
              half = f -> dense(2)
            }
            """;

    /** A dense(16) -> relu unit on 16 values: 2 * 256 + 16 FLOPs and 16 for the ReLU. */
    private static final long UNIT = 544;
    /** A dense(8) -> relu node on 8 values. */
    private static final long NODE = 2 * 64 + 8 + 8;

    @TempDir
    static Path dir;

    static Path test;

    @BeforeAll
    static void data() throws IOException {
        test = dir.resolve("test.npz");
        TasksCommandTest.clusters(40, 2, true).write(test, false);
    }

    @Test
    void policiesOfAShare() throws IOException {
        Path run = dir.resolve("share");
        // unit 1 selected by both tasks (computed once), unit 2 by half only, unit 3 by both after different units (twice)
        Map<String, float[]> logits = Map.of(
                "f.share1.policy.cluster.unit1", new float[] {1.2f, 0.3f},
                "f.share1.policy.cluster.unit2", new float[] {0.1f, 0.4f},
                "f.share1.policy.cluster.unit3", new float[] {2.0f, -1.0f},
                "f.share1.policy.half.unit1", new float[] {0.8f, 0.1f},
                "f.share1.policy.half.unit2", new float[] {0.5f, -0.5f},
                "f.share1.policy.half.unit3", new float[] {1.0f, 0.0f});
        Run e = eval(SHARE, "share.adnet", run, logits);
        long total = flops(run.resolve("share.adnet"));
        assertThat(e.out()).contains(String.format(Locale.ROOT, "FLOPs per sample to run all tasks: %,d (", total - 2 * UNIT))
                .contains("units computed for all tasks: 4 (5 selected by a task;").contains("wrote " + run.resolve("policies.png"));
        Golden.check(Golden.dir("reports").resolve("share_policies.txt"), Files.readString(run.resolve("policies.txt")));
        assertThat(Files.readString(run.resolve("policies.csv"))).startsWith("share,task,unit,").contains("f.share1,half,2,");
        picture(run.resolve("policies.png"));
        assertThat(run.resolve("tree.txt")).doesNotExist();
    }

    @Test
    void argmaxTreeOfABranch() throws IOException {
        Path run = dir.resolve("tree");
        // cluster: l1.half -> l2.half -> l3.cluster; half: l1.half -> l2.half -> l3.half; l1.cluster and l2.cluster unused
        Map<String, float[]> logits = Map.of(
                "f.branch1.l2.cluster.parents", new float[] {0.5f, 0.1f},
                "f.branch1.l2.half.parents", new float[] {0.2f, 0.3f},
                "f.branch1.l3.cluster.parents", new float[] {0.0f, 1.0f},
                "f.branch1.l3.half.parents", new float[] {-0.5f, 0.5f});
        Run e = eval(TREE, "tree.adnet", run, logits);
        long total = flops(run.resolve("tree.adnet"));
        long mixtures = 2 * 2 * (2 * 8 * 2); // four mixtures of two parents of 8 values: training only
        assertThat(e.out()).contains(String.format(Locale.ROOT, "FLOPs per sample to run all tasks: %,d (", total - 2 * NODE - mixtures))
                .contains("nodes computed for all tasks: 4 of 6").contains("wrote " + run.resolve("tree.png"));
        Golden.check(Golden.dir("reports").resolve("tree.txt"), Files.readString(run.resolve("tree.txt")));
        assertThat(Files.readString(run.resolve("tree.csv"))).startsWith("tree,layer,node,parent,").contains("f.branch1,3,half,half,");
        picture(run.resolve("tree.png"));
        assertThat(run.resolve("policies.txt")).doesNotExist();
    }

    /** Evaluates {@code source} with its parameters from their seed and {@code logits} set, from a checkpoint in {@code run}. */
    private static Run eval(String source, String name, Path run, Map<String, float[]> logits) throws IOException {
        Files.createDirectories(run);
        Path file = Files.writeString(run.resolve(name), source, StandardCharsets.UTF_8);
        StringWriter err = new StringWriter();
        LoadedNetwork loaded = LoadedNetwork.load(file, null, Long.MIN_VALUE, new PrintWriter(err));
        assertThat(loaded).as(err.toString()).isNotNull();
        Network n = loaded.network();
        logits.forEach((param, values) -> n.parameters().stream().filter(p -> p.name().equals(param)).findFirst().orElseThrow()
                .value().assign(Nd4j.createFromArray(values)));
        Path ckpt = run.resolve("set.ckpt");
        Checkpoints.save(ckpt, n, null, TrainerState.start(1));
        Run e = Cli.run("eval", file.toString(), "--checkpoint", ckpt.toString(), "--test", test.toString());
        assertThat(e.exit()).as("%s", e).isEqualTo(Main.OK);
        return e;
    }

    private static long flops(Path file) {
        StringWriter err = new StringWriter();
        return LoadedNetwork.load(file, null, Long.MIN_VALUE, new PrintWriter(err)).network().flopsPerSample();
    }

    private static void picture(Path png) throws IOException {
        BufferedImage img = ImageIO.read(png.toFile());
        assertThat(img).isNotNull();
        assertThat(img.getWidth()).isGreaterThan(200);
        assertThat(img.getHeight()).isGreaterThan(100);
    }
}
