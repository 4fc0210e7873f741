package dev.adnet.maven;

import com.palantir.javapoet.JavaFile;
import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.CompiledNetwork;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.diag.DiagnosticFormatter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import javax.lang.model.SourceVersion;

/**
 * One run of the {@code generate} goal without Maven: finds the {@code .adnet} files, decides from the digest
 * cache which are out of date, compiles those through the {@link Compiler} facade, writes the Java that changed,
 * removes the outputs of sources that are gone, and records the new state.
 *
 * <p>All or nothing: when any file has an error, nothing is written and the cache is left as it was (it still
 * describes the outputs on disk), so the next run compiles the same files again.
 */
public final class SourceGenerator {
    private static final String EXTENSION = ".adnet";

    private final GeneratorSettings settings;
    private final Consumer<String> info;
    private final FileDigests digests = new FileDigests();

    public SourceGenerator(GeneratorSettings settings, Consumer<String> info) {
        this.settings = settings;
        this.info = info;
    }

    /**
     * What a run did.
     *
     * @param sources how many {@code .adnet} files there are
     * @param upToDate how many of them needed nothing
     * @param compiled how many were compiled
     * @param written Java files written (new or changed)
     * @param unchanged Java files regenerated with the same bytes, left untouched
     * @param removed Java files deleted because their source is gone or no longer declares the network
     * @param errors each error rendered as {@code file:line:col: error[ADNxxx]: message}, its source line and a
     *     caret; empty on success
     * @param errorFiles how many files had errors
     */
    public record Result(int sources, int upToDate, int compiled, int written, int unchanged, int removed,
            List<String> errors, int errorFiles) {
        public Result {
            errors = List.copyOf(errors);
        }

        public boolean failed() {
            return !errors.isEmpty();
        }
    }

    public Result run() throws IOException {
        List<Path> sources = findSources();
        String fingerprint = fingerprint();
        Map<String, GenerationCache.Entry> previous = GenerationCache.read(settings.cacheFile(), null);
        Map<String, GenerationCache.Entry> cache = GenerationCache.read(settings.cacheFile(), fingerprint);

        List<Path> stale = new ArrayList<>();
        for (Path source : sources) {
            GenerationCache.Entry entry = cache.get(settings.display(source));
            if (entry == null || !upToDate(entry)) {
                stale.add(source);
            }
        }
        Set<String> present = new LinkedHashSet<>();
        sources.forEach(s -> present.add(settings.display(s)));
        boolean vanished = previous.size() != cache.size() || cache.keySet().stream().anyMatch(s -> !present.contains(s));
        if (stale.isEmpty() && !vanished) {
            info.accept(sources.isEmpty() ? "adnet: no " + EXTENSION + " files in " + settings.display(settings.sourceDirectory())
                    : "adnet: " + count(sources.size(), "file") + " up to date, nothing to generate");
            return new Result(sources.size(), sources.size(), 0, 0, 0, 0, List.of(), 0);
        }

        // Compile every out-of-date file; nothing is written unless all of them are clean.
        Map<String, GenerationCache.Entry> next = new TreeMap<>();
        for (Map.Entry<String, GenerationCache.Entry> e : cache.entrySet()) {
            if (present.contains(e.getKey())) {
                next.put(e.getKey(), e.getValue());
            }
        }
        Map<String, byte[]> generated = new LinkedHashMap<>();
        Map<String, String> generatedBy = new HashMap<>();
        Set<String> errors = new LinkedHashSet<>();
        int errorFiles = 0;
        for (Path source : stale) {
            String name = settings.display(source);
            Compilation c = compile(source);
            if (c.result.hasErrors()) {
                errorFiles++;
                DiagnosticFormatter f = new DiagnosticFormatter(c.result.sources());
                c.result.diagnostics().forEach(d -> errors.add(f.format(d).stripTrailing()));
                continue;
            }
            String javaPackage = packageOf(source, errors);
            if (javaPackage == null) {
                errorFiles++;
                continue;
            }
            List<String> outputs = new ArrayList<>();
            for (CompiledNetwork n : c.result.networks()) {
                JavaFile java = n.toJava(javaPackage);
                Path out = settings.outputDirectory().resolve(javaPackage.replace('.', '/')).resolve(java.typeSpec().name() + ".java");
                String shown = settings.display(out);
                String other = generatedBy.putIfAbsent(shown, name);
                if (other != null) {
                    errors.add(name + ": error: network '" + n.graph().name() + "' generates " + shown + ", as " + other
                            + " does; rename one of the networks or give the files different folders");
                    continue;
                }
                generated.put(shown, java.toString().getBytes(StandardCharsets.UTF_8));
                outputs.add(shown);
            }
            next.put(name, new GenerationCache.Entry(c.reads, outputs));
        }
        // A class generated now may collide with one an up-to-date file generated before.
        for (Map.Entry<String, GenerationCache.Entry> e : next.entrySet()) {
            if (stale.stream().noneMatch(s -> settings.display(s).equals(e.getKey()))) {
                for (String out : e.getValue().outputs()) {
                    String other = generatedBy.get(out);
                    if (other != null) {
                        errors.add(other + ": error: a network generates " + out + ", as " + e.getKey()
                                + " does; rename one of the networks or give the files different folders");
                    }
                }
            }
        }
        if (!errors.isEmpty()) {
            return new Result(sources.size(), sources.size() - stale.size(), stale.size(), 0, 0, 0, List.copyOf(errors),
                    Math.max(errorFiles, 1));
        }

        int written = 0;
        int unchanged = 0;
        for (Map.Entry<String, byte[]> g : generated.entrySet()) {
            Path target = settings.baseDirectory().resolve(g.getKey());
            if (sameContent(target, g.getValue())) {
                unchanged++;
            } else {
                GenerationCache.writeAtomically(target, g.getValue());
                written++;
            }
        }
        Set<String> keep = new LinkedHashSet<>();
        next.values().forEach(e -> keep.addAll(e.outputs()));
        int removed = 0;
        for (GenerationCache.Entry e : previous.values()) {
            for (String out : e.outputs()) {
                if (!keep.contains(out) && delete(settings.baseDirectory().resolve(out))) {
                    removed++;
                }
            }
        }
        GenerationCache.write(settings.cacheFile(), fingerprint, next);
        info.accept("adnet: compiled " + count(stale.size(), "file") + " of " + sources.size() + ": wrote "
                + count(written, "class", "classes") + (unchanged > 0 ? " (" + unchanged + " unchanged)" : "")
                + (removed > 0 ? ", removed " + count(removed, "stale class", "stale classes") : "")
                + " in " + settings.display(settings.outputDirectory()));
        return new Result(sources.size(), sources.size() - stale.size(), stale.size(), written, unchanged, removed, List.of(), 0);
    }

