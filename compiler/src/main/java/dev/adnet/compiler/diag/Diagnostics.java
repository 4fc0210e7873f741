package dev.adnet.compiler.diag;

import dev.adnet.compiler.source.Span;
import java.util.ArrayList;
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

    /**
     * In source order (file, line, column). One per code and position: a block instantiated twice, or checked both
     * statically and on use, reports a mistake once.
     */
    public List<Diagnostic> sorted() {
        java.util.Set<String> seen = new java.util.HashSet<>();
        return items.stream()
                .filter(d -> seen.add(d.code() + "@" + d.span()))
                .sorted(Diagnostics::inSourceOrder)
                .toList();
    }

    // A method rather than Comparator.comparing(...).thenComparingInt(...): those combinators spin their lambdas
    // at the first call of every run, outside any class-data archive (docs/benchmarks.md, `adnet check` start-up).
    private static int inSourceOrder(Diagnostic a, Diagnostic b) {
        Span x = a.span();
        Span y = b.span();
        int byFile = x.file().compareTo(y.file());
        if (byFile != 0) {
            return byFile;
        }
        int byLine = Integer.compare(x.line(), y.line());
        return byLine != 0 ? byLine : Integer.compare(x.column(), y.column());
    }
}
