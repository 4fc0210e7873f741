package dev.adnet.lsp;

import dev.adnet.compiler.CompileResult;
import dev.adnet.compiler.Compiler;
import dev.adnet.compiler.index.SymbolIndex;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The analyses of the open documents, and indexes of the workspace's other {@code .adnet} files for references and
 * renames across files. Open documents are read from the editor's buffers, everything else from disk.
 */
final class Workspace {
    /** A bound on the files scanned for references, so a huge folder does not stall a rename. */
    private static final int MAX_FILES = 2_000;

    private final Documents documents;
    private final Map<String, Analysis> analyses = new ConcurrentHashMap<>();
    private final Map<String, Cached> onDisk = new ConcurrentHashMap<>();
    private volatile List<Path> roots = List.of();

    private record Cached(FileTime modified, Optional<SymbolIndex> index) {}

    Workspace(Documents documents) {
        this.documents = documents;
    }

    void roots(List<Path> roots) {
        this.roots = List.copyOf(roots);
    }

    private Compiler compiler() {
        return new Compiler(path -> {
            String name = path.toAbsolutePath().normalize().toString();
            Optional<Documents.Doc> open = documents.byName(name).or(() -> documents.byName(path.toString()));
            if (open.isPresent()) {
                return open.get().text().getBytes(StandardCharsets.UTF_8);
            }
            return Files.readAllBytes(path);
        });
    }

    /** Checks an open document as {@code adnet check} would. */
    CompileResult check(Documents.Doc doc) {
        return compiler().check(List.of(Path.of(doc.name())));
    }

    /** Indexes a checked document and keeps the pair for the requests that follow. */
    Analysis index(Documents.Doc doc, CompileResult result) {
        Optional<SymbolIndex> index = SymbolIndex.of(doc.name(), result.units());
        if (index.isEmpty()) {
            Analysis previous = analyses.get(doc.uri());
            index = previous == null ? Optional.empty() : previous.index();
        }
        Analysis a = new Analysis(doc.name(), doc.text(), doc.version(), result, index);
        analyses.put(doc.uri(), a);
        return a;
    }

    Optional<Analysis> analysis(String uri) {
        return Optional.ofNullable(analyses.get(uri));
    }

    void forget(String uri) {
        analyses.remove(uri);
    }

    /** The open documents whose last check read {@code name} (they import it). */
    List<Documents.Doc> importersOf(String name) {
        List<Documents.Doc> result = new ArrayList<>();
        for (Documents.Doc d : documents.all()) {
            Analysis a = analyses.get(d.uri());
            if (a != null && !d.name().equals(name) && a.result().sources().containsKey(name)) {
                result.add(d);
            }
        }
        return result;
    }

    /** Indexes of every file that may mention a symbol: the open documents, then the workspace's files on disk. */
    List<SymbolIndex> allIndexes() {
        Map<String, SymbolIndex> byFile = new java.util.LinkedHashMap<>();
        for (Documents.Doc d : documents.all()) {
            analysis(d.uri()).flatMap(Analysis::index).ifPresent(i -> byFile.put(i.file(), i));
        }
        for (Path file : workspaceFiles()) {
            String name = file.toString();
            if (!byFile.containsKey(name)) {
                indexOnDisk(file).ifPresent(i -> byFile.put(name, i));
            }
        }
        return List.copyOf(byFile.values());
    }

    private Optional<SymbolIndex> indexOnDisk(Path file) {
        try {
            FileTime modified = Files.getLastModifiedTime(file);
            Cached c = onDisk.get(file.toString());
            if (c != null && c.modified().equals(modified)) {
                return c.index();
            }
            CompileResult result = compiler().check(List.of(file));
            Optional<SymbolIndex> index = SymbolIndex.of(file.toString(), result.units());
            onDisk.put(file.toString(), new Cached(modified, index));
            return index;
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private List<Path> workspaceFiles() {
        List<Path> files = new ArrayList<>();
        for (Path root : roots) {
            if (!Files.isDirectory(root)) {
                continue;
            }
            try (Stream<Path> walk = Files.walk(root)) {
                walk.filter(p -> p.toString().endsWith(".adnet") && Files.isRegularFile(p)
                                && !p.toString().contains("/target/") && !p.toString().contains("/node_modules/"))
                        .limit(MAX_FILES).map(p -> p.toAbsolutePath().normalize()).forEach(files::add);
            } catch (IOException | java.io.UncheckedIOException e) {
                // an unreadable folder only narrows the search
            }
        }
        return files;
    }
}
