package dev.adnet.maven;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceGeneratorTest {
    static final String BLOCKS = """
            block Hidden(h: int) {
              dense(h) -> relu
            }
            """;

    static String network(String name, int hidden) {
        return """
                import Hidden from "../lib/blocks.adnet"

                network %s {
                  input x: [4]
                  output y: [3]
                  y = x -> Hidden(%d) -> dense(3)
                  train {
                    loss cross_entropy(y)
                    optimizer sgd(lr = 0.1)
                    batch 16
                    epochs 1
                  }
                }
                """.formatted(name, hidden);
    }

    @TempDir
    Path base;

    final List<String> log = new ArrayList<>();

    Path src;
    Path out;
    Path cache;

    @BeforeEach
    void project() throws IOException {
        src = base.resolve("src/main/adnet");
        out = base.resolve("target/generated-sources/adnet");
        cache = base.resolve("target/adnet-cache/generate.cache");
        write("dev/lib/blocks.adnet", BLOCKS);
        write("dev/nets/tiny.adnet", network("Tiny", 8));
        write("dev/nets/wide.adnet", network("Wide", 32));
    }

    SourceGenerator.Result run() throws IOException {
        return run(null);
    }

    SourceGenerator.Result run(String packageName) throws IOException {
        return new SourceGenerator(new GeneratorSettings(base, src, out, cache, packageName), log::add).run();
    }

    void write(String relative, String text) throws IOException {
        Path file = src.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    /** Sets an old modification time, so that a rewrite (even within the same second) shows. */
    static FileTime age(Path file) throws IOException {
        FileTime old = FileTime.fromMillis(1_000_000_000_000L);
        Files.setLastModifiedTime(file, old);
        return old;
    }

    @Test
    void generatesOneClassPerNetworkInTheFoldersPackage() throws IOException {
        SourceGenerator.Result r = run();

        assertThat(r.failed()).isFalse();
        assertThat(r.sources()).isEqualTo(3);
        assertThat(r.compiled()).isEqualTo(3);
        assertThat(r.written()).isEqualTo(2);
        Path tiny = out.resolve("dev/nets/Tiny.java");
        String java = Files.readString(tiny);
        assertThat(java).startsWith("package dev.nets;").contains("class Tiny");
        // Named relative to the project, so the generated code does not depend on where it is checked out.
        assertThat(java).contains("src/main/adnet/dev/nets/tiny.adnet").doesNotContain(base.toString());
        assertThat(out.resolve("dev/nets/Wide.java")).exists();
        assertThat(out.resolve("dev/lib")).doesNotExist();
        assertThat(log).containsExactly("adnet: compiled 3 files of 3: wrote 2 classes in target/generated-sources/adnet");
    }

    @Test
    void aSecondRunWritesNothing() throws IOException {
        run();
        FileTime tiny = age(out.resolve("dev/nets/Tiny.java"));
        FileTime cached = age(cache);
        byte[] cacheBytes = Files.readAllBytes(cache);
        log.clear();

        SourceGenerator.Result r = run();

        assertThat(r.upToDate()).isEqualTo(3);
        assertThat(r.compiled()).isZero();
        assertThat(log).containsExactly("adnet: 3 files up to date, nothing to generate");
        assertThat(Files.getLastModifiedTime(out.resolve("dev/nets/Tiny.java"))).isEqualTo(tiny);
        assertThat(Files.getLastModifiedTime(cache)).isEqualTo(cached);
        assertThat(Files.readAllBytes(cache)).isEqualTo(cacheBytes);
    }

    @Test
    void theCacheRecordsEveryFileACompilationRead() throws IOException {
        run();
        String text = Files.readString(cache);

        assertThat(text).contains("source src/main/adnet/dev/nets/tiny.adnet\n")
                .containsPattern("read [0-9a-f]{64} [0-9]+ [0-9]+ src/main/adnet/dev/lib/blocks.adnet\n")
                .contains("output target/generated-sources/adnet/dev/nets/Tiny.java\n");
    }

    @Test
    void changingAnImportedFileRegeneratesItsImporters() throws IOException {
        run();
        FileTime before = age(out.resolve("dev/nets/Tiny.java"));
        write("dev/lib/blocks.adnet", BLOCKS.replace("relu", "relu -> dense(h) -> relu"));

        SourceGenerator.Result r = run();

        assertThat(r.compiled()).isEqualTo(3);
        assertThat(r.written()).isEqualTo(2);
        assertThat(Files.getLastModifiedTime(out.resolve("dev/nets/Tiny.java"))).isNotEqualTo(before);
    }

    @Test
    void aChangeThatGeneratesTheSameJavaLeavesTheFileUntouched() throws IOException {
        run();
        FileTime before = age(out.resolve("dev/nets/Tiny.java"));
        // Any edit of a source changes the digest recorded inside its class; a lost cache regenerates the same bytes.
        Files.delete(cache);

        SourceGenerator.Result r = run();

        assertThat(r.compiled()).isEqualTo(3);
        assertThat(r.written()).isZero();
        assertThat(r.unchanged()).isEqualTo(2);
        assertThat(Files.getLastModifiedTime(out.resolve("dev/nets/Tiny.java"))).isEqualTo(before);
        assertThat(log.get(log.size() - 1)).isEqualTo(
                "adnet: compiled 3 files of 3: wrote 0 classes (2 unchanged) in target/generated-sources/adnet");
    }

    @Test
    void aTouchedButUnchangedSourceIsNotCompiled() throws IOException {
        run();
        Path tiny = src.resolve("dev/nets/tiny.adnet");
        Files.setLastModifiedTime(tiny, FileTime.fromMillis(Files.getLastModifiedTime(tiny).toMillis() + 5_000));
        log.clear();

        SourceGenerator.Result r = run();

        assertThat(r.compiled()).isZero();
        assertThat(log).containsExactly("adnet: 3 files up to date, nothing to generate");
    }

    @Test
    void anEditOfTheSameSizeIsNoticed() throws IOException {
        run();
        Path wide = src.resolve("dev/nets/wide.adnet");
        FileTime time = Files.getLastModifiedTime(wide);
        // Same size (32 -> 64 keeps the length), new content, new time: the digest decides.
        write("dev/nets/wide.adnet", network("Wide", 64));
        Files.setLastModifiedTime(wide, FileTime.fromMillis(time.toMillis() + 1_000));

        SourceGenerator.Result r = run();

        assertThat(r.compiled()).isEqualTo(1);
        assertThat(Files.readString(out.resolve("dev/nets/Wide.java"))).contains("64");
    }

    @Test
    void aDeletedSourceTakesItsClassWithIt() throws IOException {
        run();
        Files.delete(src.resolve("dev/nets/wide.adnet"));

        SourceGenerator.Result r = run();

        assertThat(r.removed()).isEqualTo(1);
        assertThat(r.compiled()).isZero();
        assertThat(out.resolve("dev/nets/Wide.java")).doesNotExist();
        assertThat(out.resolve("dev/nets/Tiny.java")).exists();
        assertThat(Files.readString(cache)).doesNotContain("wide.adnet");
        assertThat(log.get(log.size() - 1)).contains("removed 1 stale class");
    }

    @Test
    void aRenamedSourceMovesItsClass() throws IOException {
        run();
        Files.delete(src.resolve("dev/nets/wide.adnet"));
        write("dev/other/wide.adnet", network("Wide", 32));

        SourceGenerator.Result r = run();

        assertThat(r.failed()).isFalse();
        assertThat(out.resolve("dev/nets/Wide.java")).doesNotExist();
        assertThat(Files.readString(out.resolve("dev/other/Wide.java"))).contains("package dev.other;");
    }

    @Test
    void aDeletedOutputIsWrittenAgain() throws IOException {
        run();
        Files.delete(out.resolve("dev/nets/Tiny.java"));

        SourceGenerator.Result r = run();

        assertThat(r.compiled()).isEqualTo(1);
        assertThat(out.resolve("dev/nets/Tiny.java")).exists();
    }

    @Test
    void errorsArePositionedAndNothingIsWritten() throws IOException {
        run();
        byte[] cacheBefore = Files.readAllBytes(cache);
        String tinyBefore = Files.readString(out.resolve("dev/nets/Tiny.java"));
        write("dev/nets/tiny.adnet", network("Tiny", 8).replace("dense(3)", "dense(3, strid = 2)"));
        write("dev/nets/wide.adnet", network("Wide", 64));

        SourceGenerator.Result r = run();

        assertThat(r.failed()).isTrue();
        assertThat(r.errorFiles()).isEqualTo(1);
        assertThat(r.errors()).hasSize(1);
        assertThat(r.errors().get(0)).startsWith("src/main/adnet/dev/nets/tiny.adnet:6:34: error[ADN203]: 'dense' has no parameter 'strid'")
                .contains("\n      y = x -> Hidden(8) -> dense(3, strid = 2)\n")
                .endsWith("\n" + " ".repeat(37) + "^~~~~");
        // All or nothing: the clean file's class is not written either, and the cache still describes the disk.
        assertThat(Files.readAllBytes(cache)).isEqualTo(cacheBefore);
        assertThat(Files.readString(out.resolve("dev/nets/Tiny.java"))).isEqualTo(tinyBefore);
        assertThat(Files.readString(out.resolve("dev/nets/Wide.java"))).contains("32");

        write("dev/nets/tiny.adnet", network("Tiny", 8));
        SourceGenerator.Result fixed = run();

        assertThat(fixed.failed()).isFalse();
        // tiny.adnet is back to the bytes its class was generated from: only wide.adnet is compiled.
        assertThat(fixed.compiled()).isEqualTo(1);
        assertThat(Files.readString(out.resolve("dev/nets/Wide.java"))).contains("64");
    }

    @Test
    void aMissingImportIsReportedAtTheImport() throws IOException {
        write("dev/nets/tiny.adnet", network("Tiny", 8).replace("../lib/blocks.adnet", "../lib/nope.adnet"));

        SourceGenerator.Result r = run();

        assertThat(r.errors()).anySatisfy(e -> assertThat(e).startsWith("src/main/adnet/dev/nets/tiny.adnet:1:20: error[ADN"));
        assertThat(out).doesNotExist();
        assertThat(cache).doesNotExist();
    }

    @Test
    void aConfiguredPackageWinsOverFolders() throws IOException {
        SourceGenerator.Result r = run("com.example.nets");

        assertThat(r.failed()).isFalse();
        assertThat(Files.readString(out.resolve("com/example/nets/Tiny.java"))).contains("package com.example.nets;");
    }

    @Test
    void changingThePackageRegeneratesAndRemovesTheOldClasses() throws IOException {
        run();

        run("com.example.nets");

        assertThat(out.resolve("dev")).doesNotExist();
        assertThat(out.resolve("com/example/nets/Wide.java")).exists();
    }

    @Test
    void aFolderThatIsNoPackageIsAnError() throws IOException {
        write("dev/my-nets/x.adnet", network("X", 4));

        SourceGenerator.Result r = run();

        assertThat(r.errors()).containsExactly("src/main/adnet/dev/my-nets/x.adnet: error: its folder 'dev/my-nets' is not a Java "
                + "package name; rename the folder or set <packageName>");
    }

    @Test
    void twoFilesGeneratingTheSameClassIsAnError() throws IOException {
        write("dev/nets/copy.adnet", network("Tiny", 16));

        SourceGenerator.Result r = run();

        assertThat(r.errors()).containsExactly("src/main/adnet/dev/nets/tiny.adnet: error: network 'Tiny' generates "
                + "target/generated-sources/adnet/dev/nets/Tiny.java, as src/main/adnet/dev/nets/copy.adnet does; rename "
                + "one of the networks or give the files different folders");
    }

    @Test
    void noSourceFolderIsNotAnError() throws IOException {
        src = base.resolve("src/test/adnet");

        SourceGenerator.Result r = run();

        assertThat(r.failed()).isFalse();
        assertThat(r.sources()).isZero();
        assertThat(log).containsExactly("adnet: no .adnet files in src/test/adnet");
    }
}
