package dev.adnet.compiler.diag;

import dev.adnet.compiler.source.SourceFile;
import java.util.Map;

/**
 * Renders a diagnostic as the headline, the source line and a caret under the span:
 *
 * <pre>
 * net.adnet:4:12: error[ADN301]: unknown layer or block 'conv3'
 *     x = image -> conv3(16)
 *                  ^~~~~
 * </pre>
 *
 * Tabs in the source line are kept in the caret line so the caret stays aligned in a terminal.
 */
public final class DiagnosticFormatter {
    private final Map<String, SourceFile> sources;

    public DiagnosticFormatter(Map<String, SourceFile> sources) {
        this.sources = sources;
    }

    public String format(Diagnostic d) {
        StringBuilder out = new StringBuilder(d.headline()).append('\n');
        SourceFile file = sources.get(d.span().file());
        if (file == null) {
            return out.toString();
        }
        String line = file.line(d.span().line());
        if (line.length() > 200 || line.isBlank() && d.span().column() > 1) {
            return out.toString();
        }
        out.append("    ").append(printable(line)).append('\n');
        StringBuilder caret = new StringBuilder("    ");
        int col = Math.min(d.span().column() - 1, line.length());
        for (int i = 0; i < col; i++) {
            caret.append(line.charAt(i) == '\t' ? '\t' : ' ');
        }
        int len = Math.max(1, Math.min(d.span().length(), Math.max(1, line.length() - col)));
        caret.append('^');
        caret.append("~".repeat(len - 1));
        out.append(caret).append('\n');
        return out.toString();
    }

    /** Control characters would garble a terminal; show them as '?'. */
    private static String printable(String line) {
        StringBuilder sb = new StringBuilder(line.length());
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            sb.append(c != '\t' && Character.isISOControl(c) ? '?' : c);
        }
        return sb.toString();
    }
}
