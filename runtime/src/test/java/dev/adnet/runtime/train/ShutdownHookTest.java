package dev.adnet.runtime.train;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.runtime.checkpoint.Checkpoint;
import dev.adnet.runtime.checkpoint.Checkpoints;
import dev.adnet.runtime.testing.TrainUntilKilled;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ShutdownHookTest {
    @TempDir
    Path dir;

    @Test
    void interruptSignalCheckpointsTheLastCompletedStepAndExits() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), TrainUntilKilled.class.getName(),
                dir.toString()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            boolean signalled = false;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (!signalled && line.equals("READY")) {
                    // SIGINT, what Ctrl-C sends (Process.destroy would close our end of the pipe)
                    new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start().waitFor();
                    signalled = true;
                }
            }
        } finally {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(out).contains("READY").contains("stopped at epoch 1").contains("checkpoint written to")
                .doesNotContain("completed=true");
        assertThat(p.exitValue()).isEqualTo(130); // 128 + SIGINT: the JVM exited through its shutdown sequence
        Checkpoint c = Checkpoints.read(dir.resolve(Trainer.LAST));
        assertThat(c.trainer().step()).isGreaterThanOrEqualTo(6);
        assertThat(c.trainer().epoch()).isZero();
        assertThat(c.trainer().batchInEpoch()).isEqualTo((int) c.trainer().step());
        assertThat(c.optimizer().scalars().get("step")).isEqualTo((double) c.trainer().step());
    }
}
