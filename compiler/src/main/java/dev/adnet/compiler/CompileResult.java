package dev.adnet.compiler;

import dev.adnet.compiler.diag.Diagnostic;
import dev.adnet.compiler.diag.DiagnosticFormatter;
import dev.adnet.compiler.diag.Severity;
import dev.adnet.compiler.source.SourceFile;
import java.util.List;
import java.util.Map;

/**
 * What checking some files produced: their diagnostics (in source order) and the networks that checked cleanly.
 * When there is any error, callers must write nothing.
 */
public record CompileResult(List<Diagnostic> diagnostics, Map<String, SourceFile> sources, List<CompiledNetwork> networks) {
    public CompileResult {
        diagnostics = List.copyOf(diagnostics);
        sources = Map.copyOf(sources);
        networks = List.copyOf(networks);
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
