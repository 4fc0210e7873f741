package dev.adnet.compiler.source;

/**
 * Where a node or a diagnostic is in a source file.
 *
 * @param file the file's display name
 * @param line 1-based line
 * @param column 1-based column, counted in characters (UTF-16 units) from the line's start
 * @param length how many characters the span covers on its first line (at least 1 for carets)
 */
public record Span(String file, int line, int column, int length) {

    public static Span of(String file, int line, int column, int length) {
        return new Span(file, line, column, Math.max(1, length));
    }

    /** A span covering this one up to the end of {@code other}, when both start on the same line. */
    public Span to(Span other) {
        if (other.line != line || other.column < column) {
            return this;
        }
        return new Span(file, line, column, other.column + other.length - column);
    }

    // Written out rather than the record's generated ones: spans are hash keys from the first line checked, and the
    // generated methods bootstrap method handles at their first call, which no class-data archive holds
    // (a tenth of `adnet check`'s start-up; docs/benchmarks.md).
    @Override
    public boolean equals(Object o) {
        return o instanceof Span s && line == s.line && column == s.column && length == s.length && java.util.Objects.equals(file, s.file);
    }

    @Override
    public int hashCode() {
        return ((java.util.Objects.hashCode(file) * 31 + line) * 31 + column) * 31 + length;
    }

    @Override
    public String toString() {
        return file + ":" + line + ":" + column;
    }
}
