package dev.adnet.compiler.freeze;

import dev.adnet.compiler.source.Span;

/**
 * Offsets in a source text: where a span starts, where a statement or a braced body ends. The scans skip strings and
 * comments and count brackets, so a statement that spans lines inside parentheses ends where the parser ends it.
 */
final class SourceText {
    private final String text;

    SourceText(String text) {
        this.text = text;
    }

    String text() {
        return text;
    }

    /** The offset of a span's first character (its line and column are 1-based, columns in UTF-16 units). */
    int offset(Span s) {
        int at = 0;
        for (int line = 1; line < s.line(); line++) {
            at = text.indexOf('\n', at) + 1;
        }
        return at + s.column() - 1;
    }

    /** The end of the statement starting at {@code start}: the first ';', newline or closing brace outside brackets. */
    int statementEnd(int start) {
        int depth = 0;
        int last = start;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            int skipped = skip(i);
            if (skipped != i) {
                i = skipped - 1;
                continue;
            }
            if (c == '(' || c == '[' || c == '{') {
                depth++;
            } else if (c == ')' || c == ']' || (c == '}' && depth > 0)) {
                depth--;
            } else if (depth == 0 && (c == ';' || c == '\n' || c == '}')) {
                break;
            }
            if (!Character.isWhitespace(c)) {
                last = i + 1;
            }
        }
        return last;
    }

    /** The offset just past the '}' that closes the '{' at {@code open}. */
    int closingBrace(int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            int skipped = skip(i);
            if (skipped != i) {
                i = skipped - 1;
                continue;
            }
            char c = text.charAt(i);
            if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i + 1;
            }
        }
        throw new FreezeException("unbalanced braces after offset " + open);
    }

    /** The start of {@code offset}'s line. */
    int lineStart(int offset) {
        return text.lastIndexOf('\n', offset - 1) + 1;
    }

    /** Just past the line terminator of {@code offset}'s line (or the text's end). */
    int nextLine(int offset) {
        int nl = text.indexOf('\n', offset);
        return nl < 0 ? text.length() : nl + 1;
    }

    /** The leading blanks of {@code offset}'s line. */
    String indentation(int offset) {
        int s = lineStart(offset);
        int e = s;
        while (e < text.length() && (text.charAt(e) == ' ' || text.charAt(e) == '\t')) {
            e++;
        }
        return text.substring(s, e);
    }

    /** Past a string or comment starting at {@code i}, or {@code i} itself. */
    private int skip(int i) {
        if (text.startsWith("//", i)) {
            int nl = text.indexOf('\n', i);
            return nl < 0 ? text.length() : nl;
        }
        if (text.startsWith("/*", i)) {
            int end = text.indexOf("*/", i + 2);
            return end < 0 ? text.length() : end + 2;
        }
        if (text.charAt(i) == '"') {
            for (int j = i + 1; j < text.length(); j++) {
                char c = text.charAt(j);
                if (c == '\\') {
                    j++;
                } else if (c == '"' || c == '\n') {
                    return j + 1;
                }
            }
            return text.length();
        }
        return i;
    }
}
