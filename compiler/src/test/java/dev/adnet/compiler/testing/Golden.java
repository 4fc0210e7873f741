package dev.adnet.compiler.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.opentest4j.AssertionFailedError;

/**
 * The one golden-file mechanism of the tests (generated Java, diagnostics, IR): an actual text is compared with a
 * file under {@code compiler/src/test/resources/golden/}, which {@code -Dadnet.updateGolden=true} rewrites instead.
 * A mismatch names the file, its first differing line in both versions, and the command that updates every golden
 * file; reviewing that command's {@code git diff} is how a change of the compiler's output is checked.
 */
public final class Golden {
    /** The command that rewrites every golden file, from the repository's root. */
    public static final String UPDATE_COMMAND = "./mvnw -B -ntp -q -pl compiler -am test -Dtest='*Golden*'"
            + " -Dsurefire.failIfNoSpecifiedTests=false -Dadnet.updateGolden=true";

    private static final boolean UPDATE = Boolean.getBoolean("adnet.updateGolden");
    private static final Path ROOT = findRoot();

    private Golden() {}

    /** Whether this run rewrites the golden files. */
    public static boolean updating() {
        return UPDATE;
    }

    /** The repository's root: the working directory is the module's under Maven, the root's in some IDEs. */
    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("compiler/src/test/resources/golden"))) {
                return p;
            }
        }
        throw new IllegalStateException("no compiler/src/test/resources/golden above " + Path.of("").toAbsolutePath());
    }

    /** A path relative to the repository's root ({@code samples/src/main/adnet}). */
    public static Path fromRoot(String relative) {
        return ROOT.resolve(relative);
    }

    /** A directory of golden files, {@code compiler/src/test/resources/golden/NAME}. */
    public static Path dir(String name) {
        return fromRoot("compiler/src/test/resources/golden").resolve(name);
    }

    /** The names of the files in {@code dir} ending with {@code suffix}, sorted: the cases of a golden test. */
    public static Stream<String> files(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(suffix)).sorted().toList().stream();
        }
    }

    /** Checks {@code actual} against {@code golden}, or writes it there when updating. */
    public static void check(Path golden, String actual) throws IOException {
        if (UPDATE) {
            Files.createDirectories(golden.getParent());
            if (!Files.exists(golden) || !Files.readString(golden, StandardCharsets.UTF_8).equals(actual)) {
                Files.writeString(golden, actual, StandardCharsets.UTF_8);
            }
            return;
        }
        if (!Files.exists(golden)) {
            throw new AssertionFailedError("golden file " + shown(golden) + " is missing; create it with\n  "
                    + UPDATE_COMMAND);
        }
        String expected = Files.readString(golden, StandardCharsets.UTF_8);
        if (!expected.equals(actual)) {
            throw new AssertionFailedError(mismatch(golden, expected, actual), expected, actual);
        }
    }

    /**
     * Checks that {@code golden} does not exist (an output that equals another case's is not pinned twice), or
     * deletes it when updating.
     */
    public static void checkAbsent(Path golden, String why) throws IOException {
        if (UPDATE) {
            Files.deleteIfExists(golden);
        } else if (Files.exists(golden)) {
            throw new AssertionFailedError("golden file " + shown(golden) + " should not exist (" + why
                    + "); delete it with\n  " + UPDATE_COMMAND);
        }
    }

    /** The file's path from the repository's root. */
    private static Path shown(Path golden) {
        return ROOT.relativize(golden.toAbsolutePath().normalize());
    }

    private static String mismatch(Path golden, String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        int line = 0;
        while (line < e.length && line < a.length && e[line].equals(a[line])) {
            line++;
        }
        return "generated text differs from golden file " + shown(golden) + " at line " + (line + 1)
                + "\n  golden: " + (line < e.length ? e[line] : "<end of file>")
                + "\n  actual: " + (line < a.length ? a[line] : "<end of file>")
                + "\nIf the change is intended, update every golden file and review the diff:\n  " + UPDATE_COMMAND;
    }
}
