package dev.adnet.compiler.diag;

import dev.adnet.compiler.source.Span;

/**
 * One message about a source file.
 *
 * @param severity error or warning
 * @param code the stable code, for example {@code ADN201}
 * @param message one sentence, no trailing period, no position (the span carries it)
 * @param span where it points
 */
public record Diagnostic(Severity severity, Code code, String message, Span span) {

    public static Diagnostic error(Code code, Span span, String message) {
        return new Diagnostic(Severity.ERROR, code, message, span);
    }

    /** {@code file:line:col: error[ADN123]: message}, the one-line form. */
    public String headline() {
        return span.file() + ":" + span.line() + ":" + span.column() + ": " + severity.label() + "[" + code.id()
                + "]: " + message;
    }
}
