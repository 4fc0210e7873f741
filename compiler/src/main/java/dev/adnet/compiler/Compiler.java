package dev.adnet.compiler;

import dev.adnet.compiler.ast.BlockDecl;
import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.ast.Import;
import dev.adnet.compiler.check.Checker;
import dev.adnet.compiler.check.Facts;
import dev.adnet.compiler.cost.CostModel;
import dev.adnet.compiler.diag.Code;
import dev.adnet.compiler.diag.Diagnostics;
import dev.adnet.compiler.ir.Graph;
import dev.adnet.compiler.parse.ParseResult;
import dev.adnet.compiler.parse.SourceParser;
import dev.adnet.compiler.source.SourceFile;
import dev.adnet.compiler.source.Span;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The compiler facade: the one entry point the command line, the Maven plugin and the editor use, so a file gets
 * the same diagnostics everywhere. It reads files (and what they import), checks them and lowers their networks.
 */
public final class Compiler {
    public static final String VERSION = "0.1.0";

    /** Checking recurses over the syntax tree; a large stack keeps pathological but legal files from overflowing. */
    private static final long STACK_BYTES = 256L * 1024 * 1024;

    /** Reads the bytes of a file; the editor supplies unsaved buffers through its own reader. */
    @FunctionalInterface
    public interface SourceReader {
        byte[] read(Path path) throws IOException;
    }

    private final SourceReader reader;
    /** Relative file names are read (and their imports resolved) against this directory; null: the working one. */
    private final Path baseDirectory;

    public Compiler() {
        this(Files::readAllBytes);
    }

    public Compiler(SourceReader reader) {
        this(reader, null);
    }

    /**
     * A compiler that resolves relative file names against {@code baseDirectory} instead of the working directory,
     * while diagnostics and generated classes keep naming them as given: the Maven plugin passes paths relative to
     * the project's base directory, so messages read {@code src/main/adnet/net.adnet:3:7: ...} and the generated
     * code does not depend on where the project is checked out.
     */
    public Compiler(SourceReader reader, Path baseDirectory) {
        this.reader = reader;
        this.baseDirectory = baseDirectory;
    }

    private Path resolve(Path file) {
        return baseDirectory == null ? file : baseDirectory.resolve(file);
    }

    /** Checks every file; diagnostics of all of them, networks of those without errors. */
    public CompileResult check(List<Path> files) {
        AtomicReference<CompileResult> result = new AtomicReference<>();
        Thread worker = new Thread(null, () -> {
            try {
                result.set(checkNow(files));
            } catch (Error e) {
                // Out of memory or a broken class path: still a positioned message, never a bare stack trace.
                Diagnostics diag = new Diagnostics();
                String name = files.isEmpty() ? "adnet" : files.get(0).toString();
                diag.error(Code.INTERNAL_ERROR, Span.of(name, 1, 1, 1), "internal compiler error (" + e + ")");
                result.set(new CompileResult(diag.sorted(), Map.of(), List.of()));
            }
        }, "adnet-compiler", STACK_BYTES);
        worker.start();
        try {
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while compiling", e);
        }
        return result.get();
    }

