package dev.adnet.compiler.parse;

import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.source.SourceFile;
import java.util.List;
import java.util.Optional;

/**
 * What parsing one file produced: the source (absent when the bytes were not text), the tree (absent after an
 * error that stops parsing), and the diagnostics.
 */
public record ParseResult(Optional<SourceFile> source, Optional<CompilationUnit> unit, List<Diagnostic> diagnostics) {
    public ParseResult {
        diagnostics = List.copyOf(diagnostics);
    }
}
