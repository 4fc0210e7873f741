package dev.adnet.maven.bench;

import dev.adnet.maven.GeneratorSettings;
import dev.adnet.maven.SourceGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * What a no-op rebuild costs: a project of 50 {@code .adnet} files (each importing a shared file of blocks) is
 * generated once, then the generator runs again with nothing changed, {@code runs} times; the median is what the
 * plugin adds to a build that changed no source. With {@code --mvn MVN LOCAL_REPO}, also the wall time of
 * {@code MVN generate-sources} on that project against the same project without the plugin (Maven's own start
 * included, so the difference is the plugin's share).
 *
 * <pre>
 * ./mvnw -q -o -pl maven-plugin -am verify -DskipTests      # once: the plugin in maven-plugin/target/local-repo
 * java -cp "maven-plugin/target/test-classes:maven-plugin/target/classes:..." dev.adnet.maven.bench.NoOpRebuildBenchmark \
 *     [files=50] [runs=21] [--mvn ~/.m2/wrapper/dists/apache-maven-3.9.9/(hash)/bin/mvn maven-plugin/target/local-repo]
 * </pre>
 */
public final class NoOpRebuildBenchmark {
    private NoOpRebuildBenchmark() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int files = 50;
        int runs = 21;
        Path mvn = null;
        Path repo = null;
        if (args.length == 2 && args[0].equals("--cold-noop")) {
            coldNoOp(Path.of(args[1]));
            return;
        }
        for (int i = 0; i < args.length; i++) {
            if (args[i].startsWith("files=")) {
                files = Integer.parseInt(args[i].substring(6));
            } else if (args[i].startsWith("runs=")) {
                runs = Integer.parseInt(args[i].substring(5));
            } else if (args[i].equals("--mvn") && i + 2 < args.length) {
                mvn = Path.of(args[++i]).toAbsolutePath();
                repo = Path.of(args[++i]).toAbsolutePath();
            } else {
                throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path project = Files.createTempDirectory("adnet-noop-bench");
        writeSources(project, files);
        GeneratorSettings settings = new GeneratorSettings(project, Path.of("src/main/adnet"),
                Path.of("target/generated-sources/adnet"), Path.of("target/adnet-cache/generate.cache"), null);

        long t0 = System.nanoTime();
        SourceGenerator.Result cold = new SourceGenerator(settings, s -> { }).run();
        double coldMs = (System.nanoTime() - t0) / 1e6;
        if (cold.failed() || cold.written() != files) {
            throw new IllegalStateException("cold run: " + cold);
        }
        double[] noop = new double[runs];
        for (int r = 0; r < runs; r++) {
            long s = System.nanoTime();
            SourceGenerator.Result again = new SourceGenerator(settings, m -> { }).run();
            noop[r] = (System.nanoTime() - s) / 1e6;
            if (again.compiled() != 0 || again.upToDate() != files + 1) {
                throw new IllegalStateException("not a no-op: " + again);
            }
        }
        System.out.printf(Locale.ROOT, "generator, %d files (+1 imported): cold %.0f ms; no-op median %.2f ms, min %.2f, max %.2f "
                + "(%d runs, same JVM)%n", files, coldMs, median(noop), Arrays.stream(noop).min().orElseThrow(),
                Arrays.stream(noop).max().orElseThrow(), runs);

        // The plugin's code is cold in each Maven build: one no-op run in a new JVM, timed inside it (class loading
        // of the generator and the first, interpreted digests included; the JVM's start is not).
        double[] fresh = new double[7];
        double[] freshCpu = new double[fresh.length];
        for (int r = 0; r < fresh.length; r++) {
            Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), NoOpRebuildBenchmark.class.getName(), "--cold-noop", project.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("cold no-op failed: " + out);
            }
            String[] times = out.split(" ");
            fresh[r] = Double.parseDouble(times[0]);
            freshCpu[r] = Double.parseDouble(times[1]);
        }
        System.out.printf(Locale.ROOT, "generator, no-op in a new JVM (code cold): median %.1f ms, min %.1f, max %.1f; "
                + "CPU time of the thread median %.1f ms (%d runs)%n", median(fresh), Arrays.stream(fresh).min().orElseThrow(),
                Arrays.stream(fresh).max().orElseThrow(), median(freshCpu), fresh.length);

        if (mvn != null) {
            writePom(project, true);
            Path plain = Files.createTempDirectory("adnet-noop-bench-plain");
            writePom(plain, false);
            int mvnRuns = 7;
            mavenRun(mvn, repo, plain);
            mavenRun(mvn, repo, project);
            double[] with = new double[mvnRuns];
            double[] skipped = new double[mvnRuns];
            double[] without = new double[mvnRuns];
            for (int r = 0; r < mvnRuns; r++) {
                without[r] = mavenRun(mvn, repo, plain);
                skipped[r] = mavenRun(mvn, repo, project, "-Dadnet.skip");
                with[r] = mavenRun(mvn, repo, project);
            }
            // "skipped" loads the plugin but generates nothing: with - skipped is the no-op check itself,
            // skipped - without is Maven resolving and loading the plugin.
            System.out.printf(Locale.ROOT, "mvn generate-sources, no-op (median of %d, interleaved): without the plugin %.0f ms, "
                    + "with it but adnet.skip %.0f ms, with it %.0f ms; the plugin adds %.0f ms (its no-op check %.0f ms)%n",
                    mvnRuns, median(without), median(skipped), median(with), median(with) - median(without),
                    median(with) - median(skipped));
        }
    }

    private static void coldNoOp(Path project) throws IOException {
        GeneratorSettings settings = new GeneratorSettings(project, Path.of("src/main/adnet"),
                Path.of("target/generated-sources/adnet"), Path.of("target/adnet-cache/generate.cache"), null);
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long cpu0 = threads.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        SourceGenerator.Result r = new SourceGenerator(settings, m -> { }).run();
        double ms = (System.nanoTime() - t0) / 1e6;
        double cpuMs = (threads.getCurrentThreadCpuTime() - cpu0) / 1e6;
        if (r.compiled() != 0) {
            throw new IllegalStateException("not a no-op: " + r);
        }
        System.out.println(String.format(Locale.ROOT, "%.2f %.2f", ms, cpuMs));
    }

    static void writeSources(Path project, int files) throws IOException {
        Path src = project.resolve("src/main/adnet/bench");
        Files.createDirectories(src.resolve("lib"));
        Files.writeString(src.resolve("lib/blocks.adnet"), """
                block Basic(c: int) {
                  conv(c, 3, bias = false) -> batchnorm -> relu -> conv(c, 3, bias = false) -> batchnorm
                }
                """, StandardCharsets.UTF_8);
        for (int i = 0; i < files; i++) {
            Files.writeString(src.resolve("net" + i + ".adnet"), """
                    import Basic from "lib/blocks.adnet"

                    network Net%d {
                      input image: [1, 28, 28]
                      output logits: [10]
                      stem = image -> conv(%d, 3, bias = false) -> batchnorm -> relu
                      logits = stem -> residual Basic(%d) -> relu -> global_avg_pool -> dense(10)
                      train {
                        loss cross_entropy(logits)
                        optimizer sgd(lr = 0.05, momentum = 0.9)
                        batch 64
                        epochs 1
                      }
                    }
                    """.formatted(i, 8 + i, 8 + i), StandardCharsets.UTF_8);
        }
    }

    static void writePom(Path dir, boolean withPlugin) throws IOException {
        String version = System.getProperty("adnet.version", "0.1.0-SNAPSHOT");
        String plugin = withPlugin ? """
                  <build>
                    <plugins>
                      <plugin>
                        <groupId>dev.adnet</groupId>
                        <artifactId>adnet-maven-plugin</artifactId>
                        <version>%s</version>
                        <executions><execution><goals><goal>generate</goal></goals></execution></executions>
                      </plugin>
                    </plugins>
                  </build>
                """.formatted(version) : "";
        Files.writeString(dir.resolve("pom.xml"), """
                <project xmlns="http://maven.apache.org/POM/4.0.0">
                  <modelVersion>4.0.0</modelVersion>
                  <groupId>dev.adnet.bench</groupId>
                  <artifactId>noop-%s</artifactId>
                  <version>1</version>
                  <packaging>pom</packaging>
                %s</project>
                """.formatted(withPlugin ? "with" : "without", plugin), StandardCharsets.UTF_8);
    }

    /**
     * Settings like the integration tests': the local repository the tests filled, backed by the user's, so that
     * Maven finds everything without the network (Maven Central stays behind it, and is not needed).
     */
    static Path settings() throws IOException {
        Path file = Files.createTempFile("adnet-bench-settings", ".xml");
        String url = Path.of(System.getProperty("user.home"), ".m2", "repository").toUri().toString();
        Files.writeString(file, """
                <settings>
                  <profiles>
                    <profile>
                      <id>it-repo</id>
                      <activation><activeByDefault>true</activeByDefault></activation>
                      <repositories><repository><id>local.central</id><url>%1$s</url></repository></repositories>
                      <pluginRepositories><pluginRepository><id>local.central</id><url>%1$s</url></pluginRepository></pluginRepositories>
                    </profile>
                  </profiles>
                </settings>
                """.formatted(url), StandardCharsets.UTF_8);
        return file;
    }

    private static Path settings;

    static double mavenRun(Path mvn, Path repo, Path project, String... extra) throws IOException, InterruptedException {
        if (settings == null) {
            settings = settings();
        }
        List<String> cmd = new ArrayList<>(List.of(mvn.toString(), "-B", "-q", "-s", settings.toString(),
                "-Dmaven.repo.local=" + repo, "generate-sources"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(project.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        long t0 = System.nanoTime();
        int rc = pb.start().waitFor();
        double ms = (System.nanoTime() - t0) / 1e6;
        if (rc != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed in " + project + " (exit " + rc + ")");
        }
        return ms;
    }

    static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
