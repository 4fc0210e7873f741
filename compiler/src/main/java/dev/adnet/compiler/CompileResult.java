package dev.adnet.compiler;

import dev.adnet.compiler.ast.CompilationUnit;
import dev.adnet.compiler.check.Facts;
import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.diag.DiagnosticFormatter;
import dev.adnet.compiler.diag.Severity;
import dev.adnet.compiler.source.SourceFile;
import java.util.List;
import java.util.Map;

/**
 * What checking some files produced: their diagnostics (in source order) and the networks that checked cleanly.
 * When there is any error, callers must write nothing. For editors it also keeps the syntax tree of every file that
 * parsed ({@code units}, by display name, imported files included) and what the checker learnt about each named
 * binding ({@code facts}).
 */
public record CompileResult(List<Diagnostic> diagnostics, Map<String, SourceFile> sources, List<CompiledNetwork> networks,
        Map<String, CompilationUnit> units, Facts facts) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        sources = Map.copyOf(sources);
        networks = List.copyOf(networks);
        units = Map.copyOf(units);
    }

    /** Diagnostics alone, as a tool that checks nothing further reports them. */
    public CompileResult(List<Diagnostic> diagnostics, Map<String, SourceFile> sources, List<CompiledNetwork> networks) {
        this(diagnostics, sources, networks, Map.of(), new Facts());
    }

    public boolean hasErrors() {
        return diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    /** Every diagnostic rendered with its source line and caret. */
    public String render() {
        DiagnosticFormatter f = new DiagnosticFormatter(sources);
        StringBuilder sb = new StringBuilder();
        diagnostics.forEach(d -> sb.append(f.format(d)));
        return sb.toString();
    }

    /**
     * What {@code adnet check} prints, the same text in every tool: every diagnostic rendered, then the number of
     * errors; empty when there is no diagnostic.
     */
    public String report() {
        if (diagnostics.isEmpty()) {
            return "";
        }
        long errors = diagnostics.stream().filter(d -> d.severity() == Severity.ERROR).count();
        return render() + errors + (errors == 1 ? " error" : " errors") + System.lineSeparator();
    }
}