    /** The source folder's {@code .adnet} files, sorted. */
    private List<Path> findSources() throws IOException {
        Path dir = settings.sourceDirectory();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> p.getFileName().toString().endsWith(EXTENSION) && Files.isRegularFile(p)).sorted().toList();
        }
    }

    private boolean upToDate(GenerationCache.Entry entry) throws IOException {
        for (Map.Entry<String, GenerationCache.Read> read : entry.reads().entrySet()) {
            if (!digests.unchanged(settings.baseDirectory().resolve(read.getKey()), read.getValue())) {
                return false;
            }
        }
        for (String out : entry.outputs()) {
            if (!Files.isRegularFile(settings.baseDirectory().resolve(out))) {
                return false;
            }
        }
        return !entry.reads().isEmpty();
    }

    /** A file's compilation and the digest of every file it read. */
    private record Compilation(CompileResult result, Map<String, GenerationCache.Read> reads) {}

    private Compilation compile(Path source) {
        Map<String, GenerationCache.Read> reads = new java.util.concurrent.ConcurrentHashMap<>();
        Compiler compiler = new Compiler(path -> {
            // Stat before reading: if the file changes in between, its recorded time is older than its content and
            // the next run hashes it again rather than trusting it.
            GenerationCache.Read stamp = FileDigests.stat(path);
            byte[] bytes = Files.readAllBytes(path);
            if (stamp != null) {
                reads.put(settings.display(path), new GenerationCache.Read(FileDigests.sha256(bytes), stamp.size(), stamp.modified()));
            }
            return bytes;
        }, settings.baseDirectory());
        CompileResult result = compiler.check(List.of(settings.baseDirectory().relativize(source)));
        return new Compilation(result, new TreeMap<>(reads));
    }

    /** The configured package, else the source's folder below the source directory; null after adding an error. */
    private String packageOf(Path source, Set<String> errors) {
        if (settings.packageName() != null) {
            if (!SourceVersion.isName(settings.packageName(), SourceVersion.RELEASE_17)) {
                errors.add("error: packageName '" + settings.packageName() + "' is not a Java package name");
                return null;
            }
            return settings.packageName();
        }
        Path folder = settings.sourceDirectory().relativize(source).getParent();
        if (folder == null) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        folder.forEach(p -> parts.add(p.toString()));
        String pkg = String.join(".", parts);
        if (!SourceVersion.isName(pkg, SourceVersion.RELEASE_17)) {
            errors.add(settings.display(source) + ": error: its folder '" + folder.toString().replace('\\', '/')
                    + "' is not a Java package name; rename the folder or set <packageName>");
            return null;
        }
        return pkg;
    }

    /**
     * The cache's fingerprint: the compiler's version and build (its jar's size and time), and the configuration
     * that shapes the output. Any change regenerates everything; unchanged outputs stay untouched.
     */
    private String fingerprint() throws IOException {
        return "compiler=" + Compiler.VERSION + "/" + CompilerBuild.stamp() + " package="
                + (settings.packageName() == null ? "<folders>" : settings.packageName()) + " sources="
                + settings.display(settings.sourceDirectory()) + " output=" + settings.display(settings.outputDirectory());
    }

    private static boolean sameContent(Path file, byte[] bytes) throws IOException {
        try {
            return Files.size(file) == bytes.length && Arrays.equals(Files.readAllBytes(file), bytes);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /** Deletes {@code file} and the package folders it leaves empty, up to the output directory. */
    private boolean delete(Path file) throws IOException {
        boolean deleted = Files.deleteIfExists(file);
        Path dir = file.getParent();
        while (deleted && dir != null && dir.startsWith(settings.outputDirectory()) && !dir.equals(settings.outputDirectory())) {
            try {
                Files.deleteIfExists(dir);
            } catch (DirectoryNotEmptyException e) {
                break;
            }
            dir = dir.getParent();
        }
        return deleted;
    }

    private static String count(int n, String one) {
        return count(n, one, one + "s");
    }

    private static String count(int n, String one, String many) {
        return n + " " + (n == 1 ? one : many);
    }
}