    private CompileResult checkNow(List<Path> files) {
        Diagnostics diag = new Diagnostics();
        Map<String, SourceFile> sources = new LinkedHashMap<>();
        Map<String, CompilationUnit> parsed = new LinkedHashMap<>();
        Facts facts = new Facts();
        List<CompiledNetwork> networks = new ArrayList<>();
        for (Path file : files) {
            String name = file.toString();
            try {
                Loaded loaded = new Loaded(diag, sources, parsed);
                CompilationUnit unit = loaded.load(file, name, null);
                if (unit == null) {
                    continue;
                }
                Map<String, BlockDecl> imported = loaded.importsOf(unit, file);
                int before = diag.errorCount();
                List<Graph> graphs = new Checker(diag, facts).check(unit, imported, loaded.homes());
                if (diag.errorCount() == before) {
                    String hash = loaded.hash();
                    for (Graph g : graphs) {
                        networks.add(new CompiledNetwork(g, name, hash, CostModel.of(g)));
                    }
                }
            } catch (RuntimeException | StackOverflowError e) {
                // A compiler bug must still give the user a positioned message, not a stack trace.
                diag.error(Code.INTERNAL_ERROR, Span.of(name, 1, 1, 1), "internal compiler error (" + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage()) + "); please report it with this file");
            }
        }
        return new CompileResult(diag.sorted(), sources, diag.hasErrors() ? List.of() : networks, parsed, facts);
    }

    /** One file and the files it imports, transitively, with the digest of all their bytes. */
    private final class Loaded {
        private final Diagnostics diag;
        private final Map<String, SourceFile> sources;
        /** Every file's syntax tree, for editors, even when checking stops at its errors. */
        private final Map<String, CompilationUnit> trees;
        private final Map<Path, CompilationUnit> units = new HashMap<>();
        /** Each imported block's own file: the blocks visible there (that file's and what it imports). */
        private final Map<BlockDecl, Map<String, BlockDecl>> homes = new java.util.IdentityHashMap<>();
        private final List<Path> loading = new ArrayList<>();
        private final MessageDigest digest;

        Loaded(Diagnostics diag, Map<String, SourceFile> sources, Map<String, CompilationUnit> parsed) {
            this.diag = diag;
            this.sources = sources;
            this.trees = parsed;
            try {
                this.digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }

        Map<BlockDecl, Map<String, BlockDecl>> homes() {
            return homes;
        }

        String hash() {
            return HexFormat.of().formatHex(digest.digest());
        }

        CompilationUnit load(Path file, String name, Span importedAt) {
            byte[] bytes;
            try {
                bytes = reader.read(resolve(file));
            } catch (NoSuchFileException e) {
                report(importedAt, name, importedAt == null ? Code.SOURCE_UNREADABLE : Code.IMPORT_NOT_FOUND, "no such file: " + name);
                return null;
            } catch (IOException e) {
                report(importedAt, name, Code.SOURCE_UNREADABLE, "cannot read " + name + ": " + e.getMessage());
                return null;
            }
            digest.update(bytes);
            ParseResult parsed = SourceParser.parse(name, bytes);
            parsed.source().ifPresent(s -> sources.put(name, s));
            parsed.diagnostics().forEach(diag::add);
            parsed.unit().ifPresent(u -> trees.put(name, u));
            // A literal the parser could not read (too large, bad escape) stands in as 0 or its raw text; checking
            // the file would only report echoes of that error, such as "units must be positive, not 0".
            if (parsed.diagnostics().stream().anyMatch(d -> d.severity() == dev.adnet.compiler.diag.Severity.ERROR)) {
                return null;
            }
            return parsed.unit().orElse(null);
        }

        private void report(Span at, String name, Code code, String message) {
            diag.error(code, at != null ? at : Span.of(name, 1, 1, 1), message);
        }

        /** The blocks {@code unit}'s imports bring in, by name; later imports win over earlier ones. */
        Map<String, BlockDecl> importsOf(CompilationUnit unit, Path file) {
            Path key = resolve(file).toAbsolutePath().normalize();
            loading.add(key);
            Map<String, BlockDecl> result = new LinkedHashMap<>();
            for (Import imp : unit.imports()) {
                Path dir = resolve(file).toAbsolutePath().getParent();
                Path target = dir == null ? Path.of(imp.path()) : dir.resolve(imp.path()).normalize();
                if (loading.contains(target)) {
                    diag.error(Code.IMPORT_CYCLE, imp.pathSpan(), "import cycle: \"" + imp.path() + "\" imports this file again");
                    continue;
                }
                CompilationUnit imported = units.get(target);
                if (imported == null) {
                    String display = file.getParent() == null ? imp.path() : file.getParent().resolve(imp.path()).normalize().toString();
                    imported = load(target, display, imp.pathSpan());
                    if (imported == null) {
                        continue;
                    }
                    units.put(target, imported);
                }
                Map<String, BlockDecl> available = new LinkedHashMap<>(importsOf(imported, target));
                imported.blocks().forEach(b -> available.put(b.name().name(), b));
                imported.blocks().forEach(b -> homes.putIfAbsent(b, available));
                if (imp.names().isEmpty()) {
                    imported.blocks().forEach(b -> result.put(b.name().name(), b));
                } else {
                    for (var n : imp.names()) {
                        BlockDecl b = available.get(n.name());
                        if (b == null) {
                            diag.error(Code.IMPORT_NAME_NOT_FOUND, n.span(), "\"" + imp.path() + "\" declares no block '" + n.name() + "'");
                        } else {
                            result.put(n.name(), b);
                        }
                    }
                }
            }
            loading.remove(key);
            return result;
        }
    }
}
