package dev.adnet.compiler.source;

/**
 * The text of one {@code .adnet} file, with a line index so spans can be turned into line and column.
 *
 * @param name the name diagnostics print (a path as the user gave it)
 * @param text the decoded text, byte-order mark removed
 */
public record SourceFile(String name, String text) {


    /** The text of 1-based line {@code line}, without its line terminator, or "" past the end. */
    public String line(int line) {
        int start = 0;
        int current = 1;
        while (current < line) {
            int nl = text.indexOf('\n', start);
            if (nl < 0) {
                return "";
            }
            start = nl + 1;
            current++;
        }
        int end = text.indexOf('\n', start);
        String s = end < 0 ? text.substring(start) : text.substring(start, end);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
    }
}
