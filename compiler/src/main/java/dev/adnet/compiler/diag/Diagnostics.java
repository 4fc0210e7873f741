package dev.adnet.compiler.diag;

import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Collects the diagnostics of one compilation; checking goes on after an error so all of them are reported. */
public final class Diagnostics {
    private final List<Diagnostic> items = new ArrayList<>();

    public void error(Code code, Span span, String message) {
        items.add(Diagnostic.error(code, span, message));
    }

    public void add(Diagnostic d) {
        items.add(d);
    }

    public boolean hasErrors() {
        return items.stream().anyMatch(d -> d.severity() == Severity.ERROR);
    }

    public int errorCount() {
        return (int) items.stream().filter(d -> d.severity() == Severity.ERROR).count();
    }

    /** In source order (file, line, column), each reported once. */
    public List<Diagnostic> sorted() {
        return items.stream()
                .distinct()
                .sorted(Comparator.comparing((Diagnostic d) -> d.span().file())
                        .thenComparingInt(d -> d.span().line())
                        .thenComparingInt(d -> d.span().column()))
                .toList();
    }
}
