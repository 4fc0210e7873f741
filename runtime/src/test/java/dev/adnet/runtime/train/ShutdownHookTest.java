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

    /**
     * Whether this process ignores SIGINT (bit 2 of {@code SigIgn} in {@code /proc/self/status}): a non-interactive
     * shell starts background jobs so, and a JVM keeps an ignored SIGINT ignored, as will the child it starts.
     */
    private static boolean interruptIgnored() {
        try {
            for (String line : java.nio.file.Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return (Long.parseLong(line.substring(7).trim(), 16) & 0x2) != 0;
                }
            }
        } catch (java.io.IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /**
     * Ctrl-C (SIGINT) stops training through the shutdown hook with a checkpoint of the last completed step. Where
     * SIGINT cannot reach the child (an ignored SIGINT is inherited), SIGTERM takes the same shutdown path.
     */
    @Test
    void interruptSignalCheckpointsTheLastCompletedStepAndExits() throws Exception {
        boolean ignored = interruptIgnored();
        String signal = ignored ? "-TERM" : "-INT";
        int exitCode = ignored ? 143 : 130; // 128 + the signal: the JVM exited through its shutdown sequence
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
                    new ProcessBuilder("kill", signal, Long.toString(p.pid())).inheritIO().start().waitFor();
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
        assertThat(p.exitValue()).isEqualTo(exitCode);
        Checkpoint c = Checkpoints.read(dir.resolve(Trainer.LAST));
        assertThat(c.trainer().step()).isGreaterThanOrEqualTo(6);
        assertThat(c.trainer().epoch()).isZero();
        assertThat(c.trainer().batchInEpoch()).isEqualTo((int) c.trainer().step());
        assertThat(c.optimizer().scalars().get("step")).isEqualTo((double) c.trainer().step());
    }
}
