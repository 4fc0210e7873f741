package dev.adnet.compiler.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.adnet.compiler.cli.Cli.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code adnet compile}: what it writes, what it refuses, and that the Java it writes compiles cleanly. */
class CompileCommandTest {
    static final String TWO_NETWORKS = """
            block Basic(c: int) {
              conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
            }

            network Tiny {
              input image: [1, 28, 28]
              output logits: [10]
              logits = image -> conv(8, 3) -> batchnorm -> relu -> residual Basic(8) -> relu
                -> max_pool(2) -> flatten -> dense(10)
              train {
                loss cross_entropy(logits)
                optimizer adam(lr = 1e-3)
              }
            }

            network Mlp {
              input x: [16]
              output y: [4]
              y = x -> dense(32) -> layernorm -> gelu -> dropout(0.1) -> dense(4)
            }
            """;

    static final String BROKEN = """
            network Broken {
              input x: [16]
              output y: [4]
              y = x -> dense(32) -> frobnicate -> dense(4)
            }
            """;

    @TempDir
    Path dir;

    private Path source(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text, StandardCharsets.UTF_8);
    }

    private static List<Path> filesUnder(Path root) throws IOException {
        if (!Files.exists(root)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(root::relativize).sorted().toList();
        }
    }

    @Test
    void writesOneClassPerNetworkUnderThePackagePath() throws IOException {
        Path src = source("nets.adnet", TWO_NETWORKS);
        Path out = dir.resolve("out");
        Run r = Cli.run("compile", src.toString(), "-d", out.toString(), "--package", "com.example.nets");
        assertThat(r.exit()).as("%s", r).isEqualTo(Main.OK);
        assertThat(r.err()).isEmpty();
        assertThat(filesUnder(out)).containsExactly(Path.of("com/example/nets/Mlp.java"), Path.of("com/example/nets/Tiny.java"));
        assertThat(r.out().lines()).hasSize(2).allMatch(l -> l.startsWith("wrote " + out));
        assertThat(Files.readString(out.resolve("com/example/nets/Tiny.java"))).contains("package com.example.nets;");
    }

    /**
     * The written files compile with the system javac, {@code -Xlint:all -Werror}, against the test class path, with
     * no diagnostic at all. (javac's command-line entry point, {@code javac.run}, would also print [path] warnings
     * about {@code Class-Path} manifest entries of third-party jars in the local repository (jna-platform,
     * openblas) that do not exist; they concern the class path, not the generated code, and the compiler API
     * used here, like {@code adnet train}'s in-memory compiler, does not report them.)
     */
    @Test
    void writtenSourceCompilesWithJavacLintAllWerror() throws IOException {
        Path src = source("nets.adnet", TWO_NETWORKS);
        Path out = dir.resolve("java");
        assertThat(Cli.run("compile", src.toString(), "-d", out.toString()).exit()).isEqualTo(Main.OK);
        Path classes = Files.createDirectory(dir.resolve("classes"));
        List<String> options = List.of("-Xlint:all", "-Werror", "-proc:none", "-encoding", "UTF-8",
                "-classpath", System.getProperty("java.class.path"), "-d", classes.toString());
        List<Path> sources = filesUnder(out).stream().map(out::resolve).toList();
        assertThat(sources).hasSize(2);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            Boolean ok = javac.getTask(null, files, diagnostics, options, null, files.getJavaFileObjectsFromPaths(sources)).call();
            assertThat(diagnostics.getDiagnostics()).as("javac's diagnostics").isEmpty();
            assertThat(ok).isTrue();
        }
        assertThat(classes.resolve("adnet/generated/Tiny.class")).isRegularFile();
        assertThat(classes.resolve("adnet/generated/Mlp.class")).isRegularFile();
    }

    @Test
    void aFileWithErrorsWritesNothing() throws IOException {
        Path good = source("nets.adnet", TWO_NETWORKS);
        Path bad = source("broken.adnet", BROKEN);
        Path out = Files.createDirectory(dir.resolve("out"));
        Run r = Cli.run("compile", good.toString(), bad.toString(), "-d", out.toString());
        assertThat(r.exit()).isEqualTo(Main.DIAGNOSTICS);
        assertThat(r.err()).contains(bad + ":4:").contains("frobnicate").endsWith("1 error\n");
        assertThat(r.out()).isEmpty();
        try (Stream<Path> s = Files.list(out)) {
            assertThat(s).as("the output directory stays empty").isEmpty();
        }
    }

    @Test
    void anInvalidPackageIsAUsageError() throws IOException {
        Path src = source("nets.adnet", TWO_NETWORKS);
        Path out = dir.resolve("out");
        for (String p : List.of("1bad", "a..b", "a.", "with space", "com.example.class", "int", "a.true.b")) {
            Run r = Cli.run("compile", src.toString(), "-d", out.toString(), "--package", p);
            assertThat(r.exit()).as("--package %s: %s", p, r).isEqualTo(Main.USAGE);
            assertThat(r.err()).isEqualTo("adnet: --package '" + p + "' is not a Java package name\n");
        }
        assertThat(out).doesNotExist();
    }
}
