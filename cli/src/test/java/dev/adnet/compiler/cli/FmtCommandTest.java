package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FmtCommandTest {
    private static final String MESSY = "network N{input x:[4]\noutput y:[4]\ny=x->dense(4)}\n";
    private static final String TIDY = "network N { input x: [4]\n  output y: [4]\n  y = x -> dense(4) }\n";

    @TempDir
    Path dir;

    @Test
    void rewritesFilesInTheCanonicalLayout() throws IOException {
        Path file = Files.writeString(dir.resolve("n.adnet"), MESSY);
        Cli.Run r = Cli.run("fmt", file.toString());
        assertThat(r.exit()).as("%s", r).isZero();
        assertThat(Files.readString(file)).isEqualTo(TIDY);
        assertThat(Cli.run("fmt", "--check", file.toString()).exit()).isZero();
    }

    @Test
    void checkListsUnformattedFilesAndChangesNothing() throws IOException {
        Path messy = Files.writeString(dir.resolve("messy.adnet"), MESSY);
        Path tidy = Files.writeString(dir.resolve("tidy.adnet"), TIDY);
        Cli.Run r = Cli.run("fmt", "--check", messy.toString(), tidy.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.out()).isEqualTo(messy + System.lineSeparator());
        assertThat(Files.readString(messy)).isEqualTo(MESSY);
    }

    @Test
    void aFileThatDoesNotParseIsReportedWithItsPositionAndLeftAlone() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.adnet"), "network N {\n  y = x ->\n}\n");
        Cli.Run r = Cli.run("fmt", bad.toString(), dir.resolve("missing.adnet").toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains(bad + ":3:1: error[").contains("missing.adnet:1:1: error: no such file");
        assertThat(Files.readString(bad)).isEqualTo("network N {\n  y = x ->\n}\n");
    }
}
