package dev.adnet.compiler.emit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.ir.Graph;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The generated Java of the test networks, compared with {@code src/test/resources/golden/emit/*.java.txt}.
 *
 * <p>After an intended change to the emitter, regenerate the files with
 * {@code mvn -o -q -pl compiler test -Dtest=GoldenTest -Dadnet.updateGolden=true} and review the diff.
 */
class GoldenTest {
    private static final Path DIR = Path.of("src/test/resources/golden/emit");

    @Test
    void cnn() throws IOException {
        check("cnn", TestGraphs.cnn(), "cnn.adnet");
    }

    @Test
    void mlp() throws IOException {
        check("mlp", TestGraphs.mlp(0.25), "mlp.adnet");
    }

    @Test
    void fanOut() throws IOException {
        check("fan_out", TestGraphs.fanOut(), "fan.adnet");
    }

    @Test
    void awkwardNames() throws IOException {
        check("names", TestGraphs.awkwardNames(), "naïve net.adnet");
    }

    private static void check(String name, Graph graph, String file) throws IOException {
        String actual = new JavaEmitter().emit(graph, TestGraphs.options(file)).toString();
        Path golden = DIR.resolve(name + ".java.txt");
        if (Boolean.getBoolean("adnet.updateGolden")) {
            Files.createDirectories(DIR);
            Files.writeString(golden, actual, StandardCharsets.UTF_8);
        }
        assertThat(golden).as("golden file %s (run with -Dadnet.updateGolden=true to create it)", golden).exists();
        assertThat(actual).isEqualTo(Files.readString(golden, StandardCharsets.UTF_8));
    }
}
